"""What the crawler owes a site, checked in the server's own request log: versions and 304
revisits, robots.txt (Disallow, Crawl-delay), 429 Retry-After, a User-Agent with a contact."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from archive import Archive
from fixtures.server import FixtureServer, RequestInfo, Resource
from tests.ops import kit

pytestmark = pytest.mark.slow
CONTACT = "mailto:newsarchive@example.edu.cn"


def test_changed_page_new_version_unchanged_page_304_revisit(
    tiny: kit.TinySite, server: FixtureServer, profiles_dir: Path, db: Path
) -> None:
    first = kit.crawl(server, db, profiles_dir, CAMPUSNEWS_CONTACT=CONTACT)
    assert first.returncode == 0, first.stdout + first.stderr
    assert {r.headers.get("User-Agent") for r in server.requests} == {
        f"campusnews/0.1.0 (+{CONTACT})"
    }
    old_body = tiny.articles[0].paragraphs[:]
    tiny.articles[0].paragraphs.append("（更正）活动时间改为下午三点。")  # article 6 changes
    tiny.render()
    tiny.site.set_page("/a/6.htm", Resource(tiny.article_html(tiny.articles[0])))
    server.clear_requests()
    second = kit.crawl(server, db, profiles_dir)
    assert second.returncode == 0, second.stdout + second.stderr
    s = second.summary()
    assert (s["new"], s["changed"], s["unchanged"]) == ("0", "1", "5")
    by_path = {r.path: r for r in server.requests}
    assert by_path["/a/6.htm"].status == 200
    for n in range(1, 6):  # conditional GET answered 304
        r = by_path[f"/a/{n}.htm"]
        assert "If-None-Match" in r.headers and r.status == 304, r
    with Archive(f"sqlite:///{db}") as arc:
        changed = arc.get_article(f"{server.base_url}/a/6.htm")
        assert changed is not None and changed["version_count"] == 2
        v1, v2 = arc.versions(changed["id"])
        assert v1["body"] == "\n".join(old_body)
        assert v2["body"] == "\n".join(tiny.articles[0].paragraphs)
        same = arc.get_article(f"{server.base_url}/a/1.htm")
        assert same is not None and same["version_count"] == 1
        caps = arc.captures_for_url(f"{server.base_url}/a/1.htm")
        assert [(c["status"], c["revisit_profile"]) for c in caps] == [
            (200, None), (304, "server-not-modified"),
        ]  # fmt: skip
        assert caps[1]["refers_to_capture_id"] == caps[0]["id"]
        assert caps[1]["payload_digest"] == caps[0]["payload_digest"]


def test_robots_disallow_and_crawl_delay(profiles_dir: Path, db: Path) -> None:
    tiny = kit.tiny_site(
        3, per_page=3, robots="User-agent: *\nDisallow: /a/2.htm\nCrawl-delay: 1\n"
    )
    server = kit.serve(tiny)
    base = server.base_url
    try:
        run = kit.crawl(server, db, profiles_dir)
    finally:
        server.stop()
    assert run.returncode == 0, run.stdout + run.stderr
    assert kit.paths(server)[:2] == ["/robots.txt", "/news/list.htm"]
    assert sorted(kit.paths(server)[2:]) == ["/a/1.htm", "/a/3.htm"]  # never /a/2.htm
    times = [r.time for r in server.requests[1:]]  # after robots.txt was read
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 2 and min(gaps) >= 0.95, gaps  # 1 s, less clock jitter
    with Archive(f"sqlite:///{db}") as arc:
        [f] = arc.failures("tiny-news")
        assert (f["url"], f["reason"], f["attempts"]) == (
            f"{base}/a/2.htm", "robots", 1,
        )  # fmt: skip
        assert f["detail"] == "Forbidden by robots.txt"


def test_429_retry_after_is_waited_for(
    tiny: kit.TinySite, server: FixtureServer, profiles_dir: Path, db: Path
) -> None:
    page = tiny.site.pages["/a/3.htm"]
    calls = []

    def busy_once(info: RequestInfo) -> Resource:
        calls.append(info.time)
        if len(calls) == 1:
            return Resource(b"slow down", status=429, headers={"Retry-After": "1"})
        return page  # type: ignore[return-value]

    tiny.site.set_page("/a/3.htm", busy_once)
    run = kit.crawl(server, db, profiles_dir)
    assert run.returncode == 0, run.stdout + run.stderr
    statuses = [r.status for r in server.requests if r.path == "/a/3.htm"]
    assert statuses == [429, 200]
    assert calls[1] - calls[0] >= 0.95, calls
    assert run.summary()["new"] == "6" and run.summary()["failed"] == "0"
    with Archive(f"sqlite:///{db}") as arc:
        assert arc.failures() == []
