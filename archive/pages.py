"""Fetched pages written as units, many per transaction (:meth:`archive.Archive.store_batch`).

A crawler hands over, per fetched page, its capture and what became of it: an extracted
article, a failure, or a ``304`` revisit. :func:`store_pages` writes each page with the same
functions the single-record methods use (``_captures.record``, ``_articles.store``,
``_ops.record_failure`` ...), in the caller's transaction, so the results are those of
``record_capture`` followed by ``store_article`` / ``touch_article`` / ``record_failure`` —
only the commit is shared. A page's capture and its article are therefore committed together:
there is no "captured but not stored" state left by a killed process any more.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from archive import _articles, _captures, _ops
from archive.records import ArticleIn, CaptureIn, CaptureResult, StoreResult

# Outcome of a page: an article outcome, or what else happened to it.
PAGE_OUTCOMES = ("new", "changed", "unchanged", "alias", "failed", "listing", "captured")
ARCHIVE_ERROR = "archive_error"  # failure reason of a page the archive could not store
NOT_MODIFIED_UNKNOWN = "not_modified_unknown"


@dataclass(frozen=True, slots=True)
class FailureIn:
    """Why a URL could not be archived: a short stable ``reason`` code and prose ``detail``."""

    reason: str
    detail: str = ""
    http_status: int | None = None


@dataclass(frozen=True, slots=True)
class PageIn:
    """One fetch and what became of it; at most one of ``failure``, ``not_modified``,
    ``article`` applies, in that order of precedence.

    * ``failure``: recorded for ``url`` (a repeat counts an attempt);
    * ``not_modified``: a ``304`` revisit moves the ``last_seen`` of the article known under
      ``url``; a ``304`` for a URL with no article is recorded as the failure
      ``not_modified_unknown`` (never silent);
    * ``article``: stored (new / changed / unchanged / alias) and the URL's failure resolved;
    * none: a ``listing`` page resolves its URL's failure; any other page is only captured.
    """

    site: str | None
    url: str
    kind: str = "article"  # article | listing
    capture: CaptureIn | None = None
    article: ArticleIn | None = None
    failure: FailureIn | None = None
    not_modified: bool = False
    run_id: int | None = None


@dataclass(frozen=True, slots=True)
class PageResult:
    """What :meth:`archive.Archive.store_batch` did with one page."""

    outcome: str  # one of PAGE_OUTCOMES
    capture: CaptureResult | None = None
    stored: StoreResult | None = None
    failure: FailureIn | None = None  # the failure recorded for the page, if any
    error: str | None = None  # the page could not be stored as given (failure 'archive_error')


def store_pages(s: Session, dialect: str, pages: Sequence[PageIn]) -> list[PageResult]:
    """Write ``pages`` in order inside the caller's transaction; one result per page."""
    # Resolving a failure is an UPDATE per stored page, and almost no page has one: look the
    # open ones up once for the batch, then track those this batch records itself.
    unresolved = _ops.open_failures(s, {p.url for p in pages})
    return [_store_page(s, dialect, p, unresolved) for p in pages]


def _store_page(s: Session, dialect: str, p: PageIn, unresolved: set[str]) -> PageResult:
    captured = None
    if p.capture is not None:
        if p.capture.fetched_at.tzinfo is None:
            raise ValueError("CaptureIn.fetched_at must be timezone-aware")
        captured = _captures.record(s, dialect, p.capture)
    if p.failure is not None:
        f = p.failure
        _ops.record_failure(s, p.site, p.url, f.reason, f.detail, p.run_id, f.http_status)
        unresolved.add(p.url)
        return PageResult("failed", captured, failure=f)
    if p.not_modified:
        if _ops.touch_article(s, p.url) is not None:
            return PageResult("unchanged", captured)
        f = FailureIn(NOT_MODIFIED_UNKNOWN, "HTTP 304 for a URL with no archived article", 304)
        _ops.record_failure(s, p.site, p.url, f.reason, f.detail, p.run_id, f.http_status)
        unresolved.add(p.url)
        return PageResult("failed", captured, failure=f)
    if p.article is not None:
        # The capture's own time is when the article was seen: no need to read it back.
        seen = p.capture.fetched_at if p.capture is not None else None
        capture_id = captured.capture_id if captured is not None else None
        stored = _articles.store(s, p.article, capture_id, p.run_id, seen=seen)
        _resolve(s, p.url, unresolved)
        return PageResult(stored.outcome, captured, stored)
    if p.kind == "listing":
        _resolve(s, p.url, unresolved)
        return PageResult("listing", captured)
    return PageResult("captured", captured)


def _resolve(s: Session, url: str, unresolved: set[str]) -> None:
    if url in unresolved:
        _ops.clear_failure(s, url)
        unresolved.discard(url)


def as_archive_error(page: PageIn, error: str) -> Iterator[PageIn]:
    """What to try storing instead of a page the archive refused, best first: its capture and
    the failure ``archive_error``, then the failure alone."""
    status = page.capture.status if page.capture is not None else None
    failure = FailureIn(ARCHIVE_ERROR, error, status)
    if page.capture is not None:
        yield PageIn(page.site, page.url, page.kind, page.capture, failure=failure,
                     run_id=page.run_id)  # fmt: skip
    yield PageIn(page.site, page.url, page.kind, failure=failure, run_id=page.run_id)
