"""Whole-archive counts and consistency checks (used by :class:`archive.Archive`)."""

from __future__ import annotations

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from archive.schema import Article, ArticleUrl, Caption, Credit, Failure, Version

# How many offending rows of one kind integrity_problems names before stopping.
MAX_REPORTED = 10


def site_counts(s: Session) -> dict[str, dict[str, int]]:
    """Per site (sorted): articles, versions, captions, credits, failures (open), aliases."""
    queries = {
        "articles": select(Article.site, func.count()).group_by(Article.site),
        "versions": select(Article.site, func.count())
        .join(Version, Version.article_id == Article.id)
        .group_by(Article.site),
        "captions": select(Article.site, func.count())
        .join(Version, Version.article_id == Article.id)
        .join(Caption, Caption.version_id == Version.id)
        .group_by(Article.site),
        "credits": select(Article.site, func.count())
        .join(Version, Version.article_id == Article.id)
        .join(Credit, Credit.version_id == Version.id)
        .group_by(Article.site),
        "failures": select(Failure.site, func.count())
        .where(Failure.resolved_at.is_(None), Failure.site.is_not(None))
        .group_by(Failure.site),
        "aliases": select(Article.site, func.count())
        .join(ArticleUrl, ArticleUrl.article_id == Article.id)
        .where(ArticleUrl.url != Article.canonical_url)
        .group_by(Article.site),
    }
    out: dict[str, dict[str, int]] = {}
    for key, stmt in queries.items():
        for site, n in s.execute(stmt):
            out.setdefault(site, dict.fromkeys(queries, 0))[key] = n
    return dict(sorted(out.items()))


def integrity_problems(s: Session) -> list[str]:
    """SQLite's own checks (file structure, foreign keys), then the archive's invariants:
    every article points at one of its own versions, and counts its versions right."""
    problems: list[str] = []
    if s.get_bind().dialect.name == "sqlite":
        result = [r[0] for r in s.execute(text("PRAGMA integrity_check"))]
        if result != ["ok"]:
            problems.extend(result)
        fk = s.execute(text("PRAGMA foreign_key_check")).all()
        problems.extend(f"foreign key violation: {tuple(r)}" for r in fk[:MAX_REPORTED])
    bad_latest = s.scalars(
        select(Article.id)
        .outerjoin(Version, Version.id == Article.latest_version_id)
        .where(or_(Version.id.is_(None), Version.article_id != Article.id))
        .limit(MAX_REPORTED)
    ).all()
    problems.extend(f"article {i}: latest_version_id is wrong" for i in bad_latest)
    counts = (
        select(Version.article_id, func.count().label("n"), func.max(Version.seq).label("m"))
        .group_by(Version.article_id)
        .subquery()
    )
    bad_count = s.scalars(
        select(Article.id)
        .outerjoin(counts, counts.c.article_id == Article.id)
        .where(
            or_(
                counts.c.n.is_(None),
                counts.c.n != Article.version_count,
                counts.c.m != Article.version_count,
            )
        )
        .limit(MAX_REPORTED)
    ).all()
    problems.extend(f"article {i}: version_count is wrong" for i in bad_count)
    return problems
