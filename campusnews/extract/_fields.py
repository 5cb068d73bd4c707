"""Title, date and source finders over the rendered lines."""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import SequenceMatcher

from lxml import etree

from campusnews.extract._credits import _SOURCE_ALT
from campusnews.extract._page import META_DATE_KEYS, text_of
from campusnews.extract._render import BLOCK_TAGS, CELL_TAGS, SEP, Rendered, squash
from campusnews.extract.processors import DATE_LABEL_RE, DATE_RE, EN_DATE_RE, parse_date

# class/id words of headline boxes (title, arti_title, h-title, detail_tit, new_bt, biaoti...)
TITLE_CLASS_RE = re.compile(r"tit|headline|biaoti|new_bt", re.I)
TITLE_SITE_SEP_RE = re.compile(r"\s*(?:_|\||｜|--|-|<|\s@\s|::)\s*")
TITLE_EDGE_RE = re.compile(r"^[\s\-_|｜·•>»:：]+|[\s\-_|｜·•<«]+$")
SOURCE_LABEL_RE = re.compile(rf"(?:{_SOURCE_ALT})\s*[:：]\s*")
# Where a 来源 value ends: a gap between elements, the next meta label, or a date.
SOURCE_STOP_RE = re.compile(
    r"\x1f|发布|發布|发稿|時間|时间|日期|点击|點擊|浏览|瀏覽|阅读|閱讀|字号|字號|作者|编辑|編輯|责编|責編"
    r"|访问|訪問|人气|人氣|次数|次數|【|】|\[|\]|\|"
)
SOURCE_LINE_RE = re.compile(rf"^\s*[【\[]?\s*(?:{_SOURCE_ALT})\s*[:：]")
MAX_TITLE_CHARS = 200
MAX_META_CHARS = 120


class _TitleSimilarity:
    """How well a candidate headline matches the page's ``<title>``: F1 of the characters they
    share (matching blocks), 0..1.

    One per page: the matcher indexes the ``<title>`` once, not once per candidate (the
    matching blocks, so the scores, are the same).

    >>> round(_TitleSimilarity("学校召开会议-新闻网")("学校召开会议"), 3)
    1.0
    """

    __slots__ = ("_longest_piece", "_matcher", "title")

    def __init__(self, title: str) -> None:
        self.title = title
        self._matcher: SequenceMatcher[str] | None = None  # built on first use
        self._longest_piece = 0

    def __call__(self, a: str) -> float:
        b = self.title
        if not a or not b:
            return 0.0
        if self._matcher is None:
            self._matcher = SequenceMatcher(None, "", b, autojunk=False)
            self._longest_piece = max(len(p) for p in TITLE_SITE_SEP_RE.split(b))
        self._matcher.set_seq1(a)
        m = sum(block.size for block in self._matcher.get_matching_blocks())
        if not m:
            return 0.0
        # precision against the shorter side: a <title> may be a truncated headline
        p, r = m / min(len(a), len(b)), min(1.0, m / max(1, self._longest_piece))
        return 2 * p * r / (p + r)


def find_title(
    root: etree._Element,
    rendered: Rendered,
    tag_title: str,
    container_start: int | None,
) -> tuple[str | None, tuple[int, int] | None]:
    """The printed headline and its line span (None span when taken from ``<title>``)."""
    best: tuple[float, str, tuple[int, int] | None] | None = None
    similarity = _TitleSimilarity(tag_title)
    classed = [
        el
        for el in rendered.marked
        if TITLE_CLASS_RE.search(f"{el.get('class') or ''} {el.get('id') or ''}")
    ]
    candidates = sorted(
        {*rendered.headings, *classed}, key=lambda el: rendered.spans.get(el, (0, 0))[0]
    )
    for el in candidates:
        span = rendered.spans.get(el)
        if span is None and (el.tag in BLOCK_TAGS or el.tag in CELL_TAGS):
            continue  # a hidden or skipped block
        span = span or (0, 0)
        lines = rendered.lines[span[0] : span[1]]
        if span[1] > span[0]:
            texts = [ln.text for ln in lines if ln.text]
            if not texts or len(texts) > 3:
                continue
            text = " ".join(texts)
            linked = all(ln.link_chars >= len(ln.text) for ln in lines if ln.text)
            if linked and not (tag_title and tag_title.startswith(text)):
                continue  # headlines of other stories (a blog's permalinked own headline stays)
        else:
            text = squash(text_of(el))
        text = TITLE_EDGE_RE.sub("", text)
        if not (2 <= len(text) <= MAX_TITLE_CHARS):
            continue
        score = similarity(text) if tag_title else 0.5
        if tag_title and tag_title.startswith(text[:6]):
            score += 0.1  # <title> is "headline-column-site": the headline comes first
        if el.tag == "h1":
            score += 0.08
        elif el.tag in ("h2", "h3"):
            score += 0.04
        if (
            container_start is not None
            and span[1] <= container_start
            and container_start - span[1] <= 30
        ):
            score += 0.1
        if best is None or score > best[0] + 1e-9:
            best = (score, text, span if span[1] > span[0] else None)
    if best and best[0] >= 0.55:
        return best[1], best[2]
    # No candidate agrees with <title>: take the heading closest above the container.
    if container_start is not None:
        for i in range(container_start - 1, max(-1, container_start - 15), -1):
            ln = rendered.lines[i]
            # a linked heading is another story's, unless <title> repeats it (a blog permalink)
            usable = (
                ln.heading
                and ln.text
                and (ln.link_chars < len(ln.text) or (len(ln.text) >= 4 and ln.text in tag_title))
            )
            if (
                usable
                and len(ln.text) <= MAX_TITLE_CHARS
                and (not tag_title or tag_title.isascii() or similarity(ln.text) > 0.2)
            ):
                return TITLE_EDGE_RE.sub("", ln.text), (i, i + 1)
    if tag_title and not tag_title.isascii():
        pieces = [p for p in TITLE_SITE_SEP_RE.split(tag_title) if p.strip()]
        if pieces:
            piece = TITLE_EDGE_RE.sub("", pieces[0])
            # the headline printed as a plain (bold, centred) line: prefer its printed form
            for i, ln in enumerate(rendered.lines):
                if (
                    piece
                    and piece in ln.text
                    and len(ln.text) <= len(piece) + 10
                    and ln.link_chars < len(ln.text)
                ):
                    return TITLE_EDGE_RE.sub("", ln.text), (i, i + 1)
            return piece or None, None
    if best:
        return best[1], best[2]
    return (tag_title or None), None


