"""Storing and reading articles and their versions (used by :class:`archive.Archive`).

Functions take an open :class:`~sqlalchemy.orm.Session` inside the caller's transaction;
retrying on a lost race is the caller's job.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from archive.digests import content_hash, iso_day
from archive.records import ArticleIn, StoreResult
from archive.schema import Article, ArticleUrl, Caption, Capture, Credit, Version

# Fields compared by diff_versions besides the body, in display order.
DIFF_FIELDS = (
    "title",
    "title_norm",
    "date",
    "source",
    "source_norm",
    "script",
    "captions",
    "credits",
    "extractor_version",
)


def store(
    s: Session,
    a: ArticleIn,
    capture_id: int | None,
    run_id: int | None,
    *,
    seen: datetime | None = None,
) -> StoreResult:
    """Store ``a``; see :meth:`archive.Archive.store_article` for the outcomes.

    ``seen`` is when the article was seen: the fetch time of capture ``capture_id``, read from
    the database unless the caller (who just wrote that capture) passes it.
    """
    now = datetime.now(UTC)
    if seen is None:
        seen = now
        if capture_id is not None:
            fetched = s.scalar(select(Capture.fetched_at).where(Capture.id == capture_id))
            if fetched is None:
                raise ValueError(f"no capture with id {capture_id}")
            seen = fetched
    digest = content_hash(a)
    art = _find(s, a)
    if art is None:
        same = _same_content_article(s, a.site, digest)
        # Look again: on PostgreSQL another writer may have committed this very URL between
        # the two queries, and then it is 'unchanged', not an alias of itself.
        art = _find(s, a) if same is not None else None
        if same is not None and art is None:
            _touch(s, same, a, seen)
            assert same.latest_version_id is not None
            return StoreResult(same.id, same.latest_version_id, "alias")
    if art is None:
        art = Article(
            site=a.site,
            canonical_url=a.canonical_url,
            first_seen=seen,
            last_seen=seen,
            version_count=0,
            mirror_artifact=a.mirror_artifact,
        )
        s.add(art)
        s.flush()
        version = _add_version(s, art, a, digest, 1, capture_id, run_id, now)
        _touch(s, art, a, seen, new=True)
        _index(s, art.id, version, a)
        return StoreResult(art.id, version.id, "new")
    latest = s.get(Version, art.latest_version_id) if art.latest_version_id else None
    _touch(s, art, a, seen)
    if latest is not None and latest.content_hash == digest:
        return StoreResult(art.id, latest.id, "unchanged")
    seq = (s.scalar(select(func.max(Version.seq)).where(Version.article_id == art.id)) or 0) + 1
    version = _add_version(s, art, a, digest, seq, capture_id, run_id, now)
    art.mirror_artifact = a.mirror_artifact
    _index(s, art.id, version, a)
    return StoreResult(art.id, version.id, "changed")


def _index(s: Session, article_id: int, version: Version, a: ArticleIn) -> None:
    """Point the search index at the new latest version, in the same transaction, so the
    index never lags the archive (not even after a killed crawl).

    The text is the one just written (reading it back cost 9 % of a crawl's time).
    """
    from archive.search import IndexedText, index_article  # lazy: pulls in the normalizer

    s.flush()
    text = IndexedText(
        a.title_norm,
        a.body_norm,
        "\n".join(c.text_norm for c in a.captions),
        "\n".join(c.name_norm for c in a.credits),
        version.day,
    )
    index_article(s, article_id, latest=(version.id, text))


def _find(s: Session, a: ArticleIn) -> Article | None:
    """The article known under ``a.canonical_url`` (preferred) or ``a.url``, row-locked."""
    for url in dict.fromkeys((a.canonical_url, a.url)):
        art_id = article_id_for_url(s, url)
        if art_id is not None:
            # FOR UPDATE on PostgreSQL serializes writers of one article; SQLite omits it
            # (its write transactions are already exclusive).
            return s.scalar(select(Article).where(Article.id == art_id).with_for_update())
    return None


def _same_content_article(s: Session, site: str, digest: str) -> Article | None:
    """The site's first article whose latest version has content ``digest``, row-locked.

    Two steps, so the content-hash index drives the lookup on every backend: joined in one
    statement, SQLite's planner (without ANALYZE statistics) walks every article of the site
    instead, which made each store O(articles of the site).
    """
    candidates = s.execute(
        select(Version.article_id, Version.id).where(Version.content_hash == digest)
    ).all()
    if not candidates:
        return None
    stmt = (
        select(Article)
        .where(
            Article.site == site,
            Article.id.in_({a for a, _ in candidates}),
            Article.latest_version_id.in_({v for _, v in candidates}),
        )
        .order_by(Article.id)
        .limit(1)
        .with_for_update()
    )
    # Versions of one article hold only its own id, so matching both sets is matching pairs.
    return s.scalar(stmt)


def _touch(s: Session, art: Article, a: ArticleIn, seen: datetime, *, new: bool = False) -> None:
    """Record that ``art`` was seen at ``seen`` under ``a``'s URLs (adding unknown ones).

    ``new``: ``art`` was just created because ``_find`` knew none of these URLs (and the
    transaction holds them), so there is nothing to look up.
    """
    art.last_seen = max(art.last_seen, seen)
    art.first_seen = min(art.first_seen, seen)
    for url in dict.fromkeys((art.canonical_url, a.canonical_url, a.url)):
        if new or s.get(ArticleUrl, url) is None:
            s.add(ArticleUrl(url=url, article_id=art.id, first_seen=seen))
    # No flush of its own: the next statement (or the commit) flushes these rows with the rest.


def _add_version(
    s: Session,
    art: Article,
    a: ArticleIn,
    digest: str,
    seq: int,
    capture_id: int | None,
    run_id: int | None,
    now: datetime,
) -> Version:
    version = Version(
        article_id=art.id,
        seq=seq,
        capture_id=capture_id,
        run_id=run_id,
        created_at=now,
        content_hash=digest,
        title=a.title,
        title_norm=a.title_norm,
        date=a.date,
        day=iso_day(a.date),
        source=a.source,
        source_norm=a.source_norm,
        body=a.body,
        body_norm=a.body_norm,
        script=a.script,
        extractor_version=a.extractor_version,
    )
    s.add(version)
    s.flush()  # raises IntegrityError here if another writer took this seq
    for i, c in enumerate(a.captions, 1):
        s.add(
            Caption(
                version_id=version.id,
                seq=i,
                text=c.text,
                text_norm=c.text_norm,
                image_url=c.image_url,
            )
        )
    for i, c in enumerate(a.credits, 1):
        s.add(
            Credit(
                version_id=version.id,
                seq=i,
                role=c.role,
                name=c.name,
                role_norm=c.role_norm,
                name_norm=c.name_norm,
            )
        )
    art.latest_version_id = version.id
    art.version_count = seq
    s.flush()
    return version


# -- reading ---------------------------------------------------------------------------


def article_id_for_url(s: Session, url: str) -> int | None:
    """The article seen under ``url`` (an alias or canonical URL), or None."""
    return s.scalar(id_for_url_statement(url))


def id_for_url_statement(url: str) -> Select[tuple[int | None]]:
    """One round trip: the URL table first, then canonical URLs it might lack."""
    by_alias = select(ArticleUrl.article_id).where(ArticleUrl.url == url).scalar_subquery()
    by_canonical = select(Article.id).where(Article.canonical_url == url).scalar_subquery()
    return select(func.coalesce(by_alias, by_canonical))


def get(s: Session, id_or_url: int | str, version: int | None) -> dict[str, Any] | None:
    """The article dict of :meth:`archive.Archive.get_article`, or None."""
    art_id = id_or_url if isinstance(id_or_url, int) else article_id_for_url(s, id_or_url)
    art = s.get(Article, art_id) if art_id is not None else None
    if art is None:
        return None
    if version is None:
        v = s.get(Version, art.latest_version_id) if art.latest_version_id else None
    else:
        v = s.scalar(select(Version).where(Version.article_id == art.id, Version.seq == version))
        if v is None:
            return None
    urls = s.scalars(
        select(ArticleUrl.url)
        .where(ArticleUrl.article_id == art.id)
        .order_by(ArticleUrl.first_seen, ArticleUrl.url)
    ).all()
    return {
        "id": art.id,
        "site": art.site,
        "url": art.canonical_url,
        "urls": [art.canonical_url, *(u for u in urls if u != art.canonical_url)],
        "first_seen": art.first_seen,
        "last_seen": art.last_seen,
        "version_count": art.version_count,
        "mirror_artifact": art.mirror_artifact,
        "version": version_dict(s, v) if v is not None else None,
    }


def versions(s: Session, article_id: int) -> list[dict[str, Any]]:
    """Every version of the article, oldest first."""
    rows = s.scalars(
        select(Version).where(Version.article_id == article_id).order_by(Version.seq)
    ).all()
    return [version_dict(s, v) for v in rows]


def version_dict(s: Session, v: Version) -> dict[str, Any]:
    """A version as a plain dict, with its captions, credits and capture time."""
    captions = s.scalars(
        select(Caption).where(Caption.version_id == v.id).order_by(Caption.seq)
    ).all()
    credits = s.scalars(select(Credit).where(Credit.version_id == v.id).order_by(Credit.seq)).all()
    fetched_at = (
        s.scalar(select(Capture.fetched_at).where(Capture.id == v.capture_id))
        if v.capture_id is not None
        else None
    )
    return {
        "id": v.id,
        "seq": v.seq,
        "title": v.title,
        "title_norm": v.title_norm,
        "date": v.date,
        "day": v.day.isoformat() if v.day else None,
        "source": v.source,
        "source_norm": v.source_norm,
        "body": v.body,
        "body_norm": v.body_norm,
        "captions": [
            {"text": c.text, "text_norm": c.text_norm, "image_url": c.image_url} for c in captions
        ],
        "credits": [
            {"role": c.role, "name": c.name, "role_norm": c.role_norm, "name_norm": c.name_norm}
            for c in credits
        ],
        "script": v.script,
        "capture_id": v.capture_id,
        "fetched_at": fetched_at,
        "created_at": v.created_at,
        "extractor_version": v.extractor_version,
        "content_hash": v.content_hash,
    }


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``{"fields": {name: [old, new]}, "body_diff": unified diff}`` of two version dicts."""
    fields = {name: [old[name], new[name]] for name in DIFF_FIELDS if old[name] != new[name]}
    body_diff = "".join(
        difflib.unified_diff(
            _lines(old["body"]),
            _lines(new["body"]),
            fromfile=f"version {old['seq']}",
            tofile=f"version {new['seq']}",
        )
    )
    return {"fields": fields, "body_diff": body_diff}


def _lines(text: str) -> Sequence[str]:
    return [line + "\n" for line in text.split("\n")] if text else []
