"""Storing and reading articles and their versions (used by :class:`archive.Archive`).

Functions take an open :class:`~sqlalchemy.orm.Session` inside the caller's transaction;
retrying on a lost race is the caller's job.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
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
        return _store_new(s, a, digest, capture_id, run_id, seen, now)
    latest = s.get(Version, art.latest_version_id) if art.latest_version_id else None
    _touch(s, art, a, seen)
    if latest is not None and latest.content_hash == digest:
        return StoreResult(art.id, latest.id, "unchanged")
    seq = (s.scalar(select(func.max(Version.seq)).where(Version.article_id == art.id)) or 0) + 1
    s.flush()  # the article row is locked and current before its version goes in
    version_id, day = _add_version(s.connection(), art.id, a, digest, seq, capture_id, run_id, now)
    art.latest_version_id = version_id
    art.version_count = seq
    art.mirror_artifact = a.mirror_artifact
    _index(s, art.id, version_id, day, a)
    return StoreResult(art.id, version_id, "changed")


def _store_new(
    s: Session,
    a: ArticleIn,
    digest: str,
    capture_id: int | None,
    run_id: int | None,
    seen: datetime,
    now: datetime,
) -> StoreResult:
    """Insert an article no URL of which is known, with its first version and its URLs.

    Core statements, not ORM objects: a first crawl stores every article this way, and the
    unit-of-work flushes cost more than the SQL (``docs/scaling.md`` §4).
    """
    conn = s.connection()
    article_id = conn.execute(
        _INSERT_ARTICLE,
        {
            "site": a.site,
            "canonical_url": a.canonical_url,  # unique: a concurrent writer's row raises here
            "first_seen": seen,
            "last_seen": seen,
            "version_count": 1,
            "mirror_artifact": a.mirror_artifact,
        },
    ).scalar_one()
    version_id, day = _add_version(conn, article_id, a, digest, 1, capture_id, run_id, now)
    conn.execute(_SET_LATEST, {"article_id": article_id, "version_id": version_id})
    conn.execute(
        _ARTICLE_URLS.insert(),
        [
            {"url": url, "article_id": article_id, "first_seen": seen}
            for url in dict.fromkeys((a.canonical_url, a.url))
        ],
    )
    _index(s, article_id, version_id, day, a)
    return StoreResult(article_id, version_id, "new")


def _index(s: Session, article_id: int, version_id: int, day: str | None, a: ArticleIn) -> None:
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
        day,
    )
    index_article(s.connection(), article_id, latest=(version_id, text))


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
    candidates = s.execute(_SAME_CONTENT, {"digest": digest}).all()
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


_SAME_CONTENT = select(Version.article_id, Version.id).where(
    Version.content_hash == bindparam("digest")
)


def _touch(s: Session, art: Article, a: ArticleIn, seen: datetime) -> None:
    """Record that ``art`` was seen at ``seen`` under ``a``'s URLs (adding unknown ones)."""
    art.last_seen = max(art.last_seen, seen)
    art.first_seen = min(art.first_seen, seen)
    for url in dict.fromkeys((art.canonical_url, a.canonical_url, a.url)):
        if s.get(ArticleUrl, url) is None:
            s.add(ArticleUrl(url=url, article_id=art.id, first_seen=seen))
    # No flush of its own: the next statement (or the commit) flushes these rows with the rest.


def _add_version(
    conn: Connection,
    article_id: int,
    a: ArticleIn,
    digest: str,
    seq: int,
    capture_id: int | None,
    run_id: int | None,
    now: datetime,
) -> tuple[int, str | None]:
    """Insert version ``seq`` of the article with its captions and credits; its id and day.

    The caller points the article at it (``latest_version_id``, ``version_count``).
    """
    day = iso_day(a.date)
    version_id = conn.execute(
        _INSERT_VERSION,
        {
            "article_id": article_id,
            "seq": seq,  # unique per article: raises here if another writer took this seq
            "capture_id": capture_id,
            "run_id": run_id,
            "created_at": now,
            "content_hash": digest,
            "title": a.title,
            "title_norm": a.title_norm,
            "date": a.date,
            "day": day,
            "source": a.source,
            "source_norm": a.source_norm,
            "body": a.body,
            "body_norm": a.body_norm,
            "script": a.script,
            "extractor_version": a.extractor_version,
        },
    ).scalar_one()
    if a.captions:
        conn.execute(
            _CAPTIONS.insert(),
            [
                {
                    "version_id": version_id,
                    "seq": i,
                    "text": c.text,
                    "text_norm": c.text_norm,
                    "image_url": c.image_url,
                }
                for i, c in enumerate(a.captions, 1)
            ],
        )
    if a.credits:
        conn.execute(
            _CREDITS.insert(),
            [
                {
                    "version_id": version_id,
                    "seq": i,
                    "role": c.role,
                    "name": c.name,
                    "role_norm": c.role_norm,
                    "name_norm": c.name_norm,
                }
                for i, c in enumerate(a.credits, 1)
            ],
        )
    return version_id, day


# Core statements on the tables, built once (the store path runs for every article).
_ARTICLES = Article.__table__
_ARTICLE_URLS = ArticleUrl.__table__
_VERSIONS = Version.__table__
_CAPTIONS = Caption.__table__
_CREDITS = Credit.__table__
_INSERT_ARTICLE = _ARTICLES.insert().returning(_ARTICLES.c.id)  # type: ignore[attr-defined]
_INSERT_VERSION = _VERSIONS.insert().returning(_VERSIONS.c.id)  # type: ignore[attr-defined]
_SET_LATEST = (
    _ARTICLES.update()  # type: ignore[attr-defined]
    .where(_ARTICLES.c.id == bindparam("article_id"))  # type: ignore[attr-defined]
    .values(latest_version_id=bindparam("version_id"))
)


# -- reading ---------------------------------------------------------------------------


def article_id_for_url(s: Session | Connection, url: str) -> int | None:
    """The article seen under ``url`` (an alias or canonical URL), or None."""
    return s.scalar(_ID_FOR_URL, {"url": url})


# One round trip: the URL table first, then canonical URLs it might lack. Built once: the
# crawl asks it for every article it stores.
_ID_FOR_URL = select(
    func.coalesce(
        select(ArticleUrl.article_id).where(ArticleUrl.url == bindparam("url")).scalar_subquery(),
        select(Article.id).where(Article.canonical_url == bindparam("url")).scalar_subquery(),
    )
)


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
