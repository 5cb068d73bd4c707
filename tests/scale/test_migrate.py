"""``campusnews migrate-archive``: SQLite → PostgreSQL with every row intact, and ``db``.

The source archive is built with the archive library (several runs, captures with shared
payloads and revisits, articles with two versions, an alias, a failure): the copy must compare
equal table by table, search the same, and keep taking writes (sequences moved past the ids).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text, update

from archive import Archive
from archive.migrate import MigrateError, compare_archives, copy_archive
from archive.migrations import MIGRATIONS
from archive.schema import Version
from archive.search import search
from campusnews.cli import (
    cli,
    commands,  # noqa: F401 (registers the subcommands)
)
from tests.archive import archive_factories as f
from tests.archive.conftest import db_url  # noqa: F401 (a fixture, used by name)

ARTICLES = 12
LATEST = max(v for v, _, _ in MIGRATIONS)


def build_source(url: str) -> None:
    """An archive with two runs, 12 articles (2 changed, 1 alias), a failure, a revisit."""
    with Archive(url) as arc:
        run1 = arc.start_run(f.SITE, "full")
        for n in range(1, ARTICLES + 1):
            a = f.article(n)
            cap = arc.record_capture(f.capture(a.url, f"<html>{n}</html>".encode(), run_id=run1))
            arc.store_article(a, cap.capture_id, run1)
        arc.record_failure(f.SITE, "https://news.demo.edu.cn/info/1001/404.htm", "http_404",
                           "Not Found", run_id=run1, http_status=404)  # fmt: skip
        arc.finish_run(run1, "ok", {"pages": ARTICLES, "new": ARTICLES, "failed": 1})
        run2 = arc.start_run(f.SITE, "full")
        for n in (1, 2):  # changed text: a second version
            a = f.article(n, body=f"更新的正文{n}。", body_norm=f"更新的正文{n}。")
            cap = arc.record_capture(f.capture(a.url, f"<html>v2 {n}</html>".encode(),
                                               minutes=60, run_id=run2))  # fmt: skip
            arc.store_article(a, cap.capture_id, run2)
        # Same bytes again: an identical-payload revisit sharing the payload row.
        arc.record_capture(f.capture(f.article(3).url, b"<html>3</html>", minutes=61, run_id=run2))
        alias = replace(f.article(4), url="https://news.demo.edu.cn/content.jsp?id=4")
        arc.store_article(alias, None, run2)
        arc.finish_run(run2, "ok", {"pages": 3, "changed": 2, "alias": 1})


@pytest.fixture
def source(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    build_source(url)
    return url


@pytest.mark.postgres
def test_sqlite_to_postgresql_compares_equal(source: str, pg_url: str) -> None:
    result = CliRunner().invoke(cli, ["migrate-archive", source.removeprefix("sqlite:///"), pg_url])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["table", "source", "copied", "digest", "result"]
    rows = {ln.split()[0]: ln.split() for ln in lines[1:] if ln.split()[-1] in ("ok", "MISMATCH")}
    assert sorted(rows) == sorted(
        ["articles", "payloads", "runs", "article_urls", "captures", "failures", "versions",
         "captions", "credits"]
    )  # fmt: skip
    assert {k: (int(r[1]), int(r[2]), r[-1]) for k, r in rows.items()} == {
        "articles": (12, 12, "ok"),
        "article_urls": (13, 13, "ok"),
        "versions": (14, 14, "ok"),
        "captions": (14, 14, "ok"),
        "credits": (28, 28, "ok"),
        "runs": (2, 2, "ok"),
        "captures": (15, 15, "ok"),
        "payloads": (14, 14, "ok"),
        "failures": (1, 1, "ok"),
    }
    assert "search index: 12 articles indexed" in result.stdout
    assert all(c.ok for c in compare_archives(source, pg_url))


@pytest.mark.postgres
def test_copy_searches_alike_and_keeps_taking_writes(source: str, pg_url: str) -> None:
    copy_archive(source, pg_url)
    with Archive(source, readonly=True) as a, Archive(pg_url) as b:
        for query in ("论坛", "學術論壇", "更新", "学者 -论坛3"):
            hits = [{(h.url, h.title) for h in search(x, query, limit=100).hits} for x in (a, b)]
            assert hits[1] == hits[0] and hits[0], query
        with b.engine.connect() as conn:
            next_ids = {
                t: conn.execute(text(f"SELECT max(id) FROM {t}")).scalar_one()
                for t in ("runs", "articles", "versions", "captures", "failures")
            }
        # New rows get ids after the copied ones: the sequences were moved.
        assert b.start_run(f.SITE, "full") == next_ids["runs"] + 1
        cap = b.record_capture(f.capture(f.article(99).url, b"<html>99</html>", minutes=90))
        assert cap.capture_id == next_ids["captures"] + 1
        stored = b.store_article(f.article(99), cap.capture_id, None)
        assert stored.outcome == "new"
        assert stored.article_id == next_ids["articles"] + 1


@pytest.mark.postgres
def test_a_changed_copy_is_a_mismatch(source: str, pg_url: str) -> None:
    copy_archive(source, pg_url)
    with Archive(pg_url) as b, b.engine.begin() as conn:
        conn.execute(update(Version).where(Version.id == 1).values(title="篡改"))
    bad = [c.table for c in compare_archives(source, pg_url) if not c.ok]
    assert bad == ["versions"]


def test_refuses_a_destination_with_rows(source: str, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    build_source(other)
    with pytest.raises(MigrateError, match="not empty"):
        copy_archive(source, other)
    result = CliRunner().invoke(cli, ["migrate-archive", source, other])
    assert result.exit_code == 1
    assert "destination is not empty" in result.output


def test_db_upgrade_then_status(db_url: str) -> None:  # noqa: F811
    runner = CliRunner()
    first = runner.invoke(cli, ["db", "upgrade", "--db", db_url])
    assert first.exit_code == 0, first.output
    assert "applied 1: base schema" in first.stdout
    assert first.stdout.splitlines()[-1] == f"schema version {LATEST}"
    again = runner.invoke(cli, ["db", "upgrade", "--db", db_url])
    assert again.stdout.splitlines()[-1] == f"schema version {LATEST} (already up to date)"
    status = runner.invoke(cli, ["db", "status"], env={"CAMPUSNEWS_DB": db_url})
    assert status.exit_code == 0, status.output
    assert f"schema version {LATEST}; 0 pending" in status.stdout


def test_db_status_of_a_blank_database_says_pending(tmp_path: Path) -> None:
    blank = tmp_path / "blank.db"
    result = CliRunner().invoke(cli, ["db", "status", "--db", str(blank)])
    assert result.exit_code == 1
    assert f"schema version 0; {len(MIGRATIONS)} pending" in result.stdout
