"""A tiny news site of our own for operations and politeness tests, and a crawl runner.

The site is served by :class:`fixtures.server.FixtureServer` (same HTTP behaviour as the demo
sites: ETag/Last-Modified, 304, request log) but is small and easy to mutate: articles can be
added, changed, broken; the template can change. Its profile ``tiny-news`` is written to a
temporary ``CAMPUSNEWS_PROFILES`` directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from fixtures.server import FixtureServer, Resource, Site

REPO = Path(__file__).resolve().parents[2]
SITE_KEY = "tiny-news"
LISTING = "/news/list.htm"

PROFILE = """\
name = "Tiny test news"
base_url = "http://127.0.0.1:8000"
start_urls = ["/news/list.htm"]
encoding = "utf-8"

[listing]
article_links = "ul.list li a"
next_page = "a.next"

[article]
title = "h1.title"
date = "div.meta span.date"
source = "{source}"
body = "div.content"
captions = "{captions}"
credits = "div.content p.credit"
exclude = ["p.cap", "p.credit"]

[crawl]
delay = {delay}
concurrency = {concurrency}
"""

SENTENCES = (
    "学校举行春季运动会，全校师生积极参与各项比赛。",
    "图书馆新增电子资源数据库，方便师生查阅文献。",
    "计算机学院与企业签署合作协议，共建联合实验室。",
    "校团委组织志愿者走进社区开展环保宣传活动。",
    "外国语学院举办第十届英语演讲比赛。",
    "物理学院教授在国际期刊发表重要研究成果。",
)


def write_profile(
    directory: Path,
    *,
    source: str = "div.meta span.src",
    captions: str = "div.content p.cap",
    delay: float = 0.0,
    concurrency: int = 4,
) -> Path:
    """Write ``tiny-news.toml`` into ``directory`` (a ``CAMPUSNEWS_PROFILES`` entry)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{SITE_KEY}.toml"
    text = PROFILE.format(source=source, captions=captions, delay=delay, concurrency=concurrency)
    path.write_text(text, "utf-8")
    return path


@dataclass
class TinyArticle:
    n: int
    title: str
    date: str
    source: str | None
    paragraphs: list[str]
    caption: str | None = None
    credit: str | None = None

    @property
    def path(self) -> str:
        return f"/a/{self.n}.htm"


def make_article(n: int, *, source: bool = True) -> TinyArticle:
    s = SENTENCES
    return TinyArticle(
        n=n,
        title=f"第{n}号新闻：{s[n % len(s)][:10]}",
        date=f"2024-05-{n % 28 + 1:02d}",
        source="党委宣传部" if source else None,
        paragraphs=[f"（第{n}篇）{s[n % len(s)]}", s[(n + 1) % len(s)], s[(n + 2) % len(s)]],
        caption=f"图为第{n}号新闻现场" if n % 2 else None,
        credit="（记者 张三 编辑 李四）",
    )


