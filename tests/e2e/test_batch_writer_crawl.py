"""The batched archive writer in real crawls: exact counts with tiny batches and constant
backpressure, and a crawl stopped by a shutdown signal commits every page it handed over."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from archive import Archive
from archive.schema import Capture
from tests.e2e.crawling import SITES, _env, crawl_sites
from tests.e2e.test_crawl_fixture import EXPECTED_COUNTS

pytestmark = pytest.mark.slow


def _captures_by_run(arc: Archive) -> dict[int, int]:
    with arc.session() as s:
        rows = s.execute(select(Capture.run_id, func.count()).group_by(Capture.run_id)).all()
    return {run_id: n for run_id, n in rows}


@pytest.mark.parametrize("process", [False, True], ids=["thread", "process"])
def test_tiny_batches_and_constant_backpressure_store_exact_counts(
    demo_sites: dict[str, Any], tmp_path: Path, process: bool
) -> None:
    db = tmp_path / "tiny.db"
    # Three pages per transaction and three inside the writer at most: the engine is paused
    # and resumed all through the crawl; with the writes on the thread and in a child process.
    run = crawl_sites(demo_sites, db, SITES, "--set", "CAMPUSNEWS_WRITE_BATCH=3",
                      "--set", "CAMPUSNEWS_WRITE_CAPACITY=3",
                      "--set", f"CAMPUSNEWS_WRITE_PROCESS={process}")  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    with Archive(f"sqlite:///{db}", readonly=True) as arc:
        counts = arc.site_counts()
        assert {s: counts[s]["articles"] for s in SITES} == EXPECTED_COUNTS
        assert all(counts[s]["versions"] == counts[s]["articles"] for s in SITES)
        runs = arc.runs()
        assert {r["status"] for r in runs} == {"ok"}
        # The summary counts what was committed: each run's pages are its captures.
        assert {r["id"]: r["pages"] for r in runs} == _captures_by_run(arc)
        for site in SITES:
            s = run.summary(site)
            assert int(s["new"]) == EXPECTED_COUNTS[site]
        assert arc.integrity_check() == "ok"


def _slow_crawl(db: Path, *settings: str, **popen: Any) -> tuple[Any, subprocess.Popen[str]]:
    """A demo-vsb server answering article pages in 0.3 s, and ``campusnews crawl`` of it into
    ``db`` with ``--set`` settings (the caller stops the server)."""
    from tests.scale.conftest import slowed

    server = slowed("demo-vsb", 0.3, lambda path: path.startswith("/info/"))
    args = [sys.executable, "-m", "campusnews", "crawl", "demo-vsb", "--db", str(db),
            "--base-url", server.base_url]  # fmt: skip
    for setting in settings:
        args += ["--set", setting]
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), **popen
    )
    return server, proc


def _wait_while_crawling(proc: subprocess.Popen[str], condition: Any) -> None:
    """Poll until ``condition()`` holds; fail if the crawl ends first or after 120 s."""
    deadline = time.monotonic() + 120
    while not condition():
        assert proc.poll() is None and time.monotonic() < deadline, "crawl did not start"
        time.sleep(0.05)


@pytest.mark.parametrize("process", [False, True], ids=["thread", "process"])
def test_shutdown_signal_commits_every_page_handed_over(tmp_path: Path, process: bool) -> None:
    db = tmp_path / "stopped.db"
    # Pages reach the archive only through the writer; the signal comes while some are being
    # fetched, extracted or queued for it.
    server, proc = _slow_crawl(
        db,
        "CAMPUSNEWS_WRITE_DELAY=120",
        f"CAMPUSNEWS_WRITE_PROCESS={process}",
        start_new_session=True,
    )
    try:
        _wait_while_crawling(proc, lambda: len(server.requests) >= 8)
        # To the process group, as Ctrl-C in a terminal: the writer process gets it too.
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        server.stop()
    assert proc.returncode == 1, out + err  # interrupted
    with Archive(f"sqlite:///{db}", readonly=True) as arc:
        (run,) = arc.runs()
        assert run["status"] == "interrupted"
        by_run = _captures_by_run(arc)
        assert by_run[run["id"]] == run["pages"] >= 2
        with arc.session() as s:
            articles = s.scalars(
                select(Capture.url).where(Capture.kind == "article", Capture.status == 200)
            ).all()
        assert articles, "no article page was committed"
        # A capture and its article are committed together: no page half-stored.
        ids = {arc.article_id_for_url(u) for u in articles}
        assert None not in ids
        n_articles = sum(c["articles"] for c in arc.site_counts().values())
        assert n_articles == len(ids) < EXPECTED_COUNTS["demo-vsb"]  # stopped part-way
    assert len(server.requests) >= by_run[run["id"]]


def _writer_process(parent: int) -> int | None:
    """The pid of the crawl's writer process (the multiprocessing ``spawn`` child), if any."""
    for task in Path(f"/proc/{parent}/task").iterdir():
        for pid in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"spawn_main" in cmdline:
                return int(pid)
    return None


def _captures_committed(db: Path) -> int:
    """Captures committed to ``db`` so far (0 while it does not exist yet)."""
    if not db.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            return int(conn.execute("SELECT count(*) FROM captures").fetchone()[0])
    except sqlite3.Error:  # schema not created yet
        return 0


def test_a_killed_writer_process_ends_the_crawl_with_a_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    server, proc = _slow_crawl(
        db,
        "CAMPUSNEWS_WRITE_PROCESS=True",
        "CAMPUSNEWS_WRITE_BATCH=2",
        "CAMPUSNEWS_WRITE_DELAY=0.01",
    )
    try:
        # Kill it once it has committed a batch: a writer killed while still starting gives
        # the other message ("could not start").
        _wait_while_crawling(proc, lambda: _captures_committed(db) >= 2)
        writer = _writer_process(proc.pid)
        assert writer is not None
        os.kill(writer, signal.SIGKILL)
        out, err = proc.communicate(timeout=120)  # no hang: every waiting page got an error
    finally:
        server.stop()
    assert proc.returncode == 1, out + err
    assert "archive writer process" in err and "died" in err, err
    with Archive(f"sqlite:///{db}", readonly=True) as arc:
        (run,) = arc.runs()
        assert run["status"] == "failed"
        assert run["stats"]["finish_reason"] == "archive_writer_died"
        assert run["pages"] == _captures_by_run(arc).get(run["id"], 0)  # counts what committed
        with arc.session() as s:
            articles = s.scalars(
                select(Capture.url).where(Capture.kind == "article", Capture.status == 200)
            ).all()
        # Committed pages are whole: each article capture has its article.
        assert None not in {arc.article_id_for_url(u) for u in articles}
        assert arc.integrity_check() == "ok"
