"""Find the article container: known CMS families first, then text-density scoring."""

from __future__ import annotations

import re

from lxml import etree

from campusnews.extract._render import Line, Rendered

# Known CMS families, strongest first. A match is trusted even when it holds no text (an
# image-only article), because these ids/classes are only ever the article body.


def _has_class(el: etree._Element, name: str) -> bool:
    return name in (el.get("class") or "").split()


# Known CMS families, strongest first. A match is trusted even when it holds no text (an
# image-only article), because these ids/classes are only ever the article body.
CMS_FAMILIES = (
    # VSB (博达): static export and content.jsp pages
    lambda el: el.tag == "div" and "v_news_content" in (el.get("class") or ""),
    lambda el: (el.get("id") or "").startswith("vsb_content"),
    lambda el: el.tag == "form" and el.get("name") == "_newscontent_fromname",
    # WebPlus (sudy)
    lambda el: "wp_articlecontent" in (el.get("class") or ""),
    # TRS WCM
    lambda el: "TRS_Editor" in (el.get("class") or ""),
    # news.nankai.edu.cn
    lambda el: el.tag == "td" and el.get("id") == "txt",
)
# Common article-body ids/classes of other CMSs; trusted only when they hold real text.
COMMON_BODY_IDS = frozenset(
    {
        "rwb_zw",
        "p-detail",
        "detailContent",
        "detail_content",
        "zoom",
        "div_article_content",
        "Cnt-Main-Article-QQ",
        "article-content-inner",
        "articleContent",
        "article_content",
    }
)
COMMON_BODY_CLASSES = (
    "rm_txt_con",
    "u-mainText",
    "caas-body",
    "article-content",
    "new_con",
    "neirong",
    "page-detail-content",
)
MIN_COMMON_CHARS = 40
NEGATIVE_CLASS_RE = re.compile(
    r"comment|footer|foot|sidebar|side|nav|menu|related|recommend|hot|rank|copyright|share"
    r"|links|friend|banner|header|top|login|search|ad[-_]|list",
    re.I,
)
POSITIVE_CLASS_RE = re.compile(
    r"article|content|detail|text|body|news|main|zw|con|txt|entry|post", re.I
)
HAN_RE = re.compile(r"[\u3400-\u9fff]")
PARAGRAPH_TAGS = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dd",
        "dt",
        "blockquote",
        "pre",
        "center",
        "font",
        "span",
        "strong",
        "b",
    }
)


def _text_weight(line: Line) -> float:
    han = len(HAN_RE.findall(line.text))
    other = len(line.text) - han
    weight = han + other / 3.0
    if line.link_chars > 0.5 * max(1, len(line.text)):
        return -weight * 0.5  # navigation and headline lists
    if han < 8 and not line.images:
        return weight * 0.3
    # punctuation marks prose
    return weight + 5 * (line.text.count("，") + line.text.count("。") + line.text.count(","))


def cms_container(root: etree._Element, rendered: Rendered) -> etree._Element | None:
    """The body element of a recognised CMS family, if the page is one."""
    marked = rendered.marked
    for family in CMS_FAMILIES:
        for el in marked:
            if family(el):
                return el
    for el in marked:
        if el.get("id") in COMMON_BODY_IDS or any(_has_class(el, c) for c in COMMON_BODY_CLASSES):
            span = rendered.spans.get(el)
            if (
                span
                and sum(len(ln.text) for ln in rendered.lines[span[0] : span[1]])
                >= MIN_COMMON_CHARS
            ):
                return el
    return None


def density_container(
    rendered: Rendered, body: etree._Element, title_end: int | None = None
) -> etree._Element | None:
    """The element that collects the most prose (readability-style score propagation).

    With a headline position, containers that start far from it (related-news boxes, lists
    of other stories) are discounted.
    """
    scores: dict[etree._Element, float] = {}
    for line in rendered.lines:
        owner = line.owner
        if owner is None or not line.text:
            continue
        w = _text_weight(line)
        node = owner.getparent() if owner.tag in PARAGRAPH_TAGS else owner
        factor = 1.0
        for _ in range(3):
            if node is None or node is body:
                break
            scores[node] = scores.get(node, 0.0) + w * factor
            node = node.getparent()
            factor /= 2
    best, best_score = None, 0.0
    for el, score in scores.items():
        cls = f"{el.get('class') or ''} {el.get('id') or ''}"
        if cls.strip():
            if NEGATIVE_CLASS_RE.search(cls) and not POSITIVE_CLASS_RE.search(cls):
                score *= 0.3
            elif POSITIVE_CLASS_RE.search(cls):
                score *= 1.1
        if title_end is not None:
            span = rendered.spans.get(el)
            if span and not (span[0] < title_end <= span[1]):
                gap = (
                    abs(span[0] - title_end)
                    if span[0] >= title_end
                    else abs(title_end - span[1]) + 5
                )
                score /= 1 + max(0, gap - 2) / 6
        if score > best_score:
            best, best_score = el, score
    return best
