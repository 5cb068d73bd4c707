"""The four sites' shape: columns, listing pages, counts, charsets, the special cases."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from parsel import Selector

from campusnews.profiles import BUILTIN_DIR, Profile, load_profile_file, to_xpath
from fixtures.server import SITE_KEYS, Site, expected_articles, listing_paths, special_paths
from tests.fixtures_site._helpers import decode, fetch

ARTICLES = {"demo-vsb": 30, "demo-webplus": 24, "demo-mirror": 18, "demo-big5": 10}
COLUMNS = {"demo-vsb": 2, "demo-webplus": 2, "demo-mirror": 2, "demo-big5": 1}
META_CHARSET = re.compile(rb"<meta[^>]*charset=\"?([\w-]+)", re.I)
DATE_LIKE = re.compile(r"\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}|\d{1,2}月\d{1,2}日|\d{2}-\d{2}")


def profile(key: str) -> Profile:
    return load_profile_file(BUILTIN_DIR / f"{key}.toml")


def test_totals() -> None:
    counts = {k: len(expected_articles(k)) for k in SITE_KEYS}
    assert counts == ARTICLES
    assert sum(counts.values()) >= 60
    paths = [a["path"] for k in SITE_KEYS for a in expected_articles(k)]
    assert len(paths) == len(set(paths))
    titles = [a["title_norm"] for k in SITE_KEYS for a in expected_articles(k)]
    assert len(titles) == len(set(titles))


@pytest.mark.parametrize("key", SITE_KEYS)
def test_columns_have_three_or_more_listing_pages(key: str) -> None:
    listings = listing_paths(key)
    assert len(listings) == COLUMNS[key]
    assert all(len(pages) >= 3 for pages in listings.values())
    assert list(listings) == list(profile(key).start_urls)


def _links(html: str, selector: str) -> list[str]:
    sel = Selector(text=html)
    return [
        h
        for h in sel.xpath(to_xpath(selector)).xpath("@href").getall()
        if not h.startswith("javascript:")
    ]


def _crawl_listings(base: str, key: str) -> tuple[dict[str, list[str]], list[str]]:
    """Follow the profile's next_page links from each start URL; collect article link paths."""
    prof = profile(key)
    seen_pages: dict[str, list[str]] = {}
    article_links: list[str] = []
    for start in prof.start_urls:
        queue, seen = [start], seen_pages.setdefault(start, [])
        while queue:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.append(path)
            got = fetch(base + path)
            assert got.status == 200, path
            html = got.body.decode(
                "gb18030"
                if key in ("demo-vsb", "demo-mirror")
                else "utf-8"
                if key == "demo-webplus"
                else "big5"
            )
            url = base + path
            for href in _links(html, prof.listing.article_links):
                article_links.append(urljoin(url, href)[len(base) :])
            for href in _links(html, prof.listing.next_page):
                queue.append(urljoin(url, href)[len(base) :])
    return seen_pages, article_links


@pytest.mark.parametrize("key", SITE_KEYS)
def test_profile_listing_selectors_reach_every_page_and_article(served: dict, key: str) -> None:
    base = served[key].base_url
    pages, links = _crawl_listings(base, key)
    assert {s: sorted(p) for s, p in pages.items()} == {
        s: sorted(p) for s, p in listing_paths(key).items()
    }
    expected = {a["path"] for a in expected_articles(key)}
    reachable = set()
    for link in links:
        got = fetch(base + link)
        if got.status in (301, 302):
            link = got.headers["Location"]
            got = fetch(base + link)
        if got.status == 200:
            canonical = next(
                a["path"] for a in expected_articles(key) if link in [a["path"], *a["aliases"]]
            )
            reachable.add(canonical)
    assert reachable == expected


