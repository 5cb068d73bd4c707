"""Crawl operations: failures and revisits (writes), what is known (incremental crawls), the
capture each article came from (re-extraction), and field coverage of a run (layout alerts).

Used by :class:`archive.Archive` and :mod:`archive.pages`; functions take an open
:class:`~sqlalchemy.orm.Session` inside the caller's transaction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import case, exists, func, select, update
from sqlalchemy.orm import Session

from archive import _articles
from archive.schema import Article, ArticleUrl, Caption, Capture, Credit, Failure, Version

COVERAGE_FIELDS = ("date", "source", "captions", "credits", "body")


def record_failure(
    s: Session,
    site: str | None,
    url: str,
    reason: str,
    detail: str,
    run_id: int | None,
    http_status: int | None,
) -> None:
    """Record a failed URL; see :meth:`archive.Archive.record_failure`."""
    now = datetime.now(UTC)
    row = s.scalar(select(Failure).where(Failure.url == url).with_for_update())
    if row is None:
        s.add(
            Failure(
                site=site,
                url=url,
                run_id=run_id,
                reason=reason,
                detail=detail,
                http_status=http_status,
                attempts=1,
                first_at=now,
                last_at=now,
            )
        )
        return
    row.attempts += 1
    row.last_at = now
    row.reason, row.detail, row.http_status = reason, detail, http_status
    row.run_id = run_id if run_id is not None else row.run_id
    row.site = site if site is not None else row.site
    row.resolved_at = None


def open_failures(s: Session, urls: set[str]) -> set[str]:
    """Which of ``urls`` have an open (unresolved) failure."""
    if not urls:
        return set()
    stmt = select(Failure.url).where(Failure.url.in_(urls), Failure.resolved_at.is_(None))
    return set(s.scalars(stmt))


def clear_failure(s: Session, url: str) -> bool:
    """Mark the URL's open failure resolved; False if none was open."""
    done = s.execute(
        update(Failure)
        .where(Failure.url == url, Failure.resolved_at.is_(None))
        .values(resolved_at=datetime.now(UTC))
    )
    return done.rowcount == 1  # type: ignore[attr-defined]


def touch_article(s: Session, url: str) -> int | None:
    """Move ``last_seen`` of the article seen under ``url``; its id, or None if unknown."""
    article_id = _articles.article_id_for_url(s, url)
    if article_id is not None:
        s.execute(
            update(Article).where(Article.id == article_id).values(last_seen=datetime.now(UTC))
        )
    return article_id


def known_articles(s: Session, site: str) -> dict[str, dict[str, Any]]:
    """Every URL (canonical and alias) of the site's articles → schedule facts of its article."""
    stmt = (
        select(
            ArticleUrl.url,
            Article.id,
            Article.canonical_url,
            Article.first_seen,
            Article.last_seen,
            Version.day,
        )
        .join(Article, Article.id == ArticleUrl.article_id)
        .outerjoin(Version, Version.id == Article.latest_version_id)
        .where(Article.site == site)
    )
    out: dict[str, dict[str, Any]] = {}
    for url, art_id, canonical, first_seen, last_seen, day in s.execute(stmt):
        out[url] = {
            "article_id": art_id,
            "canonical_url": canonical,
            "first_seen": first_seen,
            "last_seen": last_seen,
            "day": day,
        }
    return out


def article_ids(s: Session, site: str | None, since: date | None, until: date | None) -> list[int]:
    """Article ids by id, filtered by site and the latest version's day (inclusive)."""
    stmt = select(Article.id).join(Version, Version.id == Article.latest_version_id)
    if site is not None:
        stmt = stmt.where(Article.site == site)
    if since is not None:
        stmt = stmt.where(Version.day >= since)
    if until is not None:
        stmt = stmt.where(Version.day <= until)
    return list(s.scalars(stmt.order_by(Article.id)))


def latest_capture(s: Session, article_id: int) -> dict[str, Any] | None:
    """The newest 200 article capture under any URL of the article, or None."""
    urls = select(ArticleUrl.url).where(ArticleUrl.article_id == article_id)
    stmt = (
        select(Capture)
        .where(Capture.url.in_(urls), Capture.status == 200, Capture.kind == "article")
        .order_by(Capture.fetched_at.desc(), Capture.id.desc())
        .limit(1)
    )
    c = s.scalar(stmt)
    if c is None:
        return None
    content_type = next((v for k, v in c.headers if k.lower() == "content-type"), None)
    return {
        "capture_id": c.id,
        "url": c.url,
        "final_url": c.final_url,
        "fetched_at": c.fetched_at,
        "payload_digest": c.payload_digest,
        "content_encoding": c.content_encoding,
        "content_type": content_type,
    }


def run_coverage(s: Session, run_id: int) -> dict[str, Any]:
    """Share of the versions stored by a run (new and changed) that have each field.

    ``{"n": versions, "date": share, "source": ..., "captions": ..., "credits": ...,
    "body": ...}``; shares are None when the run stored no version.
    """
    has_caption = exists().where(Caption.version_id == Version.id)
    has_credit = exists().where(Credit.version_id == Version.id)

    row = s.execute(
        select(
            func.count(Version.id),
            func.sum(_as_int(Version.date.is_not(None) & (Version.date != ""))),
            func.sum(_as_int(Version.source.is_not(None) & (Version.source != ""))),
            func.sum(_as_int(has_caption)),
            func.sum(_as_int(has_credit)),
            func.sum(_as_int(func.length(func.trim(Version.body)) > 0)),
        ).where(Version.run_id == run_id)
    ).one()
    n = int(row[0] or 0)
    out: dict[str, Any] = {"n": n}
    for name, value in zip(COVERAGE_FIELDS, row[1:], strict=True):
        out[name] = round(int(value or 0) / n, 4) if n else None
    return out


def _as_int(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def iso_day(value: str | date | datetime | None) -> date | None:
    """``'2024-05-01'`` / a date / a datetime → a date (None passes through)."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value  # type: ignore[return-value]
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(value[:10])
