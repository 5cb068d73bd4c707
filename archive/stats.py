"""What is in the archive: articles per site and month, top sources, units and authors, date
ranges and how often each field was extracted (a drop in coverage flags a broken profile).

Everything counts articles by their latest version. Names are the normalized (Simplified)
forms, so one unit written in both scripts counts once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Select, case, exists, func, select

from archive.schema import Article, Caption, Credit, Version
from archive.search import AUTHOR_ROLES, UNIT_ROLES, month_of

if TYPE_CHECKING:
    from archive import Archive

# Coverage fields, in report order.
COVERAGE_FIELDS = ("date", "source", "captions", "credits", "body")


def stats(archive: Archive, site: str | None = None, *, top: int = 20) -> dict[str, Any]:
    """A JSON-ready summary of the archive (or of one site).

    Keys: ``articles`` (total), ``date_range`` (``[first, last]`` ISO days or None), ``sites``
    (per site: ``articles``, ``date_range``, ``undated``, ``coverage`` = share of articles with
    a date, a source, at least one caption, at least one credit, a non-empty body, each
    rounded to 4 places), ``per_month`` (``[["YYYY-MM", n], ...]`` all sites together, undated
    articles left out), ``per_site_month`` (the same per site), and ``top_sources``,
    ``top_units``, ``top_authors`` (``[[name, articles], ...]``, most first, at most ``top``).
    """
    with archive.engine.connect() as conn:
        per_site = _per_site(conn, site)
        months = _per_site_month(conn, site)
        days = [r["date_range"] for r in per_site.values() if r["date_range"]]
        per_month: dict[str, int] = {}
        for rows in months.values():
            for month, n in rows:
                per_month[month] = per_month.get(month, 0) + n
        return {
            "articles": sum(r["articles"] for r in per_site.values()),
            "date_range": [min(d[0] for d in days), max(d[1] for d in days)] if days else None,
            "sites": per_site,
            "per_month": [[m, n] for m, n in sorted(per_month.items())],
            "per_site_month": months,
            "top_sources": _top_sources(conn, site, top),
            "top_units": _top_credits(conn, site, UNIT_ROLES, top),
            "top_authors": _top_credits(conn, site, AUTHOR_ROLES, top),
        }


def _latest(stmt: Select[Any], site: str | None) -> Select[Any]:
    stmt = stmt.join(Version, Version.id == Article.latest_version_id)
    return stmt if site is None else stmt.where(Article.site == site)


def _flag(cond: Any) -> Any:
    return func.sum(case((cond, 1), else_=0))


def _per_site(conn: Connection, site: str | None) -> dict[str, dict[str, Any]]:
    has_caption = exists(select(Caption.version_id).where(Caption.version_id == Version.id))
    has_credit = exists(select(Credit.version_id).where(Credit.version_id == Version.id))
    stmt = _latest(
        select(
            Article.site,
            func.count(),
            func.min(Version.day),
            func.max(Version.day),
            _flag(Version.day.is_not(None)),
            _flag(func.coalesce(Version.source_norm, "") != ""),
            _flag(has_caption),
            _flag(has_credit),
            _flag(Version.body_norm != ""),
        ).select_from(Article),
        site,
    ).group_by(Article.site)
    out: dict[str, dict[str, Any]] = {}
    for name, n, first, last, *flags in conn.execute(stmt.order_by(Article.site)):
        out[name] = {
            "articles": n,
            "date_range": [first.isoformat(), last.isoformat()] if first else None,
            "undated": n - int(flags[0] or 0),
            "coverage": {
                field: round(int(f or 0) / n, 4)
                for field, f in zip(COVERAGE_FIELDS, flags, strict=True)
            },
        }
    return out


def _per_site_month(conn: Connection, site: str | None) -> dict[str, list[list[Any]]]:
    month = month_of(conn.dialect.name, Version.day)
    stmt = (
        _latest(select(Article.site, month, func.count()).select_from(Article), site)
        .where(Version.day.is_not(None))
        .group_by(Article.site, month)
        .order_by(Article.site, month)
    )
    out: dict[str, list[list[Any]]] = {}
    for name, m, n in conn.execute(stmt):
        out.setdefault(name, []).append([str(m), n])
    return out


def _top_sources(conn: Connection, site: str | None, top: int) -> list[list[Any]]:
    n = func.count().label("n")
    stmt = (
        _latest(select(Version.source_norm, n).select_from(Article), site)
        .where(func.coalesce(Version.source_norm, "") != "")
        .group_by(Version.source_norm)
        .order_by(n.desc(), Version.source_norm)
        .limit(top)
    )
    return [[name, count] for name, count in conn.execute(stmt)]


def _top_credits(
    conn: Connection, site: str | None, roles: tuple[str, ...], top: int
) -> list[list[Any]]:
    n = func.count(func.distinct(Credit.version_id)).label("n")
    stmt = (
        _latest(select(Credit.name_norm, n).select_from(Article), site)
        .join(Credit, Credit.version_id == Version.id)
        .where(Credit.role_norm.in_(roles), Credit.name_norm != "")
        .group_by(Credit.name_norm)
        .order_by(n.desc(), Credit.name_norm)
        .limit(top)
    )
    return [[name, count] for name, count in conn.execute(stmt)]
