"""From a fetched page to what the archive stores: extraction, validation, archive records.

The spider only navigates: it hands every fetch over as a
:class:`~campusnews.items.CapturedPage`, and an article page that still needs reading carries
its (decompressed) body in ``extract_body``. The article is extracted here, where the archive
writes (:mod:`campusnews.archive_writer`: its writer process, or its thread), so extraction
never takes turns with Scrapy's reactor thread (issue "Extraction does not starve the
crawler"). Pages are prepared and stored in the order they were handed over.

Nothing here imports Scrapy or Twisted: the writer process loads only this, the extractor and
the archive.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass

from archive import Archive, ArticleIn, CaptionIn, CaptureIn, CreditIn
from archive.pages import FailureIn, PageIn, PageResult
from campusnews.exceptions import CampusNewsError, DecodeError
from campusnews.extract import EXTRACTOR_VERSION, canonicalize_url, extract
from campusnews.extract.types import Article
from campusnews.items import CapturedPage, Failure
from campusnews.profiles import Profile

# ExtractionError messages (campusnews.extract) → our stable codes.
_EXTRACTION_REASONS = (("no title found", "no_title"), ("no article text found", "no_body"))


@dataclass(slots=True)
class PageWork:
    """One fetched page for the archive writer, with the crawl run it belongs to."""

    item: CapturedPage
    run_id: int | None


@dataclass(frozen=True, slots=True)
class Prepared:
    """One page ready for the archive, with what the crawl counts and logs about it."""

    page: PageIn
    failure: Failure | None = None  # found by the crawl or by extraction (not by the archive)
    captions: int = 0  # of the extracted article
    credits: int = 0
    crash: str | None = None  # the traceback of an extractor bug, for the crawl's log


@dataclass(frozen=True, slots=True)
class WorkDone:
    """What became of one :class:`PageWork`: the archive's result and what the crawl logs."""

    result: PageResult
    failure: Failure | None = None
    captions: int = 0
    credits: int = 0
    crash: str | None = None


def store_work(
    archive: Archive, works: Sequence[PageWork | PageIn], profile: Profile | None
) -> list[WorkDone | PageResult]:
    """Extract what still needs it, then store every page in one transaction, in order.

    A ``PageWork`` gives a :class:`WorkDone`; a ready ``PageIn`` (stored as is) its
    :class:`~archive.pages.PageResult`.
    """
    prepared = [prepare(w, profile) if isinstance(w, PageWork) else w for w in works]
    results = archive.store_batch([p.page if isinstance(p, Prepared) else p for p in prepared])
    return [
        WorkDone(result, p.failure, p.captions, p.credits, p.crash)
        if isinstance(p, Prepared)
        else result
        for p, result in zip(prepared, results, strict=True)
    ]


def prepare(work: PageWork, profile: Profile | None) -> Prepared:
    """The archive input of one page, extracting its article when it still needs it.

    The item is not modified (in a writer thread the crawl still holds it).
    """
    item = work.item
    article, failure, crash = None, item.failure, None
    if item.extract_body is not None and failure is None:
        try:
            article = extract(
                item.final_url or item.url,
                item.extract_body,
                content_type=item.content_type,
                profile=profile,
            )
        except CampusNewsError as e:
            failure = Failure(extraction_reason(e), str(e), item.status)
        except Exception as e:  # an extractor bug must cost one page, not the crawl
            crash = traceback.format_exc()
            failure = Failure("extraction", f"{type(e).__name__}: {e}", item.status)
    elif failure is None:
        article = item.article
    if article is not None and failure is None:
        rejected = rejection(article)
        if rejected is not None:
            failure, article = Failure(*rejected, item.status), None
    # Here ``article`` is None whenever there is a failure.
    return Prepared(
        page_record(item, work.run_id, article, failure),
        failure=failure,
        captions=len(article.captions) if article is not None else 0,
        credits=len(article.credits) if article is not None else 0,
        crash=crash,
    )


def extraction_reason(exc: CampusNewsError) -> str:
    """The stable failure code for an error raised by decoding or extraction.

    >>> from campusnews.exceptions import ExtractionError
    >>> extraction_reason(DecodeError("x")), extraction_reason(ExtractionError("u: no title found"))
    ('undecodable', 'no_title')
    >>> extraction_reason(ExtractionError("u: no article text found"))
    'no_body'
    """
    if isinstance(exc, DecodeError):
        return "undecodable"
    text = str(exc)
    return next((code for needle, code in _EXTRACTION_REASONS if needle in text), "extraction")


def rejection(article: Article) -> tuple[str, str] | None:
    """``(reason, detail)`` when an extracted article cannot be archived, else None.

    The one rule shared by the crawl and ``reextract``. Nothing is dropped: the capture still
    reaches the archive; only its article is withheld, so a broken page never replaces a good
    earlier version.
    """
    if not (article.title or "").strip():
        return "no_title", "no title found"
    if not article.body.strip():
        return "no_body", "no body text found"
    return None


def article_record(site: str, requested_url: str, article: Article) -> ArticleIn:
    """The archive's input record for one extracted article (original and Simplified fields)."""
    o, n = article.original, article.normalized
    return ArticleIn(
        site=site,
        url=requested_url,
        canonical_url=article.canonical_url or canonicalize_url(article.url),
        title=o.title or "",
        title_norm=n.title or "",
        date=article.date,
        source=o.source,
        source_norm=n.source,
        body=o.body_text,
        body_norm=n.body_text,
        captions=[
            CaptionIn(text=c.text, text_norm=cn.text, image_url=c.image_url)
            for c, cn in zip(o.captions, n.captions, strict=True)
        ],
        credits=[
            CreditIn(role=c.role, name=c.name, role_norm=cn.role, name_norm=cn.name)
            for c, cn in zip(o.credits, n.credits, strict=True)
        ],
        script=article.script,
        mirror_artifact=article.mirror_artifact,
        extractor_version=EXTRACTOR_VERSION,
    )


def capture_record(
    item: CapturedPage, run_id: int | None, article: Article | None = None
) -> CaptureIn | None:
    """The archive's crawl-log record for one fetch (None when nothing was received).

    ``article``, when the page was read, gives how its bytes were decoded.
    """
    if item.status is None or item.fetched_at is None:
        return None
    decode = article.decode if article is not None else None
    return CaptureIn(
        url=item.url,
        final_url=item.final_url or item.url,
        fetched_at=item.fetched_at,
        status=item.status,
        headers=item.headers,
        body=item.body or b"",
        site=item.site,
        run_id=run_id,
        request_headers=item.request_headers,
        duration_ms=item.duration_ms,
        referrer=item.referrer,
        kind=item.kind,
        content_encoding=item.content_encoding,
        encoding=decode.encoding if decode else None,
        encoding_source=decode.source if decode else None,
        declared_charset=decode.declared if decode else None,
        encoding_contradicted=decode.contradicted_declared if decode else False,
        decode_errors=decode.errors if decode else None,
        decode_error_rate=decode.error_rate if decode else None,
    )


def page_record(
    item: CapturedPage,
    run_id: int | None,
    article: Article | None,
    failure: Failure | None,
) -> PageIn:
    """The archive's input for one fetched page: its capture and what became of it."""
    return PageIn(
        site=item.site,
        url=item.url,
        kind=item.kind,
        capture=capture_record(item, run_id, article),
        article=(
            article_record(item.site, item.url, article)
            if article is not None and failure is None and not item.not_modified
            else None
        ),
        failure=(
            FailureIn(failure.reason, failure.detail, failure.http_status)
            if failure is not None
            else None
        ),
        not_modified=item.not_modified,
        run_id=run_id,
    )
