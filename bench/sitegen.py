"""A generated campus news site of any size, in the VSB shape, for crawl benchmarks.

Pages are made on request from the article number (nothing is held in memory, so 100,000
articles cost what 100 do): ``COLUMNS`` columns, each a chain of listing pages of
``PER_PAGE`` links (``/xwzx/colN.htm``, then ``/xwzx/colN/K.htm``) with a VSB pager, and
article pages ``/info/TREE/ID.htm`` with a title, a date/source/author line, 2–6 paragraphs of
realistic text from :class:`fixtures.site.text.Writer`, image captions and a credit line; GB18030
bytes declared as gb2312, as the demo-vsb fixture site and many real VSB sites send them.
:data:`PROFILE_TOML` is the matching site profile (concurrency raised for a local server).

    python bench/sitegen.py --articles 20000      # serve until Ctrl-C, print the base URL
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.server import FixtureServer, Resource, Site
from fixtures.site.common import esc
from fixtures.site.text import Writer

SITE_KEY = "bench-vsb"
COLUMNS = 4
PER_PAGE = 20
NEWEST = date(2024, 6, 30)
PROFILE_TOML = """\
# Generated benchmark site (bench/sitegen.py): VSB shape, GB18030 declared gb2312.
name = "基准大学新闻网（生成）"
base_url = "http://127.0.0.1:8000"
start_urls = [{starts}]
timezone = "Asia/Shanghai"
encoding = "gb18030"
cms = "vsb"

[crawl]
delay = 0.0
concurrency = {concurrency}
obey_robots = false

[listing]
article_links = "ul.newsList li > a"
next_page = "span.p_next a"
article_url_pattern = '/info/\\d+/\\d+\\.htm$'

