"""Per-site crawl locks: the archive API on both backends, and two real concurrent crawls."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update

from archive import Archive
from archive.locks import crawl_locks
from archive.migrations import applied_versions
from fixtures.server import FixtureServer, RequestInfo, Resource
from tests.archive.conftest import BACKENDS, pg_database_url  # noqa: F401 (fixture)
from tests.archive.conftest import db_url as _db_url
from tests.ops import kit

db_url = _db_url


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_second_acquire_sees_the_holder(db_url: str) -> None:
    with Archive(db_url) as arc:
        run = arc.start_run("s", "full")
        assert arc.acquire_lock("s", run_id=run).acquired
        again = arc.acquire_lock("s")
        assert not again.acquired and again.holder is not None
        assert (again.holder.pid, again.holder.host, again.holder.run_id) == (
            os.getpid(), socket.gethostname(), run,
        )  # fmt: skip
        assert arc.acquire_lock("other").acquired  # locks are per site
        assert arc.release_lock("s") and not arc.release_lock("s")
        assert arc.acquire_lock("s").acquired
        assert [h.site for h in arc.held_locks()] == ["other", "s"]


def test_dead_pid_on_this_host_is_taken_over_and_its_run_interrupted(db_url: str) -> None:
    with Archive(db_url) as arc:
        run = arc.start_run("s", "full")
        assert arc.acquire_lock("s", run_id=run).acquired
        dead = _dead_pid()
        with arc._write_engine.begin() as conn:
            conn.execute(update(crawl_locks).values(pid=dead))
        got = arc.acquire_lock("s")
        assert got.acquired and got.taken_over is not None
        assert (got.taken_over.pid, got.taken_over.run_id) == (dead, run)
        assert arc.runs("s")[0]["status"] == "interrupted"
        assert arc.held_locks()[0].pid == os.getpid()


def test_silent_holder_on_another_host_is_stale_after_the_heartbeat_limit(db_url: str) -> None:
    with Archive(db_url) as arc:
        assert arc.acquire_lock("s").acquired
        old = datetime.now(UTC) - timedelta(seconds=120)
        with arc._write_engine.begin() as conn:
            conn.execute(update(crawl_locks).values(host="elsewhere", pid=1, heartbeat_at=old))
        assert not arc.acquire_lock("s", stale_after=300).acquired  # still fresh enough
        got = arc.acquire_lock("s", stale_after=60)
        assert got.acquired and got.taken_over is not None
        assert got.taken_over.host == "elsewhere"
        assert arc.heartbeat_lock("s", run_id=None)


@pytest.mark.slow
def test_two_concurrent_crawls_one_crawls_one_skips(
    tiny: kit.TinySite, server: FixtureServer, profiles_dir: Path, db: Path
) -> None:
    # The first crawl stays busy on /a/1.htm until the second command has finished.
    release = threading.Event()
    page = tiny.site.pages["/a/1.htm"]

    def slow(_info: RequestInfo) -> Resource:
        release.wait(60)
        return page  # type: ignore[return-value]

    tiny.site.set_page("/a/1.htm", slow)
    first = subprocess.Popen(
        kit.crawl_args(server, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=kit.env(profiles_dir), cwd=kit.REPO,
    )  # fmt: skip
    try:

        def locked() -> bool:
            if not db.exists():
                return False
            with Archive(f"sqlite:///{db}") as arc:
                return bool(arc.held_locks())

        kit.wait_for(locked)
        second = kit.crawl(server, db, profiles_dir)
        release.set()
        out, err = first.communicate(timeout=60)
    finally:
        release.set()
        first.kill()
    assert second.returncode == 75, second.stdout + second.stderr
    line = next(x for x in second.stdout.splitlines() if x.startswith("tiny-news:"))
    assert line.startswith(f"tiny-news: locked (being crawled by pid {first.pid} on ")
    assert line.endswith("; skipped")
    assert first.returncode == 0, out + err
    with Archive(f"sqlite:///{db}") as arc:
        runs = arc.runs("tiny-news")
        assert [(r["status"], r["new"]) for r in runs] == [("ok", 6)]  # the skip left no run
        assert arc.held_locks() == []


def test_migration_3_adds_the_lock_table_to_an_existing_archive(db_url: str) -> None:
    with Archive(db_url) as arc, arc._write_engine.begin() as conn:
        conn.execute(text("DROP TABLE crawl_locks"))
        conn.execute(text("DELETE FROM schema_migrations WHERE version = 3"))
    with Archive(db_url) as arc:  # an archive made before locks existed is upgraded on open
        assert "crawl_locks" in arc.tables()
        assert applied_versions(arc.engine)[3] == "crawl locks"
        assert arc.acquire_lock("s").acquired
