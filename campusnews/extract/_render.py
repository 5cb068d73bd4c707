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
    return WHITESPACE_RUN_RE.sub(" ", ZERO_WIDTH_RE.sub("", text)).strip()


@dataclass(slots=True)
class Line:
    """One visual line of the page."""

    text: str
    raw: str  # pieces separated by SEP (element boundaries and hard gaps)
    owner: etree._Element | None  # nearest block/cell element that holds the text
    images: tuple[str, ...] = ()
    link_chars: int = 0
    center: bool = False
    right: bool = False
    caption_hint: bool = False
    heading: bool = False


@dataclass(slots=True)
class Rendered:
    lines: list[Line]
    spans: dict[etree._Element, tuple[int, int]] = field(default_factory=dict)

    def span(self, el: etree._Element) -> tuple[int, int] | None:
        return self.spans.get(el)


def _is_hidden(el: etree._Element) -> bool:
    style = el.get("style")
    if style and HIDDEN_STYLE_RE.search(style):
        return True
    return el.get("hidden") is not None


def _has_block_child(el: etree._Element) -> bool:
    return any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS and c.tag != "br" for c in el)


class _Walker:
    __slots__ = (
        "a_depth",
        "buf",
        "buf_cap",
        "buf_center",
        "buf_head",
        "buf_link",
        "buf_owner",
        "buf_right",
        "cap",
        "center",
        "head",
        "imgs",
        "lines",
        "owners",
        "right",
    )

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.buf: list[str] = []
        self.imgs: list[str] = []
        self.buf_link = 0
        self.buf_owner: etree._Element | None = None
        self.buf_center = self.buf_right = self.buf_cap = self.buf_head = False
        self.owners: list[etree._Element] = []
        self.center: list[bool] = [False]
        self.right: list[bool] = [False]
        self.cap: list[bool] = [False]
        self.head: list[bool] = [False]
        self.a_depth = 0

    def add(self, text: str | None) -> None:
        if not text:
            return
        if not self.buf:
            self.buf_owner = self.owners[-1] if self.owners else None
            self.buf_center, self.buf_right = self.center[-1], self.right[-1]
            self.buf_cap, self.buf_head = self.cap[-1], self.head[-1]
        self.buf.append(text)
        if self.a_depth:
            self.buf_link += len(text.strip())

    def flush(self) -> None:
        if not self.buf and not self.imgs:
            return
        raw = SEP.join(self.buf)
        text = squash(raw.replace(SEP, ""))
        if text or self.imgs:
            if not self.buf:
                self.buf_owner = self.owners[-1] if self.owners else None
                self.buf_center, self.buf_right = self.center[-1], self.right[-1]
                self.buf_cap, self.buf_head = self.cap[-1], self.head[-1]
            self.lines.append(
                Line(
                    text,
                    HARD_GAP_RE.sub(SEP, raw),
                    self.buf_owner,
                    tuple(self.imgs),
                    min(self.buf_link, len(text)),
                    self.buf_center,
                    self.buf_right,
                    self.buf_cap,
                    self.buf_head,
                )
            )
        self.buf = []
        self.imgs = []
        self.buf_link = 0


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
    skipped: set[etree._Element] = set()
    block_cells: set[etree._Element] = set()
    for event, el in walk:
        tag = el.tag
        if not isinstance(tag, str):  # comments and processing instructions
            if event == "end":
                w.add(el.tail)
            continue
        if event == "start":
            if tag in SKIP_TAGS or el in skip or _is_hidden(el):
                skipped.add(el)
                walk.skip_subtree()
                continue
            is_block = tag in BLOCK_TAGS or (tag in CELL_TAGS and _has_block_child(el))
            if is_block:
                w.flush()
                if tag in CELL_TAGS:
                    block_cells.add(el)
            starts[el] = len(w.lines)
            if tag == "img":
                src = el.get("src") or el.get("data-src") or el.get("original") or ""
                if not w.buf and not w.imgs:
                    w.buf_owner = w.owners[-1] if w.owners else None
                    w.buf_center = w.center[-1]
                w.imgs.append(src)
                continue
            if tag in BLOCK_TAGS or tag in CELL_TAGS:
                w.owners.append(el)
                style = el.get("style") or ""
                align = (el.get("align") or "").lower()
                w.center.append(
                    tag == "center"
                    or align == "center"
                    or bool(CENTER_STYLE_RE.search(style))
                    or (w.center[-1] and not RIGHT_STYLE_RE.search(style) and align != "left")
                )
                w.right.append(
                    align == "right" or bool(RIGHT_STYLE_RE.search(style)) or w.right[-1]
                )
                cls = (el.get("class") or "") + " " + (el.get("id") or "")
                w.cap.append(tag == "figcaption" or bool(CAPTION_CLASS_RE.search(cls)) or w.cap[-1])
                w.head.append(tag in ("h1", "h2", "h3", "h4", "h5", "h6") or w.head[-1])
            if tag in CELL_TAGS and w.buf:
                w.add(" ")
            if tag == "a":
                w.a_depth += 1
            w.add(el.text)
        else:
            if el in skipped:
                w.add(el.tail)
                continue
            if tag == "img":
                w.add(el.tail)
                continue
            if tag == "a":
                w.a_depth -= 1
            if tag in BLOCK_TAGS or tag in CELL_TAGS:
                if tag in BLOCK_TAGS or el in block_cells:
                    w.flush()
                w.owners.pop()
                w.center.pop()
                w.right.pop()
                w.cap.pop()
                w.head.pop()
            if tag in CELL_TAGS:
                w.add(" ")
            start = starts.get(el)
            if start is not None:
                spans[el] = (start, len(w.lines))
            w.add(el.tail)
    w.flush()
    return Rendered(w.lines, spans)
