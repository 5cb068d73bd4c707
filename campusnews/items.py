"""The item the spider hands to the pipelines: one fetched page and what became of it.

Articles themselves are :class:`campusnews.extract.types.Article` (pure extraction output);
this item wraps one fetch with its provenance so nothing is lost on the way to the archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from campusnews.extract.types import Article


@dataclass(slots=True)
class Failure:
    """Why a URL could not be archived. ``reason`` is a short stable code, ``detail`` prose."""

    # http_error | timeout | connection_refused | dns | redirect_loop | too_large | truncated |
    # robots | undecodable | no_title | no_body | extraction | network
    reason: str
    detail: str = ""
    http_status: int | None = None


@dataclass(slots=True)
class CapturedPage:
    """One HTTP fetch (an article or listing page, or a failed attempt)."""

    site: str
    kind: str  # "article" | "listing"
    url: str  # as requested
    final_url: str | None = None  # after redirects (None when nothing was received)
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None  # raw payload as received
    content_encoding: str | None = None  # set when ``body`` is still compressed
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    fetched_at: datetime | None = None
    duration_ms: int | None = None
    referrer: str | None = None
    not_modified: bool = False  # a 304 answer to our conditional GET
    content_type: str | None = None  # the response's Content-Type header
    # An article page still to be read: its decompressed body. The archive writer extracts it
    # off the reactor thread (campusnews.pagework); the spider itself does not extract.
    extract_body: bytes | None = None
    article: Article | None = None  # an article already extracted (the writer extracts the rest)
    failure: Failure | None = None