[article]
title = "form[name=_newscontent_fromname] div.content-title h1"
date = "form[name=_newscontent_fromname] div.content-info"
source = "form[name=_newscontent_fromname] div.content-info"
body = "#vsb_content div.v_news_content"
captions = "div.v_news_content p.vsbcontent_img + p"
credits = "form[name=_newscontent_fromname] div.content-info, div.v_news_content p.vsbcontent_end"
exclude = ["p.vsbcontent_img + p", "p.vsbcontent_img", "p.vsbcontent_end", "script"]
"""
NAV = ("首页", "学校要闻", "综合新闻", "媒体聚焦", "图说江城", "学术动态", "校园文化")
COLUMN_NAMES = ("学校要闻", "综合新闻", "学术动态", "校园文化")
UNITS = ("党委宣传部", "教务处", "科学技术处", "学生工作部", "研究生院", "校团委")


def profile_toml(concurrency: int = 16) -> str:
    """The site profile of the generated site."""
    starts = ", ".join(f'"{column_path(c)}"' for c in range(COLUMNS))
    return PROFILE_TOML.format(starts=starts, concurrency=concurrency)


def column_path(col: int, page: int = 0) -> str:
    """Listing page ``page`` (0 = first) of column ``col``.

    >>> column_path(1), column_path(1, 3)
    ('/xwzx/col1.htm', '/xwzx/col1/3.htm')
    """
    return f"/xwzx/col{col}.htm" if page == 0 else f"/xwzx/col{col}/{page}.htm"


def article_path(aid: int) -> str:
    """>>> article_path(12345)
    '/info/1003/12345.htm'
    """
    return f"/info/{1000 + aid % COLUMNS}/{aid}.htm"


def _day(aid: int) -> date:
    return NEWEST - timedelta(days=aid // 12)


def _head(title: str) -> str:
    nav = "".join(f'<li><a href="/xwzx/n{i}.htm">{n}</a></li>' for i, n in enumerate(NAV))
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />\n'
        f"<title>{esc(title)}-基准大学新闻网</title>\n"
        '<link rel="stylesheet" type="text/css" href="/style/style.css">\n'
        "<!--Announced by Visual SiteBuilder 9-->\n"
        '<script type="text/javascript" src="/system/resource/js/counter.js"></script>\n'
        '</head><body><div class="top"><div class="topbar"><a href="/index.htm">网站首页</a>'
        ' | <a href="javascript:;">设为首页</a></div>'
        f'<div class="logo"><img src="/images/logo.png" alt="基准大学新闻网"></div>'
        f'<ul class="nav">{nav}</ul></div>\n'
    )


# Real VSB pages carry a links block, a sidebar and inline scripts around the article; the
# generated pages do too (about 10 KB each) so parsing costs what it costs on a real site.
LINKS = "".join(
    f'<li><a href="http://www.example{i}.edu.cn/" target="_blank">{u}</a></li>'
    for i, u in enumerate(("教育部", "省教育厅", "图书馆", "研究生院", "信息门户", "校友会",
                           "招生网", "就业网", "财务处", "后勤集团", "档案馆", "校史馆") * 3)
)  # fmt: skip
SCRIPT = (
    '<script type="text/javascript">var _hmt = _hmt || [];(function() {var hm = '
    'document.createElement("script");hm.src = "/system/resource/js/vsbscreen.min.js";'
    'var s = document.getElementsByTagName("script")[0];s.parentNode.insertBefore(hm, s);})();'
    "function _showDynClicks(a,b,c){return 0;}" + "/* VSB 9 runtime */" * 40 + "</script>\n"
)
FOOT = (
    f'<div class="links"><h3>友情链接</h3><ul>{LINKS}</ul></div>{SCRIPT}'
    '<div class="footer"><p>版权所有：基准大学党委宣传部 地址：江城市学府路1号 邮编：430000</p>'
    "<p>技术支持：网络与信息中心</p></div></body></html>\n"
)


@lru_cache(maxsize=256)
def article_html(aid: int) -> str:
    """The article page of article ``aid`` (deterministic)."""
    rng = random.Random(aid)
    w = Writer(seed=aid)
    day = _day(aid)
    d = w.draft(day, n_images=rng.randint(0, 2))
    author, editor = w.name(), w.name()
    meta = (
        f"日期：{day:%Y年%m月%d日} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
        f"&nbsp;&nbsp;来源：{rng.choice(UNITS)}&nbsp;&nbsp;作者：{esc(author)}"
        f'&nbsp;&nbsp;点击：<script>_showDynClicks("wbnews", 1804, {aid})</script>次'
    )
    by_para: dict[int, list[str]] = {}
    for after, cap in d.images:
        by_para.setdefault(after, []).append(cap)
    body = []
    for k, text in enumerate(d.paragraphs):
        cls = ' class="vsbcontent_start"' if k == 0 else ""
        body.append(f'<p{cls} style="text-indent:2em;">{esc(text)}</p>\n')
        for j, cap in enumerate(by_para.get(k, [])):
            src = f"/__local/{aid % 16:X}/{aid:08d}_{k}{j}.jpg"
            body.append(
                f'<p class="vsbcontent_img" style="text-align:center"><img src="{src}" '
                f'width="600" class="img_vsb_content"></p>\n'
                '<p style="text-align:center"><span style="font-family:楷体;">'
                f"{esc(cap)}</span></p>\n"
            )
    body.append(f'<p class="vsbcontent_end">（编辑：{esc(editor)}）</p>')
    return (
        _head(d.title)
        + '<div class="main clearfix"><div class="left"><div class="curpos">当前位置：'
        + '<a href="/index.htm">首页</a> &gt; 正文</div>\n<form name="_newscontent_fromname">\n'
        + f'<div class="content-title"><h1>{esc(d.title)}</h1></div>\n'
        + f'<div class="content-info">{meta}</div>\n'
        + f'<div id="vsb_content"><div class="v_news_content">\n{"".join(body)}</div></div>\n'
        + "</form></div>\n"
        + _sidebar(aid)
        + "</div>\n"
        + FOOT
    )


def _sidebar(aid: int) -> str:
    lis = "".join(
        f'<li><span class="date">{_day(k):%m-%d}</span>'
        f'<a href="{article_path(k)}">第{k}号 新闻</a></li>'
        for k in range(aid % 500, aid % 500 + 10)
    )
    return f'<div class="right"><div class="sidebar"><h3>最新动态</h3><ul>{lis}</ul></div></div>'


def listing_html(col: int, page: int, articles: int) -> str | None:
    """Listing page ``page`` of column ``col``; None past the column's last page."""
    # Article ids of a column, newest first: col, col + COLUMNS, col + 2*COLUMNS, ...
    ids = range(col, articles, COLUMNS)
    pages = max(1, -(-len(ids) // PER_PAGE))
    if page >= pages:
        return None
    lis = "".join(
        f'<li id="line_u5_{i}"><span>{_day(aid):%Y-%m-%d}</span>'
        f'<a href="{article_path(aid)}" target="_blank">第{aid}号 新闻</a></li>\n'
        for i, aid in enumerate(ids[page * PER_PAGE : (page + 1) * PER_PAGE])
    )
    window = range(max(0, page - 4), min(pages, page + 5))
    nos = "".join(
        f'<span class="p_no_d">{k + 1}</span>'
        if k == page
        else f'<span class="p_no"><a href="{column_path(col, k)}">{k + 1}</a></span>'
        for k in window
    )
    nxt = (
        f'<span class="p_next p_fun"><a href="{column_path(col, page + 1)}">下页</a></span>'
        if page + 1 < pages
        else '<span class="p_next_d p_fun_d">下页</span>'
    )
    name = COLUMN_NAMES[col % len(COLUMN_NAMES)]
    return (
        _head(name)
        + f'<div class="main"><div class="list-title"><h2>{name}</h2></div>\n'
        + f'<ul class="newsList">\n{lis}</ul>\n'
        + f'<div class="pb_sys_common"><span class="p_t">共{len(ids)}条</span> '
        + f'<span class="p_pages">{nos}{nxt}</span></div></div>\n'
        + FOOT
    )


class GeneratedPages(dict):  # type: ignore[type-arg]
    """``Site.pages`` for the generated site: every response made when it is asked for."""

    def __init__(self, articles: int) -> None:
        super().__init__()
        self.articles = articles

    def _make(self, path: str) -> str | None:
        if path.startswith("/info/") and path.endswith(".htm"):
            try:
                aid = int(path.rsplit("/", 1)[1][:-4])
            except ValueError:
                return None
            ok = 0 <= aid < self.articles and path == article_path(aid)
            return article_html(aid) if ok else None
        if path.startswith("/xwzx/col"):
            rest = path[len("/xwzx/col") : -len(".htm")]
            col, _, page = rest.partition("/")
            if col.isdigit() and int(col) < COLUMNS and (page == "" or page.isdigit()):
                return listing_html(int(col), int(page or 0), self.articles)
        return None

    def get(self, path: str, default: Any = None) -> Any:  # type: ignore[override]
        html = self._make(path)
        if html is None:
            return default
        return Resource(html.encode("gb18030"), headers={"Content-Type": "text/html"})

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self._make(path) is not None

    def items(self) -> Any:  # the server's fallback scan for percent-encoded paths: none here
        return iter(())


def make_site(articles: int) -> Site:
    """The generated site with ``articles`` articles."""
    return Site(key=SITE_KEY, pages=GeneratedPages(articles))


def main(argv: list[str] | None = None) -> int:
    """Serve the generated site on 127.0.0.1; print the base URL, then wait (until killed)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = FixtureServer(make_site(args.articles), port=args.port).start()
    server.requests = _NoLog()  # a benchmark serves 100k requests: keep no log
    print(server.base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


class _NoLog(list):  # type: ignore[type-arg]
    def append(self, _item: Any) -> None:
        pass


if __name__ == "__main__":
    sys.exit(main())
