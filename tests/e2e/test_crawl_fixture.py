"""End to end: crawl the four fixture sites over HTTP into SQLite and check what was stored.

One crawl per session (module fixture) then a second, identical crawl; assertions read the
real SQLite file through the archive library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from fixtures.server import expected_articles, special_paths
from tests.e2e.crawling import SITES, CrawlRun, crawl_sites

pytestmark = pytest.mark.slow

EXPECTED_COUNTS = {"demo-vsb": 30, "demo-webplus": 24, "demo-mirror": 18, "demo-big5": 10}


@pytest.fixture(scope="module")
def crawled(demo_sites: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("e2e") / "crawl.db"
    first = crawl_sites(demo_sites, db)
    assert first.returncode == 0, first.stdout + first.stderr
    with Archive(f"sqlite:///{db}") as arc:
        counts_after_first = arc.site_counts()
    second = crawl_sites(demo_sites, db)
    return {
        "db": db,
        "first": first,
        "second": second,
        "counts1": counts_after_first,
        "servers": demo_sites,
    }


@pytest.fixture
def arc(crawled: dict) -> Any:
    with Archive(f"sqlite:///{crawled['db']}", readonly=True) as a:
        yield a


def _url(crawled: dict, site: str, path: str) -> str:
    return crawled["servers"][site].base_url + path


def test_exact_article_counts_per_site(crawled: dict) -> None:
    counts = crawled["counts1"]
    assert {s: counts[s]["articles"] for s in SITES} == EXPECTED_COUNTS
    assert {s: len(expected_articles(s)) for s in SITES} == EXPECTED_COUNTS


def test_first_crawl_summary_lines(crawled: dict) -> None:
    first: CrawlRun = crawled["first"]
    for site, n in EXPECTED_COUNTS.items():
        s = first.summary(site)
        assert int(s["new"]) + int(s["alias"]) >= n
        assert int(s["new"]) == n


def test_recrawl_adds_nothing(crawled: dict, arc: Archive) -> None:
    second: CrawlRun = crawled["second"]
    assert second.returncode == 0, second.stdout + second.stderr
    for site, n in EXPECTED_COUNTS.items():
        s = second.summary(site)
        assert s["new"] == "0" and s["changed"] == "0", (site, s)
        assert int(s["unchanged"]) >= n, (site, s)
    counts = arc.site_counts()
    for site in SITES:
        assert counts[site]["articles"] == crawled["counts1"][site]["articles"]
        assert counts[site]["versions"] == counts[site]["articles"]


@pytest.mark.parametrize("site", SITES)
def test_every_field_of_every_article(crawled: dict, arc: Archive, site: str) -> None:
    mismatches = []
    for exp in expected_articles(site):
        got = arc.get_article(_url(crawled, site, exp["path"]))
        assert got is not None, f"{site}{exp['path']} not archived"
        v = got["version"]
        checks = {
            "title": (v["title"], exp["title"]),
            "title_norm": (v["title_norm"], exp["title_norm"]),
            "date": (v["date"], exp["date"]),
            "source": (v["source"], exp["source"]),
            "source_norm": (v["source_norm"], exp["source_norm"]),
            "body": (v["body"], "\n".join(exp["body"])),
            "body_norm": (v["body_norm"], "\n".join(exp["body_norm"])),
            "captions": ([c["text"] for c in v["captions"]], [c["text"] for c in exp["captions"]]),
            "caption_images": (
                [c["image_url"] for c in v["captions"]],
                [_url(crawled, site, c["image_url_path"]) for c in exp["captions"]],
            ),
            "captions_norm": ([c["text_norm"] for c in v["captions"]], exp["captions_norm"]),
            "credits": ([[c["role"], c["name"]] for c in v["credits"]], exp["credits"]),
            "credits_norm": (
                [[c["role_norm"], c["name_norm"]] for c in v["credits"]],
                exp["credits_norm"],
            ),
            "script": (v["script"], exp["script"]),
            "mirror": (got["mirror_artifact"], exp["mirror"]),
        }
        for name, (have, want) in checks.items():
            if have != want:
                mismatches.append(f"{exp['path']} {name}: {have!r} != {want!r}")
    assert not mismatches, "\n".join(mismatches[:20])


def test_vsb_article_exact_fields(crawled: dict, arc: Archive) -> None:
    v = arc.get_article(_url(crawled, "demo-vsb", "/info/1012/2461.htm"))["version"]
    assert v["title"] == "经济管理学院开展“践行初心使命”主题党日活动"
    assert v["date"] == "2024-04-26"
    assert v["source"] == "党委宣传部"
    assert [c["text"] for c in v["captions"]] == ["经济管理学院展台前人头攒动", "学生代表发言"]
    assert [(c["role"], c["name"]) for c in v["credits"]] == [
        ("通讯员", "王堃"),
        ("通讯员", "张祎"),
    ]
    body = v["body"].split("\n")
    assert body[0].startswith("4月26日上午，“践行初心使命”主题党日活动在图书馆报告厅举行。")
    assert body[-1].endswith("为推动学校高质量发展注入了新的动力。")


def test_captions_credits_and_junk_never_in_body(crawled: dict, arc: Archive) -> None:
    junk = ("上一篇", "下一篇", "相关新闻", "版权所有", "首页", "上一條", "下一條", "相關新聞")
    for site in SITES:
        for exp in expected_articles(site):
            v = arc.get_article(_url(crawled, site, exp["path"]))["version"]
            for c in v["captions"]:
                assert c["text"] not in v["body"], (exp["path"], c["text"])
            for c in v["credits"]:
                assert f"{c['role']}：{c['name']}" not in v["body"], (exp["path"], c)
                assert f"{c['role']}:{c['name']}" not in v["body"], (exp["path"], c)
            for j in junk:
                assert j not in v["body"], (exp["path"], j)


def test_same_article_under_two_urls_is_one_article_with_an_alias(
    crawled: dict, arc: Archive
) -> None:
    alias = special_paths("demo-vsb")["alias"]
    canonical = arc.get_article(_url(crawled, "demo-vsb", alias["canonical"]))
    via_alias = arc.get_article(_url(crawled, "demo-vsb", alias["alias"]))
    assert canonical is not None and via_alias is not None
    assert via_alias["id"] == canonical["id"]
    assert _url(crawled, "demo-vsb", alias["alias"]) in canonical["urls"]
    assert canonical["version_count"] == 1


def test_redirect_source_kept_as_alias(crawled: dict, arc: Archive) -> None:
    redirect = special_paths("demo-webplus")["redirect"]
    target = arc.get_article(_url(crawled, "demo-webplus", redirect["to"]))
    assert target is not None
    assert _url(crawled, "demo-webplus", redirect["from"]) in target["urls"]


def test_listing_item_that_404s_is_a_recorded_failure(crawled: dict, arc: Archive) -> None:
    missing = _url(crawled, "demo-webplus", special_paths("demo-webplus")["listing_404"])
    rows = [f for f in arc.failures("demo-webplus") if f["url"] == missing]
    assert len(rows) == 1
    assert rows[0]["reason"] == "http_error" and rows[0]["http_status"] == 404
    assert rows[0]["attempts"] == 2  # once per crawl
    assert arc.get_article(missing) is None


def test_article_listed_twice_is_stored_once(crawled: dict, arc: Archive) -> None:
    url = _url(crawled, "demo-vsb", special_paths("demo-vsb")["double_listed"])
    art = arc.get_article(url)
    assert art is not None and art["version_count"] == 1
    assert len(arc.captures_for_url(url)) == 2  # one fetch per crawl, not one per listing


def test_page_without_a_date(crawled: dict, arc: Archive) -> None:
    for path in special_paths("demo-mirror")["no_date"]:
        v = arc.get_article(_url(crawled, "demo-mirror", path))["version"]
        assert v["date"] is None
        assert v["title"]


def test_mislabeled_page_decoded_by_its_bytes(crawled: dict, arc: Archive) -> None:
    url = _url(crawled, "demo-vsb", special_paths("demo-vsb")["mislabeled_utf8"])
    first = arc.captures_for_url(url)[0]
    assert first["encoding"] == "utf-8"
    assert first["declared_charset"] in ("gb2312", "gb18030")
    assert first["encoding_contradicted"] is True or first["encoding_contradicted"] == 1


def test_gbk_only_names_survive(crawled: dict, arc: Archive) -> None:
    """Names outside GB2312 (declared) but inside GBK (sent) come through intact."""
    from sqlalchemy import text

    with arc.session() as s:
        credits = {r[0] for r in s.execute(text("SELECT name FROM credits"))}
        bodies = "\n".join(r[0] for r in s.execute(text("SELECT body FROM versions")))
    names = special_paths("demo-vsb")["gbk_only_names"]
    assert {"王堃", "张祎", "刘珺"} <= credits
    assert all(name in bodies or name in credits for name in names)
    assert "\ufffd" not in bodies


def test_db_is_wal_and_sound(crawled: dict) -> None:
    import sqlite3

    con = sqlite3.connect(crawled["db"])
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def test_runs_recorded(arc: Archive) -> None:
    runs = arc.runs()
    assert sorted(r["site"] for r in runs) == sorted(SITES * 2)
    assert {r["status"] for r in runs} == {"ok"}


def test_db_file_exists(crawled: dict) -> None:
    assert Path(crawled["db"]).stat().st_size > 0
