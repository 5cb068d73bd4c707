"""Pure extraction: a page (bytes or text) + URL (+ site profile) in, a typed :class:`Article` out.

No Scrapy, no database, no clock, no network. Usable by the spiders, ``reextract`` and tests
with one function call::

    from campusnews.extract import extract
    article = extract("http://news.example.edu.cn/info/1012/1234.htm", raw_bytes)
"""

from __future__ import annotations

from campusnews.extract._core import extract
from campusnews.extract.listing import extract_listing
from campusnews.extract.types import Article, Caption, Credit, DecodeInfo, ListingLinks, TextFields
from campusnews.extract.urls import canonicalize_url, is_article_url

# Bump when extraction output can change for the same input (stored captures are re-extracted).
EXTRACTOR_VERSION = "1.1.0"

__all__ = [
    "EXTRACTOR_VERSION",
    "Article",
    "Caption",
    "Credit",
    "DecodeInfo",
    "ListingLinks",
    "TextFields",
    "canonicalize_url",
    "extract",
    "extract_listing",
    "is_article_url",
]
