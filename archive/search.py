"""Full-text search over the latest version of each article, with filters and counts by month.

The index lives in :mod:`archive._search_index` (re-exported here: :func:`index_article`,
:func:`reindex`, :func:`add_search_index`); tokens and the query language in
:mod:`archive.query`.

Every hit is exact: when the index alone cannot decide a query, candidates are re-checked on the
normalized text with :func:`archive.query.matches`, so results equal a substring scan.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Select,
    bindparam,
    cast,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from archive._search_index import (
    ARTICLE_ID_MASK,
    Conn,
    IndexedText,
    add_search_index,
    batched,
    dialect_of,
    ensure_search_index,
    fts_key,
    index_article,
    key_range,
    optimize_search_index,
    reindex,
    version_texts,
)
from archive.query import (
    HAN_RUN,
    Node,
    Term,
    compile_fts,
    compile_tsquery,
    fold,
    is_exact,
    matches,
    needs_check,
    parse_query,
    positive_terms,
    term_pattern,
)
from archive.schema import Article, Credit, Version
from campusnews.exceptions import QueryError
from campusnews.normalize.script import detect_script, to_simplified

if TYPE_CHECKING:
    from archive import Archive

Sort = Literal["relevance", "date"]

__all__ = [
    "ARTICLE_ID_MASK",
    "AUTHOR_ROLES",
    "UNIT_ROLES",
    "Hit",
    "IndexedText",
    "MonthCounts",
    "SearchPage",
    "add_search_index",
    "build_filters",
    "candidates",
    "ensure_search_index",
    "fts_key",
    "index_article",
    "make_snippet",
    "matching_versions",
    "month_of",
    "optimize_search_index",
    "optional_query",
    "reindex",
    "search",
    "search_counts_by_month",
    "search_month_counts",
    "version_texts",
]

# Credit roles (Simplified, as in ``credits.role_norm``) behind the author and unit filters.
AUTHOR_ROLES = ("作者", "文字", "文", "撰稿", "记者", "通讯员")
UNIT_ROLES = ("供稿单位", "供稿", "来源单位")
# bm25 column weights: a word in the title counts ten body words.
_BM25_WEIGHTS = (10.0, 1.0, 2.0, 1.0)

# The SQLite fast path (an exact query, no filter but dates): the FTS table alone answers it.
# Plain SQL run on the driver's connection: on this sub-millisecond path SQLAlchemy's
# statement and result set-up cost more than SQLite's own work.
_FTS_WHERE = " FROM search_fts WHERE search_fts MATCH :q AND rowid BETWEEN :lo AND :hi"
FTS_COUNT = "SELECT count(*)" + _FTS_WHERE
# Counting stops after :cap rows: an exact count costs ~0.1 µs per match, a page ~0.3 ms.
_FTS_COUNT_UPTO = "SELECT count(*) FROM (SELECT 1" + _FTS_WHERE + " LIMIT :cap)"
_FTS_BY_DAY = "SELECT rowid >> 32, count(*)" + _FTS_WHERE + " GROUP BY 1"
_FTS_NEWEST = (
    f"SELECT rowid & {ARTICLE_ID_MASK}, NULL, NULL, 0.0"
    + _FTS_WHERE
    + " ORDER BY rowid DESC LIMIT :limit OFFSET :offset"
)
_FTS_TOP = (
    "SELECT rowid & {}, NULL, NULL, -bm25(search_fts, {}, {}, {}, {}) AS score".format(
        ARTICLE_ID_MASK, *_BM25_WEIGHTS
    )
    + _FTS_WHERE
    + " ORDER BY score DESC, rowid DESC LIMIT :limit OFFSET :offset"
)
# The original body only where it differs from the normalized one (decoding it twice cost
# a third of the page's details).
_HIT_DETAILS = (
    "SELECT a.id, a.site, a.canonical_url, v.date, v.title,"
    " CASE WHEN v.body = v.body_norm THEN NULL ELSE v.body END, v.body_norm"
    " FROM articles a JOIN versions v ON v.id = a.latest_version_id WHERE a.id IN ({})"
)
_NEWLINES = re.compile(r"\s*\n\s*")

_fts = table("search_fts", column("rowid"))
_pg_index = table("search_index", column("article_id"), column("tsv"))


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching article: its latest version's title and date, and a marked snippet."""

    article_id: int
    site: str
    date: str | None
    title: str
    snippet: str
    url: str
    score: float  # relevance, higher is better; 0.0 when sorted by date


