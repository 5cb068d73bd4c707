"""Runs, failures, migrations, integrity and opening modes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from archive import Archive
from archive.migrations import MIGRATIONS, applied_versions, current_version
from archive.schema import Base, Run, SchemaMigration
from tests.archive.archive_factories import SITE, article

URL = "https://news.demo.edu.cn/info/1001/9.htm"


def test_failures_count_attempts_and_clear(archive: Archive) -> None:
    archive.record_failure(SITE, URL, "http", "503 Service Unavailable", http_status=503)
    archive.record_failure(SITE, URL, "extract", "no title")
    archive.record_failure(None, "https://x/1", "dns")
    (f,) = archive.failures(SITE)
    assert (f["attempts"], f["reason"], f["detail"], f["http_status"]) == (
        2,
        "extract",
        "no title",
        None,
    )
    assert f["first_at"] < f["last_at"]
    assert f["resolved_at"] is None
    assert archive.site_counts()[SITE]["failures"] == 1
    assert archive.clear_failure(URL) is True
    assert archive.clear_failure(URL) is False
    assert archive.clear_failure("https://never/") is False
    assert archive.failures(SITE) == []
    (resolved,) = archive.failures(SITE, include_resolved=True)
    assert resolved["resolved_at"] is not None and resolved["attempts"] == 2
    # failing again reopens it and keeps counting
    archive.record_failure(SITE, URL, "http", "404", http_status=404)
    (again,) = archive.failures(SITE)
    assert (again["attempts"], again["resolved_at"], again["http_status"]) == (3, None, 404)
    assert len(archive.failures()) == 2


def test_runs_finish_and_list(archive: Archive) -> None:
    r1 = archive.start_run(SITE, "full")
    r2 = archive.start_run("other", "incremental")
    counts = {"pages": 10, "new": 4, "changed": 1, "unchanged": 3, "alias": 1, "failed": 1}
    archive.finish_run(r1, "ok", {**counts, "captions": 7}, stats={"elapsed": 1.5}, alerts=["x"])
    runs = archive.runs()
    assert [r["id"] for r in runs] == [r2, r1]
    done = archive.runs(SITE)[0]
    assert {k: done[k] for k in counts} == counts
    assert done["status"] == "ok"
    assert done["stats"] == {"elapsed": 1.5, "counts": {"captions": 7}}
    assert done["alerts"] == ["x"]
    assert done["finished_at"] >= done["started_at"]
    assert archive.runs("other")[0]["status"] == "running"
    with pytest.raises(ValueError, match="run status"):
        archive.finish_run(r2, "done", {})
    with pytest.raises(ValueError, match="no run"):
        archive.finish_run(9999, "ok", {})


def test_mark_stale_runs(archive: Archive) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    live = archive.start_run(SITE, "full")
    stale = archive.start_run(SITE, "full")
    other_site = archive.start_run("other", "full")
    with archive.session() as s, s.begin():
        s.execute(update(Run).where(Run.id.in_([stale, other_site])).values(pid=dead_pid))
    assert archive.mark_stale_runs(SITE) == 1
    assert archive.mark_stale_runs() == 1
    assert archive.mark_stale_runs() == 0
    status = {r["id"]: r["status"] for r in archive.runs()}
    assert status == {live: "running", stale: "interrupted", other_site: "interrupted"}


def test_migrations_idempotent(db_url: str) -> None:
    with Archive(db_url) as first:
        tables = first.tables()
        assert {
            "runs",
            "payloads",
            "captures",
            "articles",
            "article_urls",
            "versions",
            "captions",
            "credits",
            "failures",
            "schema_migrations",
        } <= set(tables)
        first.store_article(article(1))
    with Archive(db_url) as second:
        assert second.tables() == tables
        assert second.get_article(article(1).url) is not None
        with second.session() as s:
            rows = s.execute(select(SchemaMigration.version, SchemaMigration.name)).all()
            n = s.scalar(select(func.count()).select_from(SchemaMigration))
    assert [tuple(r) for r in rows] == [(v, name) for v, name, _ in MIGRATIONS]
    assert n == len(MIGRATIONS)
    with Archive(db_url) as third:
        assert applied_versions(third.engine) == {v: name for v, name, _ in MIGRATIONS}
        assert current_version(third.engine) == len(MIGRATIONS)
        assert third.integrity_check() == "ok"


def test_create_false_does_not_migrate(db_url: str) -> None:
    with Archive(db_url, create=False) as arc:
        assert arc.tables() == []
        assert current_version(arc.engine) == 0


def test_readonly_refuses_writes(db_url: str) -> None:
    Archive(db_url).close()
    with Archive(db_url, readonly=True) as ro:
        assert ro.runs() == []
        with pytest.raises(SQLAlchemyError):
            ro.start_run(SITE, "full")


def test_sqlite_is_wal_with_foreign_keys(tmp_path: Path) -> None:
    with Archive(f"sqlite:///{tmp_path / 'a.db'}") as arc, arc.engine.connect() as conn:
        assert arc.dialect == "sqlite"
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert arc.integrity_check() == "ok"


def test_integrity_check_reports_broken_pointer(archive: Archive) -> None:
    aid = archive.store_article(article(1)).article_id
    with archive.session() as s, s.begin():
        s.execute(update(Base.metadata.tables["articles"]).values(version_count=5))
    assert archive.integrity_check() == f"article {aid}: version_count is wrong"
