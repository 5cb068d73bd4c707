"""canonicalize_url, is_article_url and listing discovery on real corpus listing pages."""

from __future__ import annotations

import pytest

from campusnews.extract import canonicalize_url, extract_listing, is_article_url
from tests.extract._shared import shared_file


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "http://x.edu.cn/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1012&wbnewsid=1234",
            "http://x.edu.cn/info/1012/1234.htm",
        ),
        (
            "http://x.edu.cn/content.jsp?wbnewsid=1234&WBTREEID=1012&urlType=news.NewsContentUrl",
            "http://x.edu.cn/info/1012/1234.htm",
        ),
        ("http://x.edu.cn/info/1012/1234.html", "http://x.edu.cn/info/1012/1234.htm"),
        ("http://x.edu.cn/info/1012/1234.htm#p2", "http://x.edu.cn/info/1012/1234.htm"),
        (
            "https://www.nankai.edu.cn/2025/0104/c17471a561305/page.psp",
            "https://www.nankai.edu.cn/2025/0104/c17471a561305/page.htm",
        ),
        ("http://a.cn/list.htm?b=2&a=1", "http://a.cn/list.htm?a=1&b=2"),
    ],
)
def test_canonicalize_url(url, canonical):
    assert canonicalize_url(url) == canonical


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.tztvu.com.cn/info/1045/3868.htm", True),
        ("http://x.edu.cn/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1&wbnewsid=2", True),
        ("https://www.nankai.edu.cn/2025/0104/c17471a561305/page.htm", True),
        ("https://news.youth.cn/gn/202405/t20240513_15249693.htm", True),
        ("http://www.example.edu.cn/a/2020/0403/123.html", True),
        ("http://www.sctu.edu.cn/lv-yuan-xin-wen/show-4483.html", True),
        ("http://news.nankai.edu.cn/ywsd/system/2018/09/30/000411958.shtml", True),
        ("https://cs.fudan.edu.cn/24256/list.htm", False),
        ("http://www.tztvu.com.cn/xwgg/xxyw.htm", False),
        ("http://www.tztvu.com.cn/index.htm", False),
    ],
)
def test_is_article_url(url, expected):
    assert is_article_url(url) is expected


# (file, page URL, article count verified by reading the page, first, last, next pages).
# Links come back as published (the mirrors rewrote .htm to .html), fragment dropped.
LISTINGS = [
    (
        "GodKeawa__FudanMirror/24256__list.html",
        "https://cs.fudan.edu.cn/24256/list.htm",
        18,  # the 18 c24256 items of the main list; sidebar columns 24257-24259 excluded
        "https://cs.fudan.edu.cn/fa/19/c24256a719385/page.html",
        "https://cs.fudan.edu.cn/8b/46/c24256a691014/page.htm",
        ("https://cs.fudan.edu.cn/24256/list2.htm",),
    ),
    (
        "GodKeawa__FudanMirror/35228__list.html",
        "https://cs.fudan.edu.cn/35228/list.htm",
        18,
        "https://cs.fudan.edu.cn/bb/88/c35228a506760/page.htm",
        "https://cs.fudan.edu.cn/7a/e2/c35228a424674/page.htm",
        ("https://cs.fudan.edu.cn/35228/list2.htm",),
    ),
    (
        "bkichen__tztvu_com_cn/xwgg__xxyw.html",
        "http://www.tztvu.com.cn/xwgg/xxyw.htm",
        10,  # the pager's 下页 is javascript:; on this copy, so no next page
        "http://www.tztvu.com.cn/info/1030/17830.html",
        "http://www.tztvu.com.cn/info/1030/17810.html",
        (),
    ),
    (
        "Fun-James__NKU-SearchEngine/fe37529f4c21b4c5f572255067786f57.html",
        "https://history.nankai.edu.cn/16066/list3.htm",
        22,
        "https://history.nankai.edu.cn/2024/1009/c16066a552602/page.htm",
        "https://history.nankai.edu.cn/2024/0313/c16066a537766/page.htm",
        ("https://history.nankai.edu.cn/16066/list4.htm",),
    ),
    (
        "Fun-James__NKU-SearchEngine/1f3bfaab0bf8e3844dfa745827105cb7.html",
        "https://international.nankai.edu.cn/13531/list.htm",
        20,
        "https://international.nankai.edu.cn/2025/0530/c13531a572145/page.htm",
        "https://international.nankai.edu.cn/2024/1117/c13531a556621/page.htm",
        ("https://international.nankai.edu.cn/13531/list2.htm",),
    ),
    (
        "Fun-James__NKU-SearchEngine/fe4d336cfb8a48ca76c609e63bc10e1e.html",
        "https://zfxy.nankai.edu.cn/rcpy/xsbks.htm",
        10,
        "https://zfxy.nankai.edu.cn/info/1453/5216.htm",
        "https://zfxy.nankai.edu.cn/info/1453/5207.htm",
        ("https://zfxy.nankai.edu.cn/rcpy/bachelor/3.htm",),
    ),
]


@pytest.mark.corpus
@pytest.mark.parametrize(("name", "url", "count", "first", "last", "nexts"), LISTINGS)
def test_listing_discovery(name, url, count, first, last, nexts):
    links = extract_listing(url, shared_file("corpus", name).read_bytes())
    assert len(links.articles) == count
    assert len(set(links.articles)) == count
    assert (links.articles[0], links.articles[-1]) == (first, last)
    assert links.next_pages == nexts


def test_listing_generic_next_and_numbered_pager():
    html = """<html><body><ul class="list">
      <li><a href="/info/1012/3.htm">甲</a><span>2024-01-03</span></li>
      <li><a href="/info/1012/2.htm">乙</a><span>2024-01-02</span></li>
      <li><a href="/info/1012/1.htm#x">丙</a><span>2024-01-01</span></li>
      <li><a href="http://other.example/info/1/1.htm">外站</a></li></ul>
      <div class="pb"><span class="curr">1</span>
      <a href="list2.htm">2</a><a href="list3.htm">3</a></div>
      </body></html>"""
    links = extract_listing("http://news.example.edu.cn/xwzx/list.htm", html)
    assert links.articles == (
        "http://news.example.edu.cn/info/1012/3.htm",
        "http://news.example.edu.cn/info/1012/2.htm",
        "http://news.example.edu.cn/info/1012/1.htm",
    )
    assert links.next_pages == ("http://news.example.edu.cn/xwzx/list2.htm",)


@pytest.mark.corpus
def test_listing_with_profile_selectors():
    from campusnews.profiles import get_profile

    page = shared_file("corpus", "GodKeawa__FudanMirror/24256__list.html").read_bytes()
    links = extract_listing(
        "https://cs.fudan.edu.cn/24256/list.htm", page, profile=get_profile("fudan-cs")
    )
    assert len(links.articles) == 18
    assert links.articles[0] == "https://cs.fudan.edu.cn/fa/19/c24256a719385/page.html"
    assert links.next_pages == ("https://cs.fudan.edu.cn/24256/list2.htm",)