@dataclass(frozen=True, slots=True)
class SearchPage:
    """``total`` matching articles and the requested page of them.

    ``total_exact`` is False when counting stopped at the ``count_limit`` of :func:`search`:
    then more than ``total`` articles match.
    """

    total: int
    hits: list[Hit]
    total_exact: bool = True


@dataclass(frozen=True, slots=True)
class MonthCounts:
    """Matching articles per ``YYYY-MM`` (oldest first), and those without a date."""

    months: list[tuple[str, int]]
    undated: int

    @property
    def total(self) -> int:
        """Every matching article, dated or not."""
        return sum(n for _, n in self.months) + self.undated


# -- selection --------------------------------------------------------------------------------


def _norm_value(value: str) -> str:
    """A filter value as stored in the ``*_norm`` columns: trimmed, Simplified."""
    value = value.strip().rstrip(":：").strip()
    return to_simplified(value) if detect_script(value) == "hant" else value


def _as_day(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value[:10])


def _credit_filter(roles: Iterable[str], name: str) -> ColumnElement[bool]:
    return exists(
        select(Credit.version_id).where(
            Credit.version_id == Version.id,
            Credit.role_norm.in_(list(roles)),
            Credit.name_norm.icontains(_norm_value(name), autoescape=True),
        )
    )


def build_filters(
    *,
    site: str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    author: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    roles: Iterable[tuple[str, str]] = (),
) -> list[ColumnElement[bool]]:
    """SQL conditions on ``Article``/``Version`` (latest version) for the search filters.

    Names match as case-insensitive substrings of the normalized (Simplified) forms, so either
    script works; dates are inclusive ISO days on ``versions.day``.
    """
    out: list[ColumnElement[bool]] = []
    if site:
        out.append(Article.site == site)
    if since:
        out.append(Version.day >= _as_day(since))
    if until:
        out.append(Version.day <= _as_day(until))
    if author:
        out.append(_credit_filter(AUTHOR_ROLES, author))
    if unit:
        out.append(_credit_filter(UNIT_ROLES, unit))
    if source:
        out.append(Version.source_norm.icontains(_norm_value(source), autoescape=True))
    for role, name in roles:
        out.append(_credit_filter([_norm_value(role)], name))
    return out


def optional_query(query: str | None) -> Node | None:
    """The parsed query, or None when it is empty or only whitespace."""
    return parse_query(query) if query is not None and query.strip() else None


def candidates(
    dialect: str,
    node: Node | None,
    filters: list[ColumnElement[bool]],
    days: tuple[date | None, date | None] = (None, None),
) -> Select[Any]:
    """``(article_id, version_id, day, score)`` of index candidates passing the filters.

    Exact unless :func:`archive.query.needs_check` says otherwise for this dialect (then
    re-check with :func:`version_texts` and :func:`archive.query.matches`).
    """
    if node is None:
        score: ColumnElement[Any] = literal_column("0.0", Float)
        stmt = select(Article.id, Version.id, Version.day, score).join(
            Version, Version.id == Article.latest_version_id
        )
    elif dialect == "postgresql":
        q = cast(bindparam("q", compile_tsquery(node)), TSQUERY)
        score = func.ts_rank(_pg_index.c.tsv, q)
        stmt = (
            select(Article.id, Version.id, Version.day, score)
            .join(_pg_index, _pg_index.c.article_id == Article.id)
            .join(Version, Version.id == Article.latest_version_id)
            .where(_pg_index.c.tsv.op("@@")(q))
        )
    else:
        score = -func.bm25(literal_column("search_fts"), *_BM25_WEIGHTS)
        stmt = (
            select(Article.id, Version.id, Version.day, score)
            .select_from(_fts)
            .join(Article, Article.id == _fts.c.rowid.op("&")(ARTICLE_ID_MASK))
            .join(Version, Version.id == Article.latest_version_id)
            .where(literal_column("search_fts").op("MATCH")(bindparam("q", compile_fts(node))))
        )
        if days != (None, None):
            # Redundant with the day filters, but lets FTS5 skip rows by rowid.
            bounds = key_range(*days)
            stmt = stmt.where(_fts.c.rowid.between(bounds["lo"], bounds["hi"]))
    return _labelled(stmt.where(*filters))


def _labelled(stmt: Select[Any]) -> Select[Any]:
    names = ("article_id", "version_id", "day", "score")
    return stmt.with_only_columns(
        *(c.label(n) for c, n in zip(stmt.selected_columns, names, strict=True)),
        maintain_column_froms=True,
    )


