"""URL identity for articles: canonical forms and the shapes CMSs give article URLs."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

VSB_DYNAMIC_PATH_RE = re.compile(r"^(?P<dir>.*/)[^/]*\.jsp$", re.I)
VSB_STATIC_RE = re.compile(r"^(?P<dir>.*/)info/(?P<tree>\d+)/(?P<news>\d+)\.html?$", re.I)
WEBPLUS_PSP_RE = re.compile(r"/(c\d+a\d+/)?page\.(?:psp|html)$", re.I)
# URLs that w3lib's canonical form leaves exactly as they are: http(s), a lower-case ASCII host
# name (last label starting with a letter: no IPv4 number forms) or a dotted-quad address, a
# port without a leading zero, a path of unreserved chars (nothing to quote, no ;params), no
# query and no fragment. Most article URLs look like this.
AS_IS_URL_RE = re.compile(
    r"https?://(?:(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*|(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
    r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))(?::[1-9]\d{0,3})?/[A-Za-z0-9_~/.-]*"
)
# A "." or ".." path segment (w3lib resolves those).
DOT_SEGMENT_RE = re.compile(r"/\.\.?(?:/|$)")
# Article URL shapes of the CMS families common on campus sites.
ARTICLE_URL_RES = tuple(
    re.compile(p, re.I)
    for p in (
        r"/info/\d+/\d+\.html?$",  # VSB static export
        r"\.jsp\?.*wbnewsid=\d+",  # VSB dynamic content page
        r"/c\d+a\d+/page\.(?:htm|html|psp)$",  # WebPlus
        r"/t\d{8}_\d+\.s?html?$",  # TRS WCM
        r"/a/\d{4}/\d{4}/\d+\.html?$",  # DedeCMS-like
        r"/show-\d+\.html?$",  # CmsEasy
        r"/system/\d{4}/\d{2}/\d{2}/\d+\.s?html?$",  # news.nankai.edu.cn
        r"/\d{4}-\d{2}/\d{2}/c(?:ontent)?_\d+\.s?html?$",  # xinhua / enorth
        r"/n\d/\d{4}/\d{4}/c\d+-\d+\.html?$",  # people.com.cn
        r"/(?:content|article|detail|news|show|view)[/_-]?\d+\.s?html?$",
        r"/(?:news|article|detail)/(?:content/id/)?\d+/?(?:\.html?)?$",
        r"/20\d{2}[/-]?\d{2}[/-]?\d{2}/[^/]+\.s?html?$",
    )
)


def canonicalize_url(url: str) -> str:
    """The canonical form of an article URL (w3lib canonical form, no fragment, CMS aliases folded).

    >>> canonicalize_url("http://x.edu.cn/content.jsp?wbnewsid=1234&wbtreeid=1012&urltype=news.NewsContentUrl#top")
    'http://x.edu.cn/info/1012/1234.htm'
    >>> canonicalize_url("http://x.edu.cn/info/1012/1234.html")
    'http://x.edu.cn/info/1012/1234.htm'
    >>> canonicalize_url("http://X.edu.cn/content.jsp?URLTYPE=news.NewsContentUrl&WBTREEID=1012&WBNEWSID=1234")
    'http://x.edu.cn/info/1012/1234.htm'
    >>> canonicalize_url("https://cs.fudan.edu.cn/19/5e/c24292a268638/page.psp")
    'https://cs.fudan.edu.cn/19/5e/c24292a268638/page.htm'
    >>> canonicalize_url("https://cs.fudan.edu.cn/fa/19/c24256a719385/page.html")
    'https://cs.fudan.edu.cn/fa/19/c24256a719385/page.htm'
    >>> canonicalize_url("http://a.cn/list.htm?b=2&a=1#x")
    'http://a.cn/list.htm?a=1&b=2'
    """
    parts = urlsplit(url.strip())
    if parts.query and parts.path.lower().endswith(".jsp"):
        params = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
        m = VSB_DYNAMIC_PATH_RE.match(parts.path)
        if (
            m
            and params.get("urltype", "").lower() == "news.newscontenturl"
            and params.get("wbtreeid", "").isdigit()
            and params.get("wbnewsid", "").isdigit()
        ):
            path = f"{m['dir']}info/{int(params['wbtreeid'])}/{int(params['wbnewsid'])}.htm"
            parts = parts._replace(path=path, query="")
    m = VSB_STATIC_RE.match(parts.path)
    if m:
        parts = parts._replace(path=f"{m['dir']}info/{m['tree']}/{m['news']}.htm")
    if WEBPLUS_PSP_RE.search(parts.path):
        parts = parts._replace(
            path=WEBPLUS_PSP_RE.sub(lambda m: f"/{m[1] or ''}page.htm", parts.path)
        )
    url = urlunsplit(parts._replace(fragment=""))
    if AS_IS_URL_RE.fullmatch(url) and not DOT_SEGMENT_RE.search(url):
        return url  # already canonical: skip w3lib's full parse (the costliest step here)
    return _w3lib_canonicalize(url)


def is_article_url(url: str) -> bool:
    """True when ``url`` has the shape of an article page in a known CMS family.

    >>> is_article_url("http://www.tztvu.com.cn/info/1045/3868.html")
    True
    >>> is_article_url("https://cs.fudan.edu.cn/24256/list.htm")
    False
    >>> is_article_url("https://news.youth.cn/gn/202405/t20240513_15249693.htm")
    True
    """
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    return any(r.search(target) for r in ARTICLE_URL_RES)
