"""Pure helpers that turn archive values into what the templates show (no Flask, no database).

Everything that reaches a template as :class:`markupsafe.Markup` is built here from escaped
parts, so scraped text can never become markup: the templates themselves never use ``|safe``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

# Private-use characters around each match in a snippet (``archive.search.search(mark=...)``):
# scraped text does not contain them, and if it did they would only add a harmless <mark>.
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
_MARKED_PART = re.compile(f"({MARK_OPEN}|{MARK_CLOSE})")
_PARAGRAPH_BREAK = re.compile(r"\n+")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

# Chart geometry (SVG user units); the stylesheet scales the whole drawing to the page width.
CHART_WIDTH = 760
CHART_HEIGHT = 220
CHART_LEFT = 44
CHART_BOTTOM = 28
CHART_TOP = 12
# Months are drawn as a continuous axis (empty months as gaps) up to this span; beyond it (a
# stray 1900 date in a 2024 archive) only the months that have articles are drawn.
MAX_FILLED_MONTHS = 600
LINK_SCHEMES = ("http", "https")
# Longer changed lines are shown whole (character matching is quadratic in the worst case).
MAX_INLINE_DIFF_CHARS = 5000


def mark_snippet(snippet: str) -> Markup:
    """Escape a snippet and turn only the match markers into ``<mark>`` elements.

    >>> mark_snippet("a <b>\\ue000校\\ue001 & c")
    Markup('a &lt;b&gt;<mark>校</mark> &amp; c')
    >>> mark_snippet("\\ue001 stray \\ue000")  # unbalanced markers stay harmless
    Markup(' stray <mark></mark>')
    """
    out: list[str] = []
    open_ = False
    for part in _MARKED_PART.split(snippet):
        if part == MARK_OPEN:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif part == MARK_CLOSE:
            if open_:
                out.append("</mark>")
                open_ = False
        else:
            out.append(str(escape(part)))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


def safe_href(url: str | None) -> str | None:
    """``url`` when it may be a link (http or https), else None (show it as text).

    >>> safe_href("https://news.example.edu.cn/a.htm"), safe_href("javascript:alert(1)")
    ('https://news.example.edu.cn/a.htm', None)
    """
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:  # malformed netloc (e.g. an unclosed IPv6 bracket)
        return None
    return url if scheme in LINK_SCHEMES else None


def paragraphs(body: str) -> list[str]:
    """Body text split into non-empty paragraphs.

    >>> paragraphs("一\\n\\n 二 \\n")
    ['一', '二']
    """
    return [p.strip() for p in _PARAGRAPH_BREAK.split(body or "") if p.strip()]


def group_credits(credits: list[dict[str, Any]], *, original: bool) -> list[tuple[str, list[str]]]:
    """``[(role, [names])]`` in order of each role's first appearance.

    >>> group_credits([{"role": "攝影", "name": "甲", "role_norm": "摄影", "name_norm": "甲"},
    ...                {"role": "文", "name": "乙", "role_norm": "文", "name_norm": "乙"},
    ...                {"role": "攝影", "name": "丙", "role_norm": "摄影", "name_norm": "丙"}],
    ...               original=False)
    [('摄影', ['甲', '丙']), ('文', ['乙'])]
    """
    groups: dict[str, list[str]] = {}
    for c in credits:
        role = (c["role"] if original else c["role_norm"]) or ""
        name = c["name"] if original else c["name_norm"]
        groups.setdefault(role, []).append(name)
    return list(groups.items())


Segment = tuple[str, bool]  # (text, changed within its line)


def diff_lines(body_diff: str) -> list[tuple[str, list[Segment]]]:
    """A unified diff as ``(css_class, segments)`` lines: add, del, hunk, file or ctx.

    A run of removed lines followed by a run of added ones is paired line by line, and the
    characters that differ within each pair are flagged, so a one-word edit in a long
    paragraph stands out.

    >>> diff = "--- v1\\n+++ v2\\n@@ -1 +1 @@\\n-召开会议\\n+举行会议\\n 同\\n"
    >>> for kind, segs in diff_lines(diff):
    ...     print(kind, segs)
    file [('--- v1', False)]
    file [('+++ v2', False)]
    hunk [('@@ -1 +1 @@', False)]
    del [('-', False), ('召开', True), ('会议', False)]
    add [('+', False), ('举行', True), ('会议', False)]
    ctx [(' 同', False)]
    """
    typed = [(_line_kind(line), line) for line in body_diff.splitlines()]
    out: list[tuple[str, list[Segment]]] = []
    i = 0
    while i < len(typed):
        kind, line = typed[i]
        if kind != "del":
            out.append((kind, [(line, False)]))
            i += 1
            continue
        j = i
        while j < len(typed) and typed[j][0] == "del":
            j += 1
        k = j
        while k < len(typed) and typed[k][0] == "add":
            k += 1
        dels, adds = [t[1] for t in typed[i:j]], [t[1] for t in typed[j:k]]
        pairs = [_inline(d, a) for d, a in zip(dels, adds, strict=False)]
        out += [("del", old) for old, _ in pairs]
        out += [("del", [(d, False)]) for d in dels[len(pairs) :]]
        out += [("add", new) for _, new in pairs]
        out += [("add", [(a, False)]) for a in adds[len(pairs) :]]
        i = k
    return out


def _line_kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "add"
    if line.startswith("-"):
        return "del"
    return "ctx"


def _inline(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Segments of a removed and an added line (each with its +/- sign), changes flagged."""
    a, b = old[1:], new[1:]
    if len(a) > MAX_INLINE_DIFF_CHARS or len(b) > MAX_INLINE_DIFF_CHARS:
        return [(old, False)], [(new, False)]
    # autojunk off: in Chinese prose common characters (的, 了) are not noise.
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    left: list[Segment] = [(old[0], False)]
    right: list[Segment] = [(new[0], False)]
    for tag, i1, i2, j1, j2 in ops:
        same = tag == "equal"
        if i2 > i1:
            left.append((a[i1:i2], not same))
        if j2 > j1:
            right.append((b[j1:j2], not same))
    return left, right


