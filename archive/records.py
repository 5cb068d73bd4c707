"""What the archive is given to store. Plain dataclasses: the archive knows nothing of Scrapy.

The crawler's pipeline turns a fetched response into a :class:`CaptureIn` and an extracted
article into an :class:`ArticleIn`; ``reextract`` and ``migrate-archive`` build them too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Outcome = Literal["new", "changed", "unchanged", "alias"]


@dataclass(frozen=True, slots=True)
class CaptureIn:
    """One HTTP fetch, with provenance and the raw bytes as received."""

    url: str  # the URL requested
    final_url: str  # after redirects
    fetched_at: datetime  # timezone-aware (UTC)
    status: int
    headers: list[tuple[str, str]]  # response headers, in order, as received
    body: bytes  # raw payload as received (before decompression when available)
    site: str | None = None
    run_id: int | None = None
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    duration_ms: int | None = None
    referrer: str | None = None
    kind: str = "article"  # article | listing | other
    content_encoding: str | None = None  # e.g. gzip, when ``body`` is still compressed
    # decoding facts (None for non-text captures)
    encoding: str | None = None
    encoding_source: str | None = None
    declared_charset: str | None = None
    encoding_contradicted: bool = False
    decode_errors: int | None = None
    decode_error_rate: float | None = None


@dataclass(frozen=True, slots=True)
class CaptionIn:
    text: str
    text_norm: str
    image_url: str | None = None


@dataclass(frozen=True, slots=True)
class CreditIn:
    role: str  # as printed
    name: str
    role_norm: str  # Simplified
    name_norm: str


@dataclass(frozen=True, slots=True)
class ArticleIn:
    """One extracted article, original and Simplified-normalized fields side by side."""

    site: str
    url: str  # the URL it was fetched from
    canonical_url: str  # the deduplication key
    title: str
    title_norm: str
    date: str | None  # ISO 8601
    source: str | None
    source_norm: str | None
    body: str  # paragraphs joined by "\n"
    body_norm: str
    captions: list[CaptionIn]
    credits: list[CreditIn]
    script: str | None  # hans | hant | None
    mirror_artifact: bool = False
    extractor_version: str = ""


@dataclass(frozen=True, slots=True)
class StoreResult:
    article_id: int
    version_id: int
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class CaptureResult:
    """What :meth:`archive.Archive.record_capture` stored."""

    capture_id: int
    digest: str  # 'sha1:BASE32' of the payload the capture points at
    revisit_profile: str | None  # 'identical-payload-digest' | 'server-not-modified' | None
    payload_new: bool  # True when these bytes were not in the archive before
