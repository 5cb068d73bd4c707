"""One walk over the parsed tree: the page as a flat list of visual lines.

Every field finder reads these lines (and the element spans recorded with them), so the page
is parsed once and walked once. A *line* is what a browser would show between two block
boundaries; a table row is one line with its cells joined by a space. Empty blocks that hold
images become image markers (``text == ""``, ``images`` set) so caption finding can see where
the pictures were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

# Elements whose content is never visible text.
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "iframe",
        "select",
        "option",
        "textarea",
        "button",
        "input",
        "svg",
        "object",
        "embed",
        "video",
        "audio",
        "canvas",
        "template",
        "head",
        "title",  # a nested <title> inside the body (pasted documents) is invisible
        "map",
    }
)
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dd",
        "dt",
        "tr",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "blockquote",
        "figure",
        "figcaption",
        "center",
        "form",
        "pre",
        "address",
        "caption",
        "body",
        "html",
        "fieldset",
        "legend",
    }
)
CELL_TAGS = frozenset({"td", "th"})
# Widgets that are never article text, wherever they sit (share bars, QR codes, print links,
# breadcrumbs, comment boxes, related-story boxes, pagers): matched on class + id.
JUNK_CLASS_RE = re.compile(
    r"(?:^|[ _-])(?:share|bdshare\w*|jiathis\w*|fenxiang|bshare\w*|qrcode|ewm|print|toolbar"
    r"|breadcrumb|crumbs?|position|location|dqwz|comment\w*|pinglun|xgxw|related\w*|pager)"
    r"(?:[ _-]|$)",
    re.I,
)
JUNK_TAGS = frozenset({"div", "span", "ul", "p", "a", "section"})
# class/id words that article parts carry (container families, headline boxes)
MARK_CLASS_RE = re.compile(
    r"v_news_content|vsb_content|wp_articlecontent|TRS_Editor|^txt\b| txt$|rwb_zw|p-detail"
    r"|detailContent|detail_content|zoom|div_article_content|Cnt-Main-Article-QQ"
    r"|article-content|articleContent|article_content|rm_txt_con|u-mainText|caas-body|new_con"
    r"|neirong|page-detail-content|title|tit|headline|biaoti|new_bt",
    re.I,
)
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
CENTER_STYLE_RE = re.compile(r"text-align\s*:\s*center", re.I)
RIGHT_STYLE_RE = re.compile(r"text-align\s*:\s*right", re.I)
CAPTION_CLASS_RE = re.compile(
    r"img_?title|img_?desc|pic_?title|pic_?txt|imgtxt|pictext|caption|img-?text|photo_?title",
    re.I,
)
# Zero-width characters and private-use code points (icon-font glyphs) vanish; every other
# kind of white space becomes one ASCII space.
ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\ue000-\uf8ff]")
WHITESPACE_RUN_RE = re.compile(r"[\s\u00a0\u3000\u2000-\u200a\u202f\u205f]+")
# A "hard" gap inside one text node: U+3000, NBSP runs or several spaces separate meta fields.
HARD_GAP_RE = re.compile(r"[\u3000]+|[\s\u00a0]{2,}")
SEP = "\x1f"  # marks a boundary between text pieces of different elements (or a hard gap)


def squash(text: str) -> str:
    """Collapse every run of white space to one space and trim (zero-width chars removed).

    >>> squash("  方\\u3000\\u3000敏 \\u200b\\n x ")
    '方 敏 x'
    """
    # str.split() splits on exactly the characters \s matches (str.isspace), several times
    # faster than a regex substitution
    joined = " ".join(text.split())
    # The chars ZERO_WIDTH_RE removes are neither white space nor printable (Cf, Co): when
    # the result is printable, the text held none, and no regex scan is needed.
    if joined.isascii() or joined.isprintable():
        return joined
    return " ".join(ZERO_WIDTH_RE.sub("", text).split())


@dataclass(slots=True)
class Line:
    """One visual line of the page."""

    text: str
    pieces: str  # the text as found, element boundaries marked with SEP
    owner: etree._Element | None  # nearest block/cell element that holds the text
    images: tuple[str, ...] = ()
    link_chars: int = 0
    center: bool = False
    right: bool = False
    caption_hint: bool = False
    heading: bool = False

    @property
    def raw(self) -> str:
        """Pieces separated by SEP (element boundaries and hard gaps): what meta-line readers
        split fields on. Computed on demand: only a few lines per page are meta lines."""
        return HARD_GAP_RE.sub(SEP, self.pieces)


@dataclass(slots=True)
class Rendered:
    lines: list[Line]
    spans: dict[etree._Element, tuple[int, int]] = field(default_factory=dict)
    # visible elements whose class/id (or form name) may mark an article part, in page order:
    # what the container and title finders look at instead of querying the whole tree again
    marked: list[etree._Element] = field(default_factory=list)
    headings: list[etree._Element] = field(default_factory=list)  # h1-h3
    # skipped elements (invisible, junk widgets, profile excludes) -> the line index where they
    # sat, so a profile field read from one of them can still be placed in page order
    skipped: dict[etree._Element, int] = field(default_factory=dict)

    def position(self, el: etree._Element) -> int | None:
        """The line index where ``el`` (or its nearest placed ancestor) starts."""
        for node in (el, *el.iterancestors()):
            span = self.spans.get(node)
            if span is not None:
                return span[0]
            at = self.skipped.get(node)
            if at is not None:
                return at
        return None


@lru_cache(maxsize=4096)
def _class_facts(key: str) -> tuple[bool, bool, bool]:
    """(junk widget, article-part mark, caption box) for a "class id" string.

    Pages repeat the same class strings hundreds of times (and sites across pages): the three
    regex searches run once per distinct string.
    """
    return (
        bool(JUNK_CLASS_RE.search(key)),
        bool(MARK_CLASS_RE.search(key)),
        bool(CAPTION_CLASS_RE.search(key)),
    )


@lru_cache(maxsize=4096)
def _style_facts(style: str) -> tuple[bool, bool, bool]:
    """(hidden, centred, right-aligned) for a style attribute value."""
    return (
        bool(HIDDEN_STYLE_RE.search(style)),
        bool(CENTER_STYLE_RE.search(style)),
        bool(RIGHT_STYLE_RE.search(style)),
    )


NO_FACTS = (False, False, False)


def _has_block_child(el: etree._Element) -> bool:
    return any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS and c.tag != "br" for c in el)


class _Walker:
    """Accumulates inline text into lines; ``ctx`` is a stack of the enclosing block's facts."""

    __slots__ = ("a_depth", "buf", "buf_ctx", "buf_link", "ctx", "imgs", "lines")

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.buf: list[str] = []
        self.imgs: list[str] = []
        self.buf_link = 0
        # (owner, center, right, caption_hint, heading) of the innermost block
        self.ctx: list[tuple[etree._Element | None, bool, bool, bool, bool]] = [
            (None, False, False, False, False)
        ]
        self.buf_ctx = self.ctx[0]
        self.a_depth = 0

    def add(self, text: str | None) -> None:
        if not text:
            return
        if not self.buf and not self.imgs:
            self.buf_ctx = self.ctx[-1]
        self.buf.append(text)
        if self.a_depth:
            self.buf_link += len(text.strip())

    def flush(self) -> None:
        buf = self.buf
        if not buf and not self.imgs:
            return
        joined = "".join(buf)
        if not self.imgs and joined.isspace():
            # most flushes hold only the white space between two block tags: no line
            buf.clear()
            self.buf_link = 0
            return
        raw = SEP.join(buf) if len(buf) > 1 else joined
        text = squash(joined.replace(SEP, "") if SEP in joined else joined)
        if text or self.imgs:
            owner, center, right, cap, head = self.buf_ctx
            self.lines.append(
                Line(
                    text,
                    raw,
                    owner,
                    tuple(self.imgs),
                    min(self.buf_link, len(text)),
                    center,
                    right,
                    cap,
                    head,
                )
            )
        buf.clear()  # in place: render() holds these lists in locals
        self.imgs.clear()
        self.buf_link = 0


HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def render(root: etree._Element, skip: frozenset[etree._Element] = frozenset()) -> Rendered:
    """Walk ``root`` once and return its visual lines and every element's line span.

    >>> from lxml import html
    >>> doc = html.fromstring(
    ...     "<div><p>a<b>b</b></p><table><tr><td>x</td><td>y</td></tr></table></div>"
    ... )
    >>> [ln.text for ln in render(doc).lines]
    ['ab', 'x y']
    """
    w = _Walker()
    spans: dict[etree._Element, tuple[int, int]] = {}
    starts: dict[etree._Element, int] = {}
    walk = etree.iterwalk(root, events=("start", "end"))
    skipped: dict[etree._Element, int] = {}
    block_cells: set[etree._Element] = set()
    marked: list[etree._Element] = []
    headings: list[etree._Element] = []
    ctx = w.ctx
    # The walker's buffers, bound once: the hot paths below append to them inline (what
    # ``w.add`` does) and call ``w.flush`` only when there is something to flush.
    buf, imgs, lines = w.buf, w.imgs, w.lines
    for event, el in walk:
        tag = el.tag
        if not isinstance(tag, str):  # comments and processing instructions
            if event == "end":
                w.add(el.tail)
            continue
        if event == "start":
            if tag in SKIP_TAGS or el in skip:
                skipped[el] = len(lines)
                walk.skip_subtree()
                continue
            style = el.get("style")
            cls = el.get("class")
            ident = el.get("id")
            sfacts = _style_facts(style) if style else NO_FACTS
            cfacts = _class_facts(f"{cls or ''} {ident or ''}") if (cls or ident) else NO_FACTS
            if sfacts[0] or (cfacts[0] and tag in JUNK_TAGS):  # hidden, or a junk widget
                skipped[el] = len(lines)
                walk.skip_subtree()
                continue
            if cfacts[1] or (tag == "form" and el.get("name") == "_newscontent_fromname"):
                marked.append(el)
            if tag in ("h1", "h2", "h3"):
                headings.append(el)
            starts[el] = len(lines)
            if tag == "img":
                if not buf and not imgs:
                    w.buf_ctx = ctx[-1]
                imgs.append(el.get("src") or el.get("data-src") or el.get("original") or "")
                continue
            if tag in BLOCK_TAGS or tag in CELL_TAGS:
                if tag in BLOCK_TAGS:
                    if buf or imgs:
                        w.flush()
                elif _has_block_child(el):
                    w.flush()
                    block_cells.add(el)
                elif buf:
                    w.add(" ")
                parent = ctx[-1]
                align = el.get("align")
                align = align.lower() if align else ""
                right = align == "right" or sfacts[2]
                center = (
                    tag == "center"
                    or align == "center"
                    or sfacts[1]
                    or (parent[1] and not right and align != "left")
                )
                cap = parent[3] or tag == "figcaption" or cfacts[2]
                ctx.append((el, center, right or parent[2], cap, parent[4] or tag in HEADINGS))
            elif tag == "a":
                w.a_depth += 1
            # every read of .text/.tail builds a new str from libxml2's UTF-8: read each once
            text = el.text
            if text:  # most text/tail slots are empty; inline ``w.add(text)``
                if not buf and not imgs:
                    w.buf_ctx = ctx[-1]
                buf.append(text)
                if w.a_depth:
                    w.buf_link += len(text.strip())
        else:
            if el in skipped or tag == "img":
                tail = el.tail
                if tail:
                    w.add(tail)
                continue
            if tag in BLOCK_TAGS or tag in CELL_TAGS:
                if tag in BLOCK_TAGS or el in block_cells:
                    if buf or imgs:
                        w.flush()
                else:
                    w.add(" ")
                ctx.pop()
            elif tag == "a":
                w.a_depth -= 1
            spans[el] = (starts[el], len(lines))
            tail = el.tail
            if tail:  # inline ``w.add(tail)``
                if not buf and not imgs:
                    w.buf_ctx = ctx[-1]
                buf.append(tail)
                if w.a_depth:
                    w.buf_link += len(tail.strip())
    w.flush()
    return Rendered(w.lines, spans, marked, headings, skipped)
