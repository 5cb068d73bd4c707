"""Profile selectors compiled once per profile (cached) into lxml XPath objects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lxml import etree

from campusnews.extract._credits import find_labelled_credits, parse_credit_line
from campusnews.extract._page import absolute_url, text_of
from campusnews.extract._render import Rendered, squash
from campusnews.extract._xpath import last_step_first
from campusnews.extract.types import Credit
from campusnews.profiles import Profile, to_xpath

# parsel's CSS translation yields "descendant-or-self::..."; anchored at the document root.


# cssselect's class test builds a padded string for every element it looks at; a plain
# ``contains(@class, 'x')`` first (implied by the full test) rejects most elements cheaply.
CSS_CLASS_TEST_RE = re.compile(
    r"@class and (contains\(concat\(' ', normalize-space\(@class\), ' '\), ' ([^' ]+) '\))"
)
# Where such a test (or cssselect's ``[a*=v]`` test, ``@a and contains(@a, 'v')``) is a whole
# operand of an ``and`` chain, its ``@a and`` guard goes: ``contains(@a, 'v')`` with a non-empty
# ``v`` is already false without the attribute (the string value of no node is ""), and libxml2
# pays for the guard on every element it tests (webplus's title query: 45 -> 33 us).
# A whole operand: after "[", "(", "and " or "or ", before "]", ")", " and " or " or ".
_OPERAND_START = r"(?:(?<=\[)|(?<=\()|(?<=\band )|(?<=\bor ))"
_OPERAND_END = r"(?=\]|\)| and | or )"
CSS_CLASS_OPERAND_RE = re.compile(_OPERAND_START + CSS_CLASS_TEST_RE.pattern + _OPERAND_END)
CSS_CONTAINS_OPERAND_RE = re.compile(
    _OPERAND_START + r"@([\w-]+) and (contains\(@\1, '[^']+'\))" + _OPERAND_END
)
# A whole predicate testing an id (cssselect's ``#x``: ``*[@id = 'x']``) gets an ``[@id]``
# filter first: few elements carry an id, and libxml2 tests the bare attribute's presence
# much faster than it compares its value (vsb's body query: 13 -> 9 us). Filtering on ``@id``
# first and then on its value keeps the same elements in the same order.
CSS_ID_PREDICATE_RE = re.compile(r"\[@id = ('[^']*')\]")
# cssselect writes the descendant combinator as ``/descendant-or-self::*/``; ``//`` means the
# same (text nodes have no children) and libxml2 evaluates it without the intermediate set.
CSS_DESCENDANT = "/descendant-or-self::*/"


def fast_xpath(selector: str) -> str:
    """The XPath of a profile selector, rewritten into an equivalent that evaluates faster.

    (cssselect 1.6 writes the descendant combinator as ``/descendant::``, which is left as is.)

    >>> fast_xpath("div.a p").startswith(
    ...     "descendant-or-self::div[contains(@class, 'a') and contains(concat(' ', "
    ...     "normalize-space(@class), ' '), ' a ')]/"
    ... )
    True
    >>> fast_xpath("p[style*=right]")
    "descendant-or-self::p[contains(@style, 'right')]"
    >>> fast_xpath("div#x")
    "descendant-or-self::div[@id][@id = 'x']"
    >>> fast_xpath("#x h1")
    "descendant::h1[ancestor::*[@id][@id = 'x']]"
    """
    xpath = to_xpath(selector).replace(CSS_DESCENDANT, "//")
    xpath = CSS_CLASS_OPERAND_RE.sub(r"contains(@class, '\2') and \1", xpath)
    xpath = CSS_CONTAINS_OPERAND_RE.sub(r"\2", xpath)
    xpath = CSS_ID_PREDICATE_RE.sub(r"[@id][@id = \1]", xpath)
    xpath = CSS_CLASS_TEST_RE.sub(r"@class and contains(@class, '\2') and \1", xpath)
    return last_step_first(xpath)


def _compile(selector: str | None) -> etree.XPath | None:
    return _xpath(fast_xpath(selector)) if selector else None


@cache
def _xpath(path: str) -> etree.XPath:
    # one object per distinct query, so fields sharing a selector (date and source often
    # read the same meta line) share one result per page (see ``Selections``)
    return new_xpath(path)


def new_xpath(path: str) -> etree.XPath:
    """``etree.XPath(path)`` without EXSLT regular expressions: lxml registers those functions
    on every evaluation (~0.2 us a query), and no query can call them (``re:test`` needs the
    ``re`` prefix bound, and no namespaces are given: "Undefined namespace prefix")."""
    return etree.XPath(path, regexp=False)


@dataclass(frozen=True, slots=True)
class CompiledProfile:
    title: etree.XPath | None
    date: etree.XPath | None
    source: etree.XPath | None
    body: etree.XPath | None
    captions: etree.XPath | None
    credits: etree.XPath | None
    exclude: tuple[etree.XPath, ...]
    article_links: etree.XPath | None
    next_page: etree.XPath | None
    article_url_re: re.Pattern[str] | None
    listing_url_re: re.Pattern[str] | None

    @property
    def complete(self) -> bool:
        """True when every article field has a selector: only those elements need reading."""
        return None not in (self.title, self.date, self.source, self.body, self.credits)


@cache
def compiled(profile: Profile) -> CompiledProfile:
    """The profile's selectors as compiled XPath (cached: compiled once per profile)."""
    a, li = profile.article, profile.listing
    return CompiledProfile(
        title=_compile(a.title),
        date=_compile(a.date),
        source=_compile(a.source),
        body=_compile(a.body),
        captions=_compile(a.captions),
        credits=_compile(a.credits),
        # one union query for every exclude selector: one pass over the tree, not one each
        exclude=(new_xpath(" | ".join(fast_xpath(s) for s in a.exclude)),) if a.exclude else (),
        article_links=etree.XPath(to_xpath(li.article_links)) if li.article_links else None,
        next_page=etree.XPath(to_xpath(li.next_page)) if li.next_page else None,
        article_url_re=re.compile(li.article_url_pattern) if li.article_url_pattern else None,
        listing_url_re=re.compile(li.listing_url_pattern) if li.listing_url_pattern else None,
    )


