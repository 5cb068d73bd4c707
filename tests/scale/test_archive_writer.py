"""The crawl's archive writer on its thread, against real SQLite files.

The reactor is stood in for by a queue the test thread pumps: the writer hands every result
over with ``call_from_thread`` exactly as it does to Twisted's reactor, and all Deferreds are
created and fired on the test thread.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from twisted.internet.defer import Deferred

from archive import Archive
from archive.pages import ARCHIVE_ERROR, PageIn
from archive.schema import Article, Capture
from campusnews.archive_writer import ArchiveWriter
from tests.archive.archive_factories import SITE, article, capture

TIMEOUT = 60.0


class Reactor:
    """What the writer calls back into: a queue of callables run by :meth:`until`."""

    def __init__(self) -> None:
        self.calls: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]]] = queue.Queue()

    def call_from_thread(self, fn: Callable[..., Any], *args: Any) -> None:
        self.calls.put((fn, args))

    def until(self, done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not done():
            fn, args = self.calls.get(timeout=max(0.0, deadline - time.monotonic()))
            fn(*args)


@pytest.fixture
def arc(tmp_path: Path) -> Iterator[Archive]:
    with Archive(f"sqlite:///{tmp_path / 'w.db'}") as a:
        yield a


def _page(n: int, **changes: Any) -> PageIn:
    a = article(n, **changes)
    return PageIn(SITE, a.url, capture=capture(a.url, a.body.encode(), minutes=n), article=a)


def _count(arc: Archive, model: type) -> int:
    with arc.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _results(ds: list[Deferred[Any]]) -> list[Any]:
    out: list[Any] = []
    for d in ds:
        d.addBoth(out.append)
    return out


def test_close_drains_every_page_without_waiting_for_the_batch_window(arc: Archive) -> None:
    reactor = Reactor()
    # A window far longer than the test: only close() can end it.
    writer = ArchiveWriter(arc, batch_size=100, batch_delay=300.0, batch_gap=300.0,
                           capacity=300, call_from_thread=reactor.call_from_thread)  # fmt: skip
    writer.start()
    results = _results([writer.submit(_page(n)) for n in range(1, 251)])
    assert writer.pending == 250
    closed = writer.close()
    started = time.monotonic()
    reactor.until(lambda: closed.called)
    assert time.monotonic() - started < 60
    assert [r.outcome for r in results] == ["new"] * 250  # every Deferred fired, in order
    assert (_count(arc, Article), _count(arc, Capture)) == (250, 250)
    assert writer.batches == 3  # 100 + 100 + 50: one transaction each
    assert writer.pending == 0
    with pytest.raises(RuntimeError):
        writer.submit(_page(999))


def test_backpressure_bounds_the_pages_inside_the_writer(arc: Archive) -> None:
    reactor = Reactor()
    writer = ArchiveWriter(arc, batch_size=10, batch_delay=0.05, capacity=20,
                           call_from_thread=reactor.call_from_thread)  # fmt: skip
    writer.start()
    results = _results([writer.submit(_page(n)) for n in range(1, 101)])
    assert writer.peak_inside == 20  # the other 80 wait outside the thread's queue
    assert writer.pending == 100
    reactor.until(lambda: len(results) == 100)
    assert writer.peak_inside == 20
    assert [r.stored.article_id for r in results] == list(range(1, 101))  # FIFO
    assert writer.batches >= 10
    reactor.until(lambda: writer.close().called)


def test_a_failing_page_does_not_lose_its_batch(arc: Archive) -> None:
    reactor = Reactor()
    writer = ArchiveWriter(arc, batch_size=10, batch_delay=0.2,
                           call_from_thread=reactor.call_from_thread)  # fmt: skip
    writer.start()
    pages = [_page(n) for n in range(1, 11)]
    pages[4] = _page(5, title=None)  # refused by the database (NOT NULL)
    results = _results([writer.submit(p) for p in pages])
    closed = writer.close()
    reactor.until(lambda: closed.called)
    assert [r.outcome for r in results] == ["new"] * 4 + ["failed"] + ["new"] * 5
    assert results[4].failure.reason == ARCHIVE_ERROR and results[4].error
    assert _count(arc, Article) == 9
    assert _count(arc, Capture) == 10  # the refused page's fetch is still logged
    assert [f["url"] for f in arc.failures()] == [pages[4].url]


def test_calls_run_in_order_with_pages(arc: Archive) -> None:
    reactor = Reactor()
    writer = ArchiveWriter(arc, batch_size=50, batch_delay=0.2,
                           call_from_thread=reactor.call_from_thread)  # fmt: skip
    writer.start()
    first = _results([writer.submit(_page(n)) for n in (1, 2, 3)])
    seen = _results([writer.call(lambda: _count(arc, Article))])
    closed = writer.close()
    reactor.until(lambda: closed.called)
    assert len(first) == 3
    assert seen == [3]  # the call saw the pages submitted before it committed


def test_an_unexpected_error_reaches_every_deferred(arc: Archive) -> None:
    reactor = Reactor()
    writer = ArchiveWriter(arc, batch_size=5, batch_delay=0.1,
                           call_from_thread=reactor.call_from_thread)  # fmt: skip
    writer.start()
    arc.close()
    arc.store_batch = None  # type: ignore[assignment,method-assign]  # a bug: not callable
    results = _results([writer.submit(_page(n)) for n in (1, 2)])
    closed = writer.close()
    reactor.until(lambda: closed.called)
    assert len(results) == 2
    for r in results:
        assert r.check(TypeError)  # a twisted Failure: Scrapy logs it as an item error
        r.trap(TypeError)