def _dates_in(raw: str, tz: str) -> list[tuple[bool, str]]:
    """(labelled, iso) for each date in a line."""
    out: list[tuple[bool, str]] = []
    text = raw.replace(SEP, " ")
    for m in DATE_RE.finditer(text):
        iso = parse_date(m.group(0), tz)
        if iso:
            out.append((bool(DATE_LABEL_RE.search(text[max(0, m.start() - 12) : m.start()])), iso))
    if not out:
        m = EN_DATE_RE.search(text)
        if m:
            iso = parse_date(m.group(0), tz)
            if iso:
                out.append((False, iso))
    return out


def find_date(
    rendered: Rendered,
    regions: list[range],
    trailer: list[int] | range,
    metas: Callable[[], dict[str, str]],
    tz: str,
) -> tuple[str | None, int | None]:
    """The publish date and the line it came from (regions are searched in order).

    ``metas`` gives the page's ``<meta>`` values; it is called only when no printed date is
    found (the last resort), so most pages never query the head.
    """
    lines = rendered.lines
    for region in regions:
        first: tuple[str, int] | None = None
        for i in region:
            text = lines[i].text
            if len(text) > MAX_META_CHARS or (text[:1] in "（(" and text[-1:] in "）)"):
                continue  # a paragraph or a reprint note (福建日报 2001年3月12日), not a meta line
            for labelled, iso in _dates_in(lines[i].raw, tz):
                if labelled:
                    return iso, i
                if first is None:
                    first = (iso, i)
        if first:
            return first
    for i in trailer:
        text = lines[i].text
        m = DATE_RE.match(text)
        # after the body only a stamp-like line counts (a date with a time, or a labelled date),
        # never a notice signature
        if (m and m["H"]) or DATE_LABEL_RE.match(text.split("：")[0] + "："):
            found = _dates_in(lines[i].raw, tz)
            if found:
                return found[0][1], i
    values = metas()
    for key in META_DATE_KEYS:
        value = values.get(key)
        if value:
            iso = parse_date(value.replace("T", " "), tz)
            if iso:
                return iso, None
    return None, None


def source_value(raw: str) -> tuple[bool, str | None]:
    """(label found, value) for the first 来源 label in a line.

    >>> source_value("来源：人民日报\\x1f2024-05-13 08:49")
    (True, '人民日报')
    >>> source_value("日期：2021年04月14日 11:19\\x1f来源：\\x1f")
    (True, None)
    >>> source_value("发布者：党委宣传部\\x1f来源：学生处舍监 焦瑞芳 文 摄影\\x1f日期：2019-02-04")
    (True, '学生处舍监 焦瑞芳 文 摄影')
    """
    m = SOURCE_LABEL_RE.search(raw)
    if not m:
        return False, None
    rest = raw[m.end() :].lstrip(SEP + " \u3000")
    stop = SOURCE_STOP_RE.search(rest)
    value = squash(rest[: stop.start()] if stop else rest).strip(" |｜-")
    if len(value) > 60:
        value = value[:60]
    return True, (value or None)


def find_source(
    rendered: Rendered, header: range, body_edges: list[int], trailer: range
) -> tuple[str | None, int | None]:
    lines = rendered.lines
    for i in header:
        found, value = source_value(lines[i].raw)
        if found and value:
            return value, i
    # an empty 来源 in the meta line: the value is sometimes printed at the end of the body
    for i in [*body_edges, *trailer]:
        if SOURCE_LINE_RE.match(lines[i].text):
            found, value = source_value(lines[i].raw)
            if found:
                return value, i
    return None, None