def field_text(value: Any) -> str:
    """A changed field of :meth:`Archive.diff_versions` as plain text, one item per line.

    >>> field_text([{"role": "文", "name": "乙", "role_norm": "文", "name_norm": "乙"}])
    '文：乙'
    >>> field_text([{"text": "合影", "text_norm": "合影", "image_url": None}]), field_text(None)
    ('合影', '')
    """
    if value is None:
        return ""
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict) and "role" in item:
                lines.append(f"{item['role']}：{item['name']}")
            elif isinstance(item, dict) and "text" in item:
                lines.append(str(item["text"]))
            else:
                lines.append(str(item))
        return "\n".join(lines)
    return str(value)


@dataclass(frozen=True, slots=True)
class Bar:
    """One month of the chart: its rectangle and its label (empty when not labelled)."""

    month: str
    count: int
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    """Geometry of the articles-per-month bar chart, ready for the SVG template."""

    bars: list[Bar]
    peak: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    top: int = CHART_TOP
    baseline: int = CHART_HEIGHT - CHART_BOTTOM


def month_chart(counts: list[tuple[str, int]]) -> Chart | None:
    """Bars for ``[("YYYY-MM", n), ...]`` (oldest first), empty months in between drawn as gaps.

    >>> c = month_chart([("2024-03", 2), ("2024-05", 4)])
    >>> [(b.month, b.count, b.height) for b in c.bars]
    [('2024-03', 2, 90.0), ('2024-04', 0, 0.0), ('2024-05', 4, 180.0)]
    >>> month_chart([]) is None
    True
    """
    if not counts:
        return None
    months = _continuous(counts)
    peak = max(n for _, n in months) or 1
    plot_w = CHART_WIDTH - CHART_LEFT - 8
    plot_h = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    slot = plot_w / len(months)
    every = len(months) <= 12
    bars = []
    for i, (month, n) in enumerate(months):
        height = round(plot_h * n / peak, 1)
        label = month if every else (month[:4] if month.endswith("-01") or i == 0 else "")
        bars.append(
            Bar(
                month=month,
                count=n,
                x=round(CHART_LEFT + i * slot + slot * 0.1, 1),
                y=round(CHART_TOP + plot_h - height, 1),
                width=round(max(slot * 0.8, 0.5), 1),
                height=height,
                label=label,
            )
        )
    return Chart(bars=bars, peak=peak)


def _continuous(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Fill the months between the first and last with zeros (when the span is sensible)."""
    parsed = [(_MONTH.match(m), n) for m, n in counts]
    if not all(m for m, _ in parsed):
        return list(counts)
    first = _ordinal(counts[0][0])
    last = _ordinal(counts[-1][0])
    if last - first >= MAX_FILLED_MONTHS:
        return list(counts)
    have = dict(counts)
    out = []
    for k in range(first, last + 1):
        month = f"{k // 12:04d}-{k % 12 + 1:02d}"
        out.append((month, have.get(month, 0)))
    return out


def _ordinal(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1
