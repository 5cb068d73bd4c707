"""SIGKILL mid-crawl, twice, then resume: nothing committed is lost or doubled, the archive
stays consistent, and the killed runs are recorded as interrupted."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from archive import Archive
from tests.ops import kit

pytestmark = pytest.mark.slow
N = 12


def _articles(db: Path) -> list[str]:
    if not db.exists():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        try:
            return [r[0] for r in conn.execute("SELECT canonical_url FROM articles")]
        except sqlite3.OperationalError:  # tables not created yet
            return []


def _crawl_and_kill(server: object, db: Path, profiles: Path, at_least: int) -> list[str]:
    proc = subprocess.Popen(
        kit.crawl_args(server, db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,  # type: ignore[arg-type]
        env=kit.env(profiles), cwd=kit.REPO,
    )  # fmt: skip
    try:
        kit.wait_for(lambda: len(_articles(db)) >= at_least, timeout=60, step=0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    return _articles(db)


def test_sigkill_twice_then_resume(profiles_dir: Path, db: Path) -> None:
    kit.write_profile(profiles_dir, delay=0.25, concurrency=1)  # one article every 0.25 s
    tiny = kit.tiny_site(N, per_page=4)
    server = kit.serve(tiny)
    try:
        before_first = _crawl_and_kill(server, db, profiles_dir, at_least=3)
        before_second = _crawl_and_kill(server, db, profiles_dir, at_least=len(before_first) + 2)
        done = kit.crawl(server, db, profiles_dir)
        again = kit.crawl(server, db, profiles_dir)
    finally:
        server.stop()
    assert 3 <= len(before_first) < N and len(before_first) < len(before_second) < N
    assert set(before_first) <= set(before_second)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "took over the stale lock of pid " in done.stdout
    s = done.summary()
    assert int(s["new"]) == N - len(before_second) and s["failed"] == "0"
    assert again.returncode == 0 and again.summary()["new"] == "0"
    with Archive(f"sqlite:///{db}") as arc:
        counts = arc.site_counts()["tiny-news"]
        assert (counts["articles"], counts["versions"]) == (N, N)  # each article exactly once
        assert arc.integrity_check() == "ok"
        statuses = [r["status"] for r in reversed(arc.runs("tiny-news"))]
        assert statuses == ["interrupted", "interrupted", "ok", "ok"]
        assert arc.held_locks() == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        dupes = conn.execute(
            "SELECT canonical_url FROM articles GROUP BY canonical_url HAVING count(*) > 1"
        ).fetchall()
        assert dupes == []
