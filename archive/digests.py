"""Digests and derived keys: pure functions, no database.

>>> payload_digest(b"")
'sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
>>> iso_day("2024-03-05T08:00:00+08:00")
datetime.date(2024, 3, 5)
>>> iso_day("sometime") is None
True
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import date
from typing import Any

from archive.records import ArticleIn

# The leading YYYY-MM-DD of an ISO 8601 date or datetime.
ISO_DAY_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def payload_digest(data: bytes) -> str:
    """WARC-style digest of raw bytes: ``sha1:`` + base32 of the SHA-1, as WARC tools write it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def content_fields(a: ArticleIn) -> dict[str, Any]:
    """The original fields that make an article's content (what a new version is judged on)."""
    return {
        "title": a.title,
        "date": a.date,
        "source": a.source,
        "body": a.body,
        "captions": [[c.text, c.image_url] for c in a.captions],
        "credits": [[c.role, c.name] for c in a.credits],
    }


def content_hash(a: ArticleIn) -> str:
    """SHA-256 (hex) of the article's original fields, as canonical JSON.

    Covers title, date, source, body, captions (text, image URL) and credits (role, name) as
    extracted, not their normalized forms: a change in our normalizer is not a new version.

    >>> from dataclasses import replace
    >>> from archive.records import ArticleIn
    >>> a = ArticleIn(site="s", url="u", canonical_url="u", title="标题", title_norm="标题",
    ...     date=None, source=None, source_norm=None, body="正文", body_norm="正文",
    ...     captions=[], credits=[], script="hans")
    >>> content_hash(a) == content_hash(replace(a, url="other", title_norm="标"))
    True
    >>> content_hash(a) == content_hash(replace(a, body="正文。"))
    False
    >>> len(content_hash(a))
    64
    """
    canon = json.dumps(content_fields(a), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def iso_day(value: str | None) -> date | None:
    """The calendar day an ISO 8601 date/datetime string starts with, or None."""
    if not value:
        return None
    m = ISO_DAY_PREFIX.match(value)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:  # e.g. 2024-02-30 from a sloppy page
        return None
