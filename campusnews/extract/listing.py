"""Listing pages: which links are articles, which lead to the next listing page."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree

from campusnews.extract._page import base_url, parse_html, text_of
from campusnews.extract._profile import compiled, select
from campusnews.extract._render import squash
from campusnews.extract.types import ListingLinks
from campusnews.extract.urls import canonicalize_url, is_article_url
from campusnews.profiles import Profile

ANCHOR_XPATH = etree.XPath("//a[@href]")
DESCENDANT_ANCHORS_XPATH = etree.XPath("descendant-or-self::a[@href]")
# Next-page anchors by class (VSB a.Next, WebPlus a.next) and by text.
NEXT_CLASS_XPATH = etree.XPath(
    "//a[@href][contains(concat(' ', normalize-space(@class), ' '), ' Next ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' next ')]"
)
NEXT_TEXT_RE = re.compile(r"^\s*(?:下一页|下页|下一頁|下頁|>|›|»|Next|next\s*page)\s*$", re.I)
CURRENT_PAGE_XPATH = etree.XPath(
    "//*[contains(@class,'curr') or contains(@class,'active') or contains(@class,'cur')"
    " or self::strong]"
    "[normalize-space(text()) != ''][not(self::html)]"
)
DATED_ITEM_RE = re.compile(r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}|\b\d{2}[-/]\d{2}\b")
SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#")


def _absolute(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.lower().startswith(SKIP_SCHEMES):
        return None
    url = urljoin(base, href)
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    # Links are followed as published (only the fragment dropped): the archive must see every
    # URL an article is known under, so CMS-equivalent URLs are collapsed there, not here.
    return urldefrag(url)[0]


def _same_host(url: str, host: str | None) -> bool:
    return not host or urlsplit(url).hostname == host


def _dated_list_links(root: etree._Element, base: str, host: str | None) -> list[str]:
    """Links in list items that carry a date: the main list of a column page."""
    out: list[str] = []
    for a in ANCHOR_XPATH(root):
        item = a.getparent()
        for _ in range(2):
            if item is None or item.tag in ("li", "tr", "dd", "p", "div"):
                break
            item = item.getparent()
        if item is None or item.tag not in ("li", "tr", "dd", "p", "div"):
            continue
        text = squash(text_of(item))
        if len(text) > 200 or not DATED_ITEM_RE.search(text):
            continue
        if len(squash(text_of(a))) < 4 and not a.get("title"):
            continue
        url = _absolute(base, a.get("href", ""))
        if url and _same_host(url, host) and not url.endswith(("list.htm", "index.htm")):
            out.append(url)
    return out


MIN_GROUP = 3


def _main_group(anchors: list[tuple[etree._Element, str]]) -> list[str]:
    """The links of the list that holds most article links (sidebars of other columns dropped).

    Each link belongs to its lowest ancestor holding ``MIN_GROUP`` or more distinct article URLs.
    """
    counts: dict[etree._Element, set[str]] = {}
    for a, url in anchors:
        for anc in a.iterancestors():
            counts.setdefault(anc, set()).add(url)
    groups: dict[etree._Element | None, list[str]] = {}
    for a, url in anchors:
        key = next((anc for anc in a.iterancestors() if len(counts[anc]) >= MIN_GROUP), None)
        groups.setdefault(key, []).append(url)
    if not groups:
        return []
    return max(groups.values(), key=lambda urls: len(set(urls)))


def _next_pages(
    root: etree._Element, base: str, host: str | None, xp: etree.XPath | None
) -> list[str]:
    anchors = select(xp, root) if xp is not None else []
    anchors = [d for el in anchors for d in DESCENDANT_ANCHORS_XPATH(el)]
    if not anchors:
        anchors = NEXT_CLASS_XPATH(root) + [
            a for a in ANCHOR_XPATH(root) if NEXT_TEXT_RE.match(squash(text_of(a)) or "")
        ]
    if not anchors:  # numbered pager: the number after the current page
        for cur in CURRENT_PAGE_XPATH(root):
            t = squash(text_of(cur))
            if t.isdigit():
                want = str(int(t) + 1)
                anchors = [a for a in ANCHOR_XPATH(root) if squash(text_of(a)) == want]
                if anchors:
                    break
    out: list[str] = []
    for a in anchors:
        url = _absolute(base, a.get("href", ""))
        if url and _same_host(url, host) and url not in out:
            out.append(url)
    return out


def extract_listing(
    url: str,
    body: bytes | str,
    *,
    content_type: str | None = None,
    profile: Profile | None = None,
) -> ListingLinks:
    """Article links (absolute, same host, page order, no duplicates) and next pages.

    Links are returned as published, fragment dropped (CMS-equivalent forms are folded by
    :func:`canonicalize_url` where identity matters, in the archive).
    """
    if isinstance(body, bytes):
        from campusnews.normalize import decode_page

        body, _ = decode_page(body, content_type, hint=profile.encoding if profile else None)
    root = parse_html(body)
    base = base_url(root, url)
    host = urlsplit(url).hostname
    prof = compiled(profile) if profile else None
    links: list[str] = []
    if prof and prof.article_links is not None:
        for el in select(prof.article_links, root):
            for a in DESCENDANT_ANCHORS_XPATH(el):
                u = _absolute(base, a.get("href", ""))
                if u and _same_host(u, host):
                    links.append(u)
    else:
        shaped = []
        for a in ANCHOR_XPATH(root):
            u = _absolute(base, a.get("href", ""))
            if u and _same_host(u, host) and is_article_url(u):
                shaped.append((a, u))
        links = _main_group(shaped)
        if not links:
            links = _dated_list_links(root, base, host)
    if prof and prof.article_url_re is not None:
        links = [u for u in links if prof.article_url_re.search(u)]
    nexts = _next_pages(root, base, host, prof.next_page if prof else None)
    if prof and prof.listing_url_re is not None:
        nexts = [u for u in nexts if prof.listing_url_re.search(u)]
    self_urls = {url, canonicalize_url(url)}
    return ListingLinks(
        articles=tuple(dict.fromkeys(u for u in links if u not in self_urls)),
        next_pages=tuple(u for u in dict.fromkeys(nexts) if u not in self_urls),
    )