def _exact_rows(
    conn: Conn,
    node: Node | None,
    filters: list[ColumnElement[bool]],
    days: tuple[date | None, date | None] = (None, None),
) -> Iterator[tuple[int, int, date | None, float]]:
    """Every matching ``(article_id, version_id, day, score)``, re-checked when needed."""
    dialect = dialect_of(conn)
    stmt = candidates(dialect, node, filters, days)
    rows = conn.execute(stmt)
    if node is None or not needs_check(node, positional=dialect != "postgresql"):
        yield from rows
        return
    # Fetch all candidates first: re-checking reads other tables on the same connection.
    found = rows.all()
    for batch in batched(found):
        texts = version_texts(conn, [vid for _, vid, _, _ in batch])
        for row in batch:
            if matches(node, texts[row[1]].fields()):
                yield row


def matching_versions(
    conn: Conn, query: str | None = None, **filters: Any
) -> Iterator[tuple[int, int]]:
    """``(article_id, latest_version_id)`` of every article matching ``query`` and the filters
    of :func:`build_filters` (all articles when both are empty), in no particular order."""
    node = optional_query(query)
    for article_id, version_id, _, _ in _exact_rows(conn, node, build_filters(**filters)):
        yield article_id, version_id


def search(
    archive: Archive,
    query: str | None = None,
    *,
    site: str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    author: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    roles: Iterable[tuple[str, str]] = (),
    sort: Sort = "date",
    limit: int = 20,
    offset: int = 0,
    mark: tuple[str, str] = ("[", "]"),
    count_limit: int | None = None,
) -> SearchPage:
    """Search the latest versions; see :mod:`archive.query` for the query language.

    The query may be empty when a filter is given (hits are then listed by date). ``sort`` is
    ``"date"`` (newest first, undated last; the default: its cost does not grow with the
    number of matches) or ``"relevance"`` (bm25 / ts_rank, title weighted; every match is
    scored, ~3 µs each on SQLite). ``count_limit`` stops counting after that many matches
    (``total_exact`` is then False); None counts them all, which costs ~0.1 µs per match on
    the SQLite index. ``mark`` surrounds each match in the snippet, which is plain text: an
    HTML view should pass markers that cannot occur in text (e.g. ``("\x02", "\x03")``), escape the
    snippet, then replace the markers with its tags. Raises
    :class:`~campusnews.exceptions.QueryError` for a malformed query.
    """
    if sort not in ("relevance", "date"):
        raise ValueError(f"sort must be 'relevance' or 'date', not {sort!r}")
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must be >= 0")
    node = optional_query(query)
    filters = build_filters(
        site=site, since=since, until=until, author=author, unit=unit, source=source, roles=roles
    )
    if node is None and not filters:
        raise QueryError("empty query: type a word to search for, or give a filter")
    by_date = sort == "date" or node is None
    only_dates = not (site or author or unit or source or list(roles))
    days = (_as_day(since) if since else None, _as_day(until) if until else None)
    with archive.engine.connect() as conn:
        dialect = conn.dialect.name
        if dialect == "sqlite" and node is not None and only_dates and is_exact(node):
            # The FTS table alone answers it (dates are rowid ranges): no join at all.
            match = {"q": compile_fts(node), **key_range(*days)}
            if count_limit is None:
                total = driver_rows(conn, FTS_COUNT, match)[0][0]
            else:
                upto = {**match, "cap": count_limit + 1}
                total = driver_rows(conn, _FTS_COUNT_UPTO, upto)[0][0]
            paging = {**match, "limit": limit, "offset": offset}
            page = driver_rows(conn, _FTS_NEWEST if by_date else _FTS_TOP, paging)
        elif node is None or not needs_check(node, positional=dialect != "postgresql"):
            stmt = candidates(dialect, node, filters, days)
            counted = stmt if count_limit is None else stmt.limit(count_limit + 1)
            total = conn.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
            base = stmt.subquery()
            a_id, v_id, day, score = base.c
            order = (
                [day.desc().nulls_last()] if by_date else [score.desc(), day.desc().nulls_last()]
            )
            page = conn.execute(
                select(a_id, v_id, day, score)
                .order_by(*order, a_id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
        else:
            rows = list(_exact_rows(conn, node, filters, days))
            total = len(rows)
            rows.sort(key=lambda r: (r[2] or date.min, r[0]), reverse=True)
            if not by_date:
                rows.sort(key=lambda r: r[3], reverse=True)  # stable: ties stay newest first
            page = rows[offset : offset + limit]
        terms = [] if node is None else positive_terms(node)
        hits = _hits(conn, page, terms, mark, scored=not by_date)
    if count_limit is not None and total > count_limit:
        return SearchPage(count_limit, hits, total_exact=False)
    return SearchPage(total, hits)


def search_counts_by_month(
    archive: Archive, query: str | None = None, **filters: Any
) -> list[tuple[str, int]]:
    """``[("YYYY-MM", n), ...]`` of matching articles by their date, oldest month first.

    Undated articles are not counted (:func:`search_month_counts` has them). Same arguments as
    :func:`search` (filters as keywords).
    """
    return search_month_counts(archive, query, **filters).months


def search_month_counts(archive: Archive, query: str | None = None, **filters: Any) -> MonthCounts:
    """Matching articles per month of their date, and the undated ones: an exact total too.

    Same arguments as :func:`search` (filters as keywords).
    """
    node = optional_query(query)
    conds = build_filters(**filters)
    if node is None and not conds:
        raise QueryError("empty query: type a word to search for, or give a filter")
    since, until = filters.get("since"), filters.get("until")
    days = (_as_day(since) if since else None, _as_day(until) if until else None)
    only_dates = not any(v for k, v in filters.items() if k not in ("since", "until"))
    counts: dict[str, int] = {}
    undated = 0
    with archive.engine.connect() as conn:
        dialect = conn.dialect.name
        if dialect == "sqlite" and node is not None and only_dates and is_exact(node):
            # Count by the day held in the rowid: no join.
            match = {"q": compile_fts(node), **key_range(*days)}
            for ordinal, n in driver_rows(conn, _FTS_BY_DAY, match):
                if ordinal:
                    key = date.fromordinal(ordinal).isoformat()[:7]
                    counts[key] = counts.get(key, 0) + n
                else:
                    undated += n
            return MonthCounts(sorted(counts.items()), undated)
        if node is None or not needs_check(node, positional=dialect != "postgresql"):
            base = candidates(dialect, node, conds, days).subquery()
            month = month_of(dialect, base.c[2])
            rows = conn.execute(select(month, func.count()).group_by(month)).all()
            months = sorted((str(m), int(n)) for m, n in rows if m is not None)
            return MonthCounts(months, sum(int(n) for m, n in rows if m is None))
        for _, _, day, _ in _exact_rows(conn, node, conds, days):
            if day is not None:
                key = day.isoformat()[:7]
                counts[key] = counts.get(key, 0) + 1
            else:
                undated += 1
    return MonthCounts(sorted(counts.items()), undated)


def driver_rows(conn: Connection, sql: str, params: dict[str, Any] | Sequence[Any]) -> list[Any]:
    """Rows of plain SQL run on the DB-API connection under ``conn`` (SQLite paramstyle)."""
    return conn.connection.driver_connection.execute(sql, params).fetchall()  # type: ignore[union-attr]


def month_of(dialect: str, day: ColumnElement[Any]) -> ColumnElement[str]:
    """SQL ``YYYY-MM`` of a DATE column (SQLite stores DATE as ISO text)."""
    return func.to_char(day, "YYYY-MM") if dialect == "postgresql" else func.substr(day, 1, 7)


class _Details(NamedTuple):
    id: int
    site: str
    canonical_url: str
    date: str | None
    title: str
    body: str | None  # None: the same as body_norm
    body_norm: str


def _hits(
    conn: Connection,
    page: Sequence[Any],
    terms: list[Term],
    mark: tuple[str, str],
    *,
    scored: bool,
) -> list[Hit]:
    if not page:
        return []
    ids = [r[0] for r in page]
    if conn.dialect.name == "sqlite":
        sql = _HIT_DETAILS.format(",".join("?" * len(ids)))
        details = {r[0]: _Details(*r) for r in driver_rows(conn, sql, ids)}
    else:
        details = {
            r.id: _Details(*r)
            for r in conn.execute(
                select(
                    Article.id,
                    Article.site,
                    Article.canonical_url,
                    Version.date,
                    Version.title,
                    Version.body,
                    Version.body_norm,
                )
                .join(Version, Version.id == Article.latest_version_id)
                .where(Article.id.in_(ids))
            )
        }
    hits = []
    for article_id, _, _, score in page:
        d = details[article_id]
        hits.append(
            Hit(
                article_id=article_id,
                site=d.site,
                date=d.date,
                title=d.title,
                snippet=make_snippet(
                    d.body if d.body is not None else d.body_norm, d.body_norm, terms, mark=mark
                ),
                url=d.canonical_url,
                score=float(score or 0.0) if scored else 0.0,
            )
        )
    return hits


# Every character whose fold (NFKC, case) holds a Han character: Kangxi and supplement
# radicals, Hangzhou numerals, kanbun marks, circled and squared ideographs, compatibility
# ideographs (a superset; tests/archive/test_search.py checks it against every code point).
FOLDS_TO_HAN = re.compile(
    "[\u2e80-\u2fdf\u3038-\u303a\u3190-\u319f\u3200-\u33ff\uf900-\ufaff"
    "\U0001f200-\U0001f2ff\U0002f800-\U0002fa1f]"
)


def _fold_can_match(text: str, terms: Sequence[Term]) -> bool:
    """False when folding ``text`` cannot reveal a match that its unfolded form did not show.

    The patterns ignore case, so a term of Han characters only can gain a match only from a
    character that folds into Han. Folding every body (NFKC of Chinese text changes its
    full-width punctuation, so it is rarely a no-op) took half of a search's time.
    """
    if all(HAN_RUN.fullmatch(t.text) for t in terms):
        return FOLDS_TO_HAN.search(text) is not None
    return True


@dataclass(frozen=True, slots=True)
class _Finder:
    """Where one term occurs in a text: ``str.find`` for a term of Han characters only (they
    have no case, so the pattern's IGNORECASE cannot matter; four times faster), else the
    term's pattern."""

    term: Term
    pattern: re.Pattern[str]
    han_only: bool

    def first(self, text: str) -> int:
        if self.han_only:
            return text.find(self.term.text)
        m = self.pattern.search(text)
        return m.start() if m else -1

    def spans(self, text: str) -> list[tuple[int, int]]:
        if not self.han_only:
            return [m.span() for m in self.pattern.finditer(text)]
        word, out = self.term.text, []
        at = text.find(word)
        while at >= 0:  # non-overlapping, left to right: what finditer gives
            out.append((at, at + len(word)))
            at = text.find(word, at + len(word))
        return out


@functools.lru_cache(maxsize=1024)  # every snippet of a page asks again
def _finder(term: Term) -> _Finder:
    return _Finder(term, term_pattern(term), HAN_RUN.fullmatch(term.text) is not None)


def make_snippet(
    body: str,
    body_norm: str,
    terms: Sequence[Term],
    *,
    mark: tuple[str, str] = ("[", "]"),
    width: int = 120,
) -> str:
    """A window of the body around the first match, each match wrapped in ``mark``.

    Matches are found in the normalized text and shown in the original script when the two
    align character for character (OpenCC conversion and NFKC nearly always do).

    >>> make_snippet("學校召開會議，部署防疫工作。", "学校召开会议，部署防疫工作。", [Term("防疫")])
    '學校召開會議，部署[防疫]工作。'
    """
    shown = body if len(body) == len(body_norm) else body_norm
    finders = [_finder(term) for term in terms]
    patterns = [f.pattern for f in finders]
    # Look for matches in the unfolded text first (patterns ignore case; Han text rarely changes
    # under NFKC): folding every body of a page dominated search time.
    firsts = [i for f in finders if (i := f.first(body_norm)) >= 0]
    if firsts or not patterns or not _fold_can_match(body_norm, terms):
        start = max(0, min(firsts) - width // 4) if firsts else 0
        end = min(len(shown), start + width)
        window = body_norm[start:end]  # matched unfolded: no need to fold
    else:  # the match needs folding to be seen (full-width Latin...)
        folded = fold(body_norm)
        first = min((m.start() for p in patterns if (m := p.search(folded))), default=0)
        start = max(0, first - width // 4)
        end = min(len(shown), start + width)
        window = folded[start:end]
    text_window = shown[start:end]
    if len(window) != len(text_window):
        text_window = window  # not aligned: show the normalized form
    spans: list[tuple[int, int]] = []
    for a, b in sorted(span for f in finders for span in f.spans(window)):
        if spans and a <= spans[-1][1]:  # overlapping or touching matches: one mark
            spans[-1] = (spans[-1][0], max(b, spans[-1][1]))
        else:
            spans.append((a, b))
    out = ["…" if start > 0 else ""]
    pos = 0
    for a, b in spans:
        out += [text_window[pos:a], mark[0], text_window[a:b], mark[1]]
        pos = b
    out += [text_window[pos:], "…" if end < len(shown) else ""]
    return _NEWLINES.sub(" ", "".join(out))
