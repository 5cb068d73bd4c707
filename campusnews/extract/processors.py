"""Small cleaning processors, chained with itemloaders (``MapCompose``, ``TakeFirst``, ``Join``).

Each function takes one value and returns the cleaned value (or None to drop it), so it
composes in an itemloaders chain; the chains used by extraction are defined at the bottom.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from itemloaders.processors import Compose, Join, MapCompose, TakeFirst

from campusnews.extract._credits import parse_credit_line
from campusnews.extract._render import squash
from campusnews.extract.types import Credit

# 2020年04月03日, 2020-4-3, 2020/04/03, 2019.01.13, "2024 05/09" (year split off by a space)
# optionally followed by a time (10:12, 10:12:30, 上午8:21).
DATE_RE = re.compile(
    r"(?<![\d/])(?P<y>(?:19|20)\d{2})\s*(?:[-/.年]|\s)\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})"
    r"(?!\d)\s*日?"
    r"(?:\s*(?:[(（]?(?:星期|周|週|礼拜)[一二三四五六日天][)）]?)?\s*(?P<ampm>上午|下午|AM|PM)?\s*"
    r"(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?(?!\d))?",
    re.I,
)
EN_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
# Dec 28 Sat 2013 00:28 / Dec 28, 2013
EN_DATE_RE = re.compile(
    r"\b(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(?P<d>\d{1,2}),?\s+"
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\s+)?(?P<y>(?:19|20)\d{2})"
    r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?",
    re.I,
)
DATE_LABEL_RE = re.compile(
    r"(?:发布时间|发稿时间|发布日期|发表时间|更新时间|时间|日期|發佈時間|發布時間|發稿時間|發布日期"
    r"|時間|日期|发布于|發佈於|Date|Published)\s*[:：]?\s*$",
    re.I,
)


@cache
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _iso(
    y: int, m: int, d: int, hh: int | None, mm: int | None, ss: int | None, tz: str
) -> str | None:
    try:
        if hh is None or mm is None:
            return datetime(y, m, d).date().isoformat()
        dt = datetime(y, m, d, hh, mm, ss or 0, tzinfo=_zone(tz))
    except ValueError:
        return None
    return dt.isoformat()


def parse_date(text: str, tz: str = "Asia/Shanghai") -> str | None:
    """The first date in ``text`` as ISO 8601 (a day, or a datetime with the zone's offset).

    >>> parse_date("2020年04月03日")
    '2020-04-03'
    >>> parse_date("2020-4-3 10:12")
    '2020-04-03T10:12:00+08:00'
    >>> parse_date("[2020/04/03]"), parse_date("发布时间：2024-04-15 14:43")
    ('2020-04-03', '2024-04-15T14:43:00+08:00')
    >>> parse_date("2024年5月22日週三 上午8:21"), parse_date("Dec 28 Sat 2013 00:28", "Asia/Taipei")
    ('2024-05-22T08:21:00+08:00', '2013-12-28T00:28:00+08:00')
    >>> parse_date("更新于2022年9月") is None, parse_date("2019.01.13")
    (True, '2019-01-13')
    """
    for m in DATE_RE.finditer(text):
        hh = int(m["H"]) if m["H"] else None
        if hh is not None and m["ampm"] and m["ampm"].lower() in ("下午", "pm") and hh < 12:
            hh += 12
        mm = int(m["M"]) if m["M"] else None
        if hh is not None and (hh > 23 or (mm or 0) > 59):
            hh = mm = None
        iso = _iso(
            int(m["y"]), int(m["m"]), int(m["d"]), hh, mm, int(m["S"]) if m["S"] else None, tz
        )
        if iso:
            return iso
    m = EN_DATE_RE.search(text)
    if m:
        hh = int(m["H"]) if m["H"] else None
        mm = int(m["M"]) if m["M"] else None
        return _iso(
            int(m["y"]),
            EN_MONTHS[m["mon"][:3].lower()],
            int(m["d"]),
            hh,
            mm,
            int(m["S"]) if m["S"] else None,
            tz,
        )
    return None


def strip_punct_edges(text: str) -> str | None:
    """Trim separators left around a value; None when nothing is left.

    >>> strip_punct_edges(" -金蝶荣誉 "), strip_punct_edges(" | ")
    ('金蝶荣誉', None)
    """
    text = text.strip(" \t\r\n-_|｜:：·•>»【】[]")
    return text or None


def credits_from_text(text: str) -> list[Credit]:
    """Credits read from one credit line (empty list when the line holds none).

    >>> credits_from_text("编辑：张三 李四")
    [Credit(role='编辑', name='张三'), Credit(role='编辑', name='李四')]
    """
    return parse_credit_line(text) or []


# The chains the extractor runs selected text through (profile selectors, meta fields).
clean_line = MapCompose(squash, strip_punct_edges)
"""Each value squashed and trimmed of separators; empty values dropped.

>>> clean_line(["  -金蝶荣誉 ", " ", "学校\u3000新闻"])
['金蝶荣誉', '学校 新闻']
"""
first_clean = Compose(clean_line, TakeFirst())
"""The first non-empty cleaned value.

>>> first_clean(["", " 党旗飘扬 "])
'党旗飘扬'
"""
join_lines = Compose(MapCompose(squash), Join("\n"))
"""Values squashed and joined one per line.

>>> join_lines([" a ", "b\u3000c"])
'a\nb c'
"""
credit_chain = MapCompose(squash, credits_from_text)
"""Credits from each credit line (MapCompose flattens the per-line lists).

>>> credit_chain(["编辑：张三", "责任编辑： 王莉莉"])
[Credit(role='编辑', name='张三'), Credit(role='责任编辑', name='王莉莉')]
"""


@cache
def date_chain(tz: str = "Asia/Shanghai") -> Compose:
    """The first date found in a list of texts, in zone ``tz`` (one chain per zone, cached).

    >>> date_chain()(["点击：12", "发布时间：2024-04-15 14:43"])
    '2024-04-15T14:43:00+08:00'
    """
    return Compose(MapCompose(squash, lambda t: parse_date(t, tz)), TakeFirst())
