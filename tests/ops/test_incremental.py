"""Incremental crawls over the demo-vsb fixture site: exact request counts from the server log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import Archive
from fixtures.server import FixtureServer, Resource, build_sites, expected_articles
from tests.ops import kit

SITE = "demo-vsb"
FIRST_LISTINGS = ["/xwzx/xxyw.htm", "/xwzx/zhxw.htm"]
# Full crawl: robots.txt + 6 listing pages + 30 articles + the alias URL of one of them.
FULL_REQUESTS = 38
TEMPLATE_PATH = "/info/1012/2461.htm"  # an article to copy for the two new ones
NEW_PATHS = ["/info/1012/2470.htm", "/info/1012/2471.htm"]

pytestmark = pytest.mark.slow


@pytest.fixture
def vsb() -> Iterator[FixtureServer]:
    srv = FixtureServer(build_sites()[SITE]).start()
    try:
        yield srv
    finally:
        srv.stop()


def _crawl(srv: FixtureServer, db: Path, *extra: str) -> kit.CrawlRun:
    args = kit.command("crawl", SITE, "--base-url", srv.base_url, "--db", str(db), *extra)
    srv.clear_requests()
    return kit.run(args, Path("/nonexistent"))


def _publish_two(srv: FixtureServer) -> list[str]:
    """Two new articles in the site's own template, listed first on 学校要闻 page 1."""
    exp = {e["path"]: e for e in expected_articles(SITE)}[TEMPLATE_PATH]
    page = srv.site.pages[TEMPLATE_PATH]
    assert isinstance(page, Resource)
    html = page.body.decode("gb18030")
    titles = []
    for i, path in enumerate(NEW_PATHS):
        title = f"我校举行第{i + 1}届校园开放日活动"
        new = html.replace(exp["title"], title).replace(
            exp["body"][0], f"新增第{i + 1}篇：{title}。"
        )
        srv.site.set_page(path, Resource(new.encode("gb18030")))
        titles.append(title)
    listing = srv.site.pages[FIRST_LISTINGS[0]]
    assert isinstance(listing, Resource)
    text = listing.body.decode("gb18030")
    items = "".join(
        f'<li><span>2024-04-28</span><a href="..{p}" target="_blank" title="{t}">{t}</a></li>\n'
        for p, t in zip(NEW_PATHS, titles, strict=True)
    )
    text = text.replace('<ul class="newsList">\n', '<ul class="newsList">\n' + items, 1)
    srv.site.set_page(FIRST_LISTINGS[0], Resource(text.encode("gb18030")))
    return titles


def test_incremental_fetches_listing_heads_then_only_new_articles(
    vsb: FixtureServer, tmp_path: Path
) -> None:
    db = tmp_path / "vsb.db"
    full = _crawl(vsb, db)
    assert full.returncode == 0, full.stdout + full.stderr
    assert len(vsb.requests) == FULL_REQUESTS
    assert full.summary(SITE)["new"] == "30"

    # Nothing changed: robots.txt and the first page of each column, nothing else.
    quiet = _crawl(vsb, db, "--incremental")
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert sorted(kit.paths(vsb)) == sorted(["/robots.txt", *FIRST_LISTINGS])
    assert quiet.summary(SITE) == {
        "status": "ok", "pages": "2", "new": "0", "changed": "0", "unchanged": "0",
        "alias": "0", "failed": "0", "captions": "0", "credits": "0",
    }  # fmt: skip

    # Two new articles on 学校要闻 page 1: that page had news, so page 2 is read too (where
    # paging stops); exactly the two new articles are fetched and archived.
    titles = _publish_two(vsb)
    fresh = _crawl(vsb, db, "--incremental")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert sorted(kit.paths(vsb)) == sorted(
        ["/robots.txt", *FIRST_LISTINGS, "/xwzx/xxyw/2.htm", *NEW_PATHS]
    )
    assert fresh.summary(SITE)["new"] == "2"
    with Archive(f"sqlite:///{db}") as arc:
        assert arc.site_counts()[SITE]["articles"] == 32
        got = [arc.get_article(vsb.base_url + p) for p in NEW_PATHS]
        assert [g["version"]["title"] for g in got if g] == titles
        modes = [(r["mode"], r["status"], r["new"]) for r in arc.runs(SITE)]
    assert modes == [("incremental", "ok", 2), ("incremental", "ok", 0), ("full", "ok", 30)]