@dataclass
class TinySite:
    """The site's articles (newest first on the listing) and how its pages look."""

    articles: list[TinyArticle]
    per_page: int = 3
    date_in_meta: bool = True  # False: the "new template" shows the date elsewhere
    robots: str = "User-agent: *\nAllow: /\n"
    site: Site = field(init=False)

    def __post_init__(self) -> None:
        self.site = Site(key=SITE_KEY, pages={}, robots=self.robots)
        self.render()

    def article_html(self, a: TinyArticle) -> bytes:
        if self.date_in_meta:
            meta = f'<span class="date">{a.date}</span>'
            footer = ""
        else:  # moved out of the meta line into a data attribute of the footer
            meta = ""
            footer = f'<div class="foot" data-published="{a.date.replace("-", "")}"></div>'
        if a.source:
            meta += f' <span class="src">来源：{a.source}</span>'
        body = "".join(f"<p>{p}</p>" for p in a.paragraphs)
        if a.caption:
            body += f'<p><img src="/img/{a.n}.png"></p><p class="cap">{a.caption}</p>'
        if a.credit:
            body += f'<p class="credit">{a.credit}</p>'
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>{a.title}</title></head><body>"
            '<div class="nav"><a href="/">首页</a> <a href="/news/list.htm">新闻</a></div>'
            f'<h1 class="title">{a.title}</h1><div class="meta">{meta}</div>'
            f'<div class="content">{body}</div>{footer}'
            '<div class="footer">版权所有 小小大学</div></body></html>'
        ).encode()

    def listing_paths(self) -> list[str]:
        pages = max(1, -(-len(self.articles) // self.per_page))
        return [LISTING] + [f"/news/list{i}.htm" for i in range(2, pages + 1)]

    def render(self) -> None:
        """(Re)build every page from the current articles (listings newest first)."""
        paths = self.listing_paths()
        for i, path in enumerate(paths):
            chunk = self.articles[i * self.per_page : (i + 1) * self.per_page]
            items = "".join(
                f'<li><span>{a.date}</span><a href="{a.path}">{a.title}</a></li>' for a in chunk
            )
            nxt = f'<a class="next" href="{paths[i + 1]}">下一页</a>' if i + 1 < len(paths) else ""
            html = (
                '<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻</title></head>'
                f'<body><ul class="list">{items}</ul><div class="pager">{nxt}</div></body></html>'
            )
            self.site.set_page(path, Resource(html.encode()))
        for a in self.articles:
            if a.path not in self.site.pages or isinstance(self.site.pages[a.path], Resource):
                self.site.set_page(a.path, Resource(self.article_html(a)))

    def add(self, article: TinyArticle) -> None:
        """Publish a new article at the top of the listing."""
        self.articles.insert(0, article)
        self.render()


def tiny_site(n: int = 6, **kwargs: object) -> TinySite:
    """A site of ``n`` articles, numbered ``n`` (newest) down to 1."""
    return TinySite([make_article(i) for i in range(n, 0, -1)], **kwargs)  # type: ignore[arg-type]


def serve(site: TinySite) -> FixtureServer:
    return FixtureServer(site.site).start()


@dataclass
class CrawlRun:
    returncode: int
    stdout: str
    stderr: str

    def summary(self, site: str = SITE_KEY) -> dict[str, str]:
        """``key=value`` pairs of the site's one-line summary (plus ``status``)."""
        for line in self.stdout.splitlines():
            if line.startswith(f"{site}: "):
                words = line.split(" in ")[0].split()
                out = dict(p.split("=", 1) for p in words[2:] if "=" in p)
                out["status"] = words[1]
                return out
        raise AssertionError(f"no summary for {site} in:\n{self.stdout}\n{self.stderr}")


def env(profiles: Path, **extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e.update(CAMPUSNEWS_PROGRESS_INTERVAL="0", CAMPUSNEWS_PROFILES=str(profiles), **extra)
    e["PYTHONPATH"] = str(REPO) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "campusnews", *args]


def crawl_args(server: FixtureServer, db: Path, *extra: str) -> list[str]:
    return command("crawl", SITE_KEY, "--base-url", server.base_url, "--db", str(db), *extra)


def run(args: list[str], profiles: Path, timeout: float = 60, **extra_env: str) -> CrawlRun:
    proc = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env(profiles, **extra_env),
        cwd=REPO,
    )
    return CrawlRun(proc.returncode, proc.stdout, proc.stderr)


def crawl(
    server: FixtureServer, db: Path, profiles: Path, *extra: str, **extra_env: str
) -> CrawlRun:
    """Run ``campusnews crawl tiny-news`` against ``server`` in a subprocess."""
    return run(crawl_args(server, db, *extra), profiles, **extra_env)


def wait_for(predicate: object, timeout: float = 30.0, step: float = 0.05) -> None:
    """Poll ``predicate()`` until true (AssertionError after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(step)


def paths(server: FixtureServer) -> list[str]:
    """The request log's paths, in order."""
    return [r.path for r in server.requests]
