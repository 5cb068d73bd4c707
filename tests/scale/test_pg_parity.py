"""The same crawl into SQLite and into PostgreSQL stores the same archive.

The four fixture sites are crawled over HTTP by real ``campusnews crawl`` processes, into a
SQLite file and into a PostgreSQL schema at the same time; one article is then edited on the
site and crawled again into both. Article counts, every field, search results (same result
sets for the same queries and filters), export, history and runs must agree.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from archive.export import export_rows
from archive.search import search
from fixtures.server import Resource, expected_articles, serve_sites
from tests.e2e.crawling import SITES
from tests.scale.conftest import new_pg_schema
from tests.scale.crawls import crawl_args, finish, start

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

EXPECTED_COUNTS = {"demo-vsb": 30, "demo-webplus": 24, "demo-mirror": 18, "demo-big5": 10}
QUERIES: list[tuple[str | None, dict[str, Any]]] = [
    ("大学", {}),
    ("学院", {}),
    ("學院", {}),  # Traditional input finds Simplified text
    ("研究生", {"site": "demo-vsb"}),
    ("学术 OR 论坛", {}),
    ("学院 -研究生", {}),
    ('"学术交流"', {}),
    ("会", {}),  # one character: the prefix index / re-check path
    (None, {"site": "demo-big5"}),
    (None, {"since": "2024-03-01", "until": "2024-03-31"}),
    ("学生", {"since": "2024-01-01"}),
]
EDITED = "demo-vsb"
# Fields of an article that do not depend on the backend, the clock or insertion order.
VOLATILE = {"id", "first_seen", "last_seen", "latest_version_id", "capture_id", "run_id",
            "created_at", "version_id", "article_id", "fetched_at"}  # fmt: skip


@pytest.fixture(scope="module")
def crawled(pg_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    servers = serve_sites()
    sqlite = f"sqlite:///{tmp_path_factory.mktemp('parity') / 'archive.db'}"
    pg = new_pg_schema(pg_database_url)
    try:
        runs = [start(*crawl_args(servers, db, SITES)) for db in (sqlite, pg)]
        first = [finish(p) for p in runs]
        # Edit one article on the site and crawl that site again: a second version.
        path = expected_articles(EDITED)[0]["path"]
        site = servers[EDITED].site
        old = site.pages[path]
        assert isinstance(old, Resource)
        edited = old.body.replace(b"</h1>", "（修订）</h1>".encode("gb18030"))
        site.set_page(path, Resource(edited, old.status, dict(old.headers)))
        runs = [start(*crawl_args(servers, db, (EDITED,))) for db in (sqlite, pg)]
        second = [finish(p) for p in runs]
        yield {"sqlite": sqlite, "pg": pg, "first": first, "second": second,
               "edited": servers[EDITED].base_url + path}  # fmt: skip
    finally:
        for s in servers.values():
            s.stop()


@pytest.fixture(scope="module")
def both(crawled: Any) -> Any:
    arcs = [Archive(crawled[k], readonly=True) for k in ("sqlite", "pg")]
    yield arcs
    for a in arcs:
        a.close()


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _articles(arc: Archive) -> dict[str, Any]:
    out = {}
    for article_id in arc.latest_article_ids():
        art = arc.get_article(article_id)
        assert art is not None
        out[art["url"]] = _strip(art)
    return out


def test_both_crawls_succeeded(crawled: Any) -> None:
    for run in crawled["first"] + crawled["second"]:
        assert run.returncode == 0, run.stdout + run.stderr


def test_equal_article_counts(both: list[Archive]) -> None:
    sq, pg = (a.site_counts() for a in both)
    assert {s: sq[s]["articles"] for s in SITES} == EXPECTED_COUNTS
    assert pg == sq


def test_equal_field_values(both: list[Archive]) -> None:
    sq, pg = (_articles(a) for a in both)
    assert len(sq) == sum(EXPECTED_COUNTS.values())
    assert sorted(pg) == sorted(sq)
    for url, art in sq.items():
        differing = {k: (v, pg[url]["version"].get(k)) for k, v in art["version"].items()
                     if pg[url]["version"].get(k) != v}  # fmt: skip
        assert differing == {}, url
        assert pg[url] == art, url


@pytest.mark.parametrize(("query", "filters"), QUERIES, ids=lambda x: str(x))
def test_equal_search_results(both: list[Archive], query: str | None, filters: dict) -> None:
    pages = [search(a, query, limit=1000, sort="date", **filters) for a in both]
    sq, pg = ({h.url for h in p.hits} for p in pages)
    assert pages[1].total == pages[0].total == len(sq)
    assert pg == sq
    assert sq, "every query here matches something"


def test_equal_export(both: list[Archive]) -> None:
    outs = []
    for arc in both:
        buf = io.StringIO()
        n = export_rows(arc, "jsonl", buf)
        assert n == sum(EXPECTED_COUNTS.values())
        rows = [json.loads(line) for line in buf.getvalue().splitlines()]
        outs.append(sorted((_strip({k: v for k, v in r.items()}) for r in rows),
                           key=lambda r: r["url"]))  # fmt: skip
    assert outs[1] == outs[0]


def test_equal_history_of_edited_article(both: list[Archive], crawled: Any) -> None:
    histories = []
    for arc in both:
        article_id = arc.article_id_for_url(crawled["edited"])
        assert article_id is not None
        versions = arc.versions(article_id)
        assert [v["seq"] for v in versions] == [1, 2]
        assert versions[1]["title"].endswith("（修订）")
        histories.append((_strip(versions), arc.diff_versions(article_id, 1, 2)))
    assert histories[1] == histories[0]


def test_equal_runs(both: list[Archive]) -> None:
    keys = ("site", "mode", "status", "pages", "new", "changed", "unchanged", "alias", "failed")
    sq, pg = (sorted(tuple(r[k] for k in keys) for r in a.runs()) for a in both)
    assert pg == sq
    assert sorted(r[0] for r in sq) == sorted([*SITES, EDITED])
    assert {r[2] for r in sq} == {"ok"}


def test_equal_failures(both: list[Archive]) -> None:
    sq, pg = (sorted((f["url"], f["reason"], f["http_status"]) for f in a.failures()) for a in both)
    assert pg == sq


def test_database_is_really_postgresql(both: list[Archive], crawled: Any) -> None:
    assert [a.dialect for a in both] == ["sqlite", "postgresql"]
    assert Path(crawled["sqlite"].removeprefix("sqlite:///")).is_file()
