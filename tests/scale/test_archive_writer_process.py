"""The archive writer with its batches written by a child process, against real SQLite files.

Same stand-in reactor as ``test_archive_writer.py``. The child is a real ``spawn`` process
that opens the archive by its URL, so what these tests compare is what crosses the process
boundary: pages pickled out, results pickled back, and a child that dies mid-batch.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from twisted.python.failure import Failure

from archive import Archive
from archive.pages import PageIn, PageResult
from archive.schema import Article, Capture
from campusnews.archive_writer import ArchiveWriter, WriterProcessDied
from tests.archive.test_archive_batch import _pages, _state
from tests.scale.test_archive_writer import Reactor, _count, _page, _results


def _write_all(db: Path, pages: list[PageIn], *, process: bool) -> list[Any]:
    reactor = Reactor()
    with Archive(f"sqlite:///{db}") as arc:
        writer = ArchiveWriter(arc, batch_size=4, batch_delay=0.05, capacity=8, process=process,
                               call_from_thread=reactor.call_from_thread)  # fmt: skip
        writer.start()
        results = _results([writer.submit(p) for p in pages])
        closed = writer.close()
        reactor.until(lambda: closed.called)
    return results


def test_the_process_stores_exactly_what_the_thread_stores(tmp_path: Path) -> None:
    # Every kind of page (failures, revisits, aliases, a changed version) and one the database
    # refuses, in batches of four: bytes bodies and aware datetimes cross the process boundary.
    pages = [*_pages(), _page(20), _page(21, title=None), _page(22)]
    by_thread = _write_all(tmp_path / "thread.db", pages, process=False)
    by_process = _write_all(tmp_path / "process.db", pages, process=True)
    assert not any(isinstance(r, Failure) for r in by_thread + by_process)
    # PageResults: outcomes, ids, digests, failures, errors (without the SQL parameters of
    # the refused page's error, which hold the clock's time)
    assert [_comparable(r) for r in by_process] == [_comparable(r) for r in by_thread]
    assert by_process[-2].error  # the refused page, recorded as archive_error in both
    with Archive(f"sqlite:///{tmp_path / 'thread.db'}") as t, \
         Archive(f"sqlite:///{tmp_path / 'process.db'}") as p:  # fmt: skip
        assert _state(p) == _state(t)
        assert p.integrity_check() == "ok"


def _comparable(r: PageResult) -> PageResult:
    if r.error is None:
        return r
    assert r.failure is not None
    first_line = r.error.splitlines()[0]
    return replace(r, error=first_line, failure=replace(r.failure, detail=first_line))


def test_close_drains_every_page_and_ends_the_process(tmp_path: Path) -> None:
    reactor = Reactor()
    with Archive(f"sqlite:///{tmp_path / 'w.db'}") as arc:
        # A window far longer than the test: only close() can end it.
        writer = ArchiveWriter(arc, batch_size=100, batch_delay=300.0, batch_gap=300.0,
                               capacity=300, process=True,
                               call_from_thread=reactor.call_from_thread)  # fmt: skip
        writer.start()
        results = _results([writer.submit(_page(n)) for n in range(1, 251)])
        seen = _results([writer.call(lambda: _count(arc, Article))])  # runs in the parent
        closed = writer.close()
        reactor.until(lambda: closed.called)
        assert [r.outcome for r in results] == ["new"] * 250
        assert seen == [250]  # after every page submitted before it was committed
        assert (_count(arc, Article), _count(arc, Capture)) == (250, 250)
        assert writer.batches == 3
        assert writer.child_pid is not None and writer.child_pid != os.getpid()
        assert writer.child_peak_rss_mb  # reported before the child was joined
        assert not _alive(writer.child_pid)


def test_a_child_killed_mid_batch_fails_the_waiting_pages_and_nothing_hangs(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.db"
    reactor = Reactor()
    with Archive(f"sqlite:///{db}") as arc:
        writer = ArchiveWriter(arc, batch_size=10, batch_delay=0.05, capacity=30, process=True,
                               call_from_thread=reactor.call_from_thread)  # fmt: skip
        writer.start()
        committed = _results([writer.submit(_page(n)) for n in range(1, 4)])
        reactor.until(lambda: len(committed) == 3)
        # Hold SQLite's write lock: the child's next batch waits inside store_batch for it.
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            waiting = _results([writer.submit(_page(n)) for n in range(4, 30)])
            deadline = time.monotonic() + 30
            while len(writer._queue) == 26:  # until the thread has taken the next batch
                assert time.monotonic() < deadline
                time.sleep(0.05)
            time.sleep(0.3)
            assert writer.child_pid is not None
            os.kill(writer.child_pid, signal.SIGKILL)
            reactor.until(lambda: len(waiting) == 26)
        finally:
            blocker.rollback()
            blocker.close()
        for r in waiting:
            assert isinstance(r, Failure) and r.check(WriterProcessDied)
        assert "died" in str(waiting[0].value)
        # A page after the death fails at once too, and close still ends.
        late = _results([writer.submit(_page(99))])
        closed = writer.close()
        reactor.until(lambda: closed.called and len(late) == 1)
        assert isinstance(late[0], Failure) and late[0].check(WriterProcessDied)
        # What was committed before the kill is kept; the killed batch left nothing behind.
        assert [r.outcome for r in committed] == ["new"] * 3
        assert (_count(arc, Article), _count(arc, Capture)) == (3, 3)
        assert arc.integrity_check() == "ok"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_an_in_memory_archive_is_written_on_the_thread() -> None:
    # A child would open an empty in-memory database of its own.
    with Archive("sqlite://") as arc:
        writer = ArchiveWriter(arc, process=True, call_from_thread=Reactor().call_from_thread)
        assert writer.process is False