def select(xp: etree.XPath | None, root: etree._Element) -> list[etree._Element]:
    if xp is None:
        return []
    return [el for el in xp(root) if isinstance(el, etree._Element)]


class Selections:
    """:func:`select` on one page's tree, each distinct query evaluated once."""

    __slots__ = ("_found", "_root")

    def __init__(self, root: etree._Element) -> None:
        self._root = root
        self._found: dict[etree.XPath, list[etree._Element]] = {}

    def __call__(self, xp: etree.XPath | None) -> list[etree._Element]:
        if xp is None:
            return []
        found = self._found.get(xp)
        if found is None:
            found = self._found[xp] = select(xp, self._root)
        return list(found)  # a copy: callers may change theirs


# The picture a caption belongs to: one inside the caption element (WebPlus prints the <img>
# and its text in one centred <p>), else the nearest one before it in document order.
OWN_IMAGE_XPATH = etree.XPath("descendant::img[1]", regexp=False)
PREVIOUS_IMAGE_XPATH = etree.XPath("preceding::img[1]", regexp=False)


def image_src(img: etree._Element) -> str:
    """The address an ``<img>`` shows (lazy-loading attributes when ``src`` is empty)."""
    return (img.get("src") or img.get("data-src") or img.get("original") or "").strip()


def caption_image(el: etree._Element, container: etree._Element | None, base: str) -> str | None:
    """The absolute URL of the picture caption element ``el`` describes, if one is found.

    An image before the caption counts only inside the article container (never a logo in the
    page header).
    """
    found = OWN_IMAGE_XPATH(el) or PREVIOUS_IMAGE_XPATH(el)
    if not found:
        return None
    img = found[0]
    if container is not None and img is not container:
        for anc in img.iterancestors():
            if anc is container:
                break
        else:
            return None
    src = image_src(img)
    return absolute_url(base, src) if src else None


PRECEDING_COUNT = etree.XPath("count(preceding::*)", regexp=False)


def element_credits(el: etree._Element, rendered: Rendered) -> list[Credit]:
    """Credits read from one profile-selected element (its rendered lines, or its text when
    the profile also excludes it from the body)."""
    span = rendered.spans.get(el)
    out: list[Credit] = []
    if span and span[1] > span[0]:
        for ln in rendered.lines[span[0] : span[1]]:
            out.extend(parse_credit_line(ln.text) or find_labelled_credits(ln.raw))
        return out
    text = squash(text_of(el))
    return parse_credit_line(text) or find_labelled_credits(text)


def page_position(
    el: etree._Element, rendered: Rendered, container: etree._Element, n_lines: int
) -> int:
    """Where a profile-selected element sits among the lines: its own line when rendered,
    else before (-1) or after (``n_lines``) the rendered part of the page."""
    at = rendered.position(el)
    if at is not None:
        return at
    return -1 if PRECEDING_COUNT(el) < PRECEDING_COUNT(container) else n_lines
