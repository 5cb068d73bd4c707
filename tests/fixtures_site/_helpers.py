"""HTTP and text helpers for the tests of the fixture sites."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from parsel import Selector

# The codec each site's bytes really are in (declarations say gb2312/utf-8/big5).
CODECS = {
    "demo-vsb": "gb18030",
    "demo-webplus": "utf-8",
    "demo-mirror": "gb18030",
    "demo-big5": "big5",
}
SPACE = re.compile(r"[\s\u3000\xa0]+")


@dataclass
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Fetched:
    """One request with urllib; HTTP errors and 3xx come back as a result, not an exception."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with opener.open(req, timeout=10) as resp:
            return Fetched(resp.status, dict(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as e:
        return Fetched(e.code, dict(e.headers.items()), e.read())


def squeeze(text: str) -> str:
    """Whitespace removed (NBSP and U+3000 included), for comparing page text."""
    return SPACE.sub("", text)


def page_text(html: str) -> str:
    """All text of a page (title and body), whitespace removed."""
    sel = Selector(text=html)
    return squeeze("".join(sel.xpath("//title//text() | //body//text()").getall()))


def decode(body: bytes, encoding: str) -> str:
    """Decode page bytes strictly in the codec they really are in (``gbk`` read as GB18030)."""
    return body.decode("gb18030" if encoding == "gbk" else encoding)
