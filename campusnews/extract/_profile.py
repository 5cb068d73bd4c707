"""Profile selectors compiled once per profile (cached) into lxml XPath objects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lxml import etree

from campusnews.profiles import Profile, to_xpath

# parsel's CSS translation yields "descendant-or-self::..."; anchored at the document root.


def _compile(selector: str | None) -> etree.XPath | None:
    return etree.XPath(to_xpath(selector)) if selector else None


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
        exclude=tuple(etree.XPath(to_xpath(s)) for s in a.exclude),
        article_links=_compile(li.article_links),
        next_page=_compile(li.next_page),
        article_url_re=re.compile(li.article_url_pattern) if li.article_url_pattern else None,
        listing_url_re=re.compile(li.listing_url_pattern) if li.listing_url_pattern else None,
    )


def select(xp: etree.XPath | None, root: etree._Element) -> list[etree._Element]:
    if xp is None:
        return []
    return [el for el in xp(root) if isinstance(el, etree._Element)]