def test_vsb_special_cases(served: dict, sites: dict[str, Site]) -> None:
    sp = special_paths("demo-vsb")
    arts = {a["path"]: a for a in expected_articles("demo-vsb")}
    assert sp["double_listed"] in arts
    assert arts[sp["double_listed"]]["listed_on"] == ["/xwzx/xxyw.htm", "/xwzx/xxyw/2.htm"]
    pages = sites["demo-vsb"].pages
    assert pages[sp["alias"]["alias"]].body == pages[sp["alias"]["canonical"]].body
    assert arts[sp["alias"]["canonical"]]["aliases"] == [sp["alias"]["alias"]]
    assert sp["alias"]["alias"].startswith(
        "/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1012&wbnewsid="
    )
    # The listing page of the other column links the alias (escaped as &amp; in the HTML).
    zhxw = "".join(
        pages[p].body.decode("gb18030") for p in listing_paths("demo-vsb")["/xwzx/zhxw.htm"]
    )
    assert sp["alias"]["alias"].replace("&", "&amp;").removeprefix("/") in zhxw
    assert listing_paths("demo-vsb")["/xwzx/xxyw.htm"] == [
        "/xwzx/xxyw.htm",
        "/xwzx/xxyw/2.htm",
        "/xwzx/xxyw/1.htm",
    ]


def test_vsb_bytes_are_gb18030_declared_gb2312(sites: dict[str, Site]) -> None:
    sp = special_paths("demo-vsb")
    for a in expected_articles("demo-vsb"):
        body = sites["demo-vsb"].pages[a["path"]].body
        assert META_CHARSET.findall(body) == [b"gb2312"]
        if a["path"] == sp["mislabeled_utf8"]:
            assert a["encoding"] == "utf-8"
            body.decode("utf-8")
            continue
        text = body.decode("gb18030")
        names = [n for n in sp["gbk_only_names"] if n in text]
        if names:  # strict gb2312 cannot read these pages: the declaration must be widened
            with pytest.raises(UnicodeDecodeError):
                body.decode("gb2312")
    assert sorted(sp["gbk_only_names"]) == sorted(["王堃", "李玥", "张祎", "刘珺"])


@pytest.mark.parametrize(
    ("key", "declared", "codec"),
    [
        ("demo-webplus", b"utf-8", "utf-8"),
        ("demo-mirror", b"gb2312", "gb18030"),
        ("demo-big5", b"big5", "big5"),
    ],
)
def test_declared_charsets_and_real_bytes(
    sites: dict[str, Site], key: str, declared: bytes, codec: str
) -> None:
    for path, res in sites[key].pages.items():
        if res.status != 200 or res.headers.get("Content-Type", "text/html") != "text/html":
            continue
        assert META_CHARSET.findall(res.body) == [declared], path
        res.body.decode(codec)


def test_webplus_special_cases(sites: dict[str, Site]) -> None:
    sp = special_paths("demo-webplus")
    pages = sites["demo-webplus"].pages
    assert sp["listing_404"] not in pages
    lists = "".join(
        pages[p].body.decode() for ps in listing_paths("demo-webplus").values() for p in ps
    )
    assert f"href='{sp['listing_404']}'" in lists
    assert f"href='{sp['redirect']['from']}'" in lists
    assert f"href='{sp['redirect']['to']}'" not in lists  # reachable only through the redirect
    target = next(a for a in expected_articles("demo-webplus") if a["path"] == sp["redirect"]["to"])
    assert target["redirect_from"] == [sp["redirect"]["from"]]
    for last in sp["last_page_next_is_javascript"]:
        assert '<a class="next" href="javascript:void(0);"' in pages[last].body.decode()


def test_mirror_no_date_page_prints_no_date(sites: dict[str, Site]) -> None:
    (path,) = special_paths("demo-mirror")["no_date"]
    art = next(a for a in expected_articles("demo-mirror") if a["path"] == path)
    assert art["date"] is None
    html = decode(sites["demo-mirror"].pages[path].body, "gbk")
    sel = Selector(text=html)
    main = "".join(sel.css("div.viewbox").xpath(".//text()").getall())
    assert DATE_LIKE.findall(main) == []
    assert "時間:" not in main


def test_mirror_has_islands_and_big5_has_both_date_styles() -> None:
    assert len(special_paths("demo-mirror")["islands"]) >= 3
    raws = {a["date_raw"] for a in expected_articles("demo-big5")}
    assert any("/" in r for r in raws) and any("-" in r for r in raws)
