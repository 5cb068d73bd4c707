"""The search index: bigram tokens of each article's latest version (used by ``archive.search``).

- SQLite: a contentless FTS5 table ``search_fts(title, body, captions, credits)`` holding
  space-separated bigram tokens (``unicode61`` tokenizer, one-character prefix index so
  ``"党"*`` is fast), and ``search_indexed(article_id, version_id)`` saying which version each
  row holds (a contentless row is deleted by re-sending its tokens, recomputed from that
  version). The FTS rowid is :func:`fts_key`: the article's day (ordinal, 0 when undated) in
  the high bits and the article id in the low 32, so newest-first order and date ranges are
  rowid order and rowid ranges, which FTS5 answers without touching another table.
- PostgreSQL: ``search_index(article_id, version_id, tsv)`` with the distinct tokens in a
  ``tsvector`` (title weighted A) under a GIN index; no positions, so phrases are token sets
  there and multi-token words are re-checked exactly by the search.

:func:`index_article` runs after every write that changes ``articles.latest_version_id`` (the
archive calls it from ``store``); :func:`reindex` rebuilds everything, which is needed after
any change to :func:`archive.query.tokenize_for_index` (old rows could not be deleted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from archive.query import fold, tokenize_for_index
from archive.schema import Article, Caption, Credit, Version

if TYPE_CHECKING:
    from archive import Archive

Conn = Connection | Session
_BATCH = 500

_SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, body, captions, credits, content='', prefix='1', tokenize='unicode61')",
    "CREATE TABLE IF NOT EXISTS search_indexed ("
    "article_id INTEGER PRIMARY KEY, version_id INTEGER NOT NULL)",
)
_PG_DDL = (
    "CREATE TABLE IF NOT EXISTS search_index (article_id INTEGER PRIMARY KEY,"
    " version_id INTEGER NOT NULL, tsv tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_search_index_tsv ON search_index USING GIN (tsv)",
)
_FTS_INSERT = text(
    "INSERT INTO search_fts(rowid, title, body, captions, credits)"
    " VALUES (:rowid, :title, :body, :captions, :credits)"
)
_FTS_DELETE = text(
    "INSERT INTO search_fts(search_fts, rowid, title, body, captions, credits)"
    " VALUES ('delete', :rowid, :title, :body, :captions, :credits)"
)
_PG_UPSERT = text(
    "INSERT INTO search_index (article_id, version_id, tsv) VALUES (:rowid, :version_id,"
    " setweight(array_to_tsvector(CAST(:title AS text[])), 'A')"
    " || array_to_tsvector(CAST(:rest AS text[])))"
    " ON CONFLICT (article_id) DO UPDATE SET version_id = EXCLUDED.version_id, tsv = EXCLUDED.tsv"
)
ARTICLE_ID_BITS = 32
ARTICLE_ID_MASK = (1 << ARTICLE_ID_BITS) - 1


def add_search_index(conn: Connection) -> None:
    """Migration: create the search index for this dialect and index every stored article."""
    ensure_search_index(conn)
    _rebuild(conn)


def ensure_search_index(conn: Conn) -> None:
    """Create the index tables if they are missing (idempotent)."""
    for ddl in _PG_DDL if dialect_of(conn) == "postgresql" else _SQLITE_DDL:
        conn.execute(text(ddl))


def fts_key(article_id: int, day: date | None) -> int:
    """The ``search_fts`` rowid of an article: day ordinal (0: undated) above the 32-bit id.

    >>> fts_key(7, date(2020, 3, 1)) >> 32, fts_key(7, date(2020, 3, 1)) & ARTICLE_ID_MASK
    (737485, 7)
    """
    if not 0 < article_id <= ARTICLE_ID_MASK:
        raise ValueError(f"article id {article_id} does not fit the search index key")
    return ((day.toordinal() if day else 0) << ARTICLE_ID_BITS) | article_id


def key_range(since: date | None, until: date | None) -> dict[str, int]:
    """``lo``/``hi`` rowid bounds for a day range (undated articles only when unbounded)."""
    if since is None and until is None:
        return {"lo": 0, "hi": (1 << 63) - 1}
    return {
        "lo": ((since or date.min).toordinal() << ARTICLE_ID_BITS),
        "hi": ((until or date.max).toordinal() << ARTICLE_ID_BITS) | ARTICLE_ID_MASK,
    }


@dataclass(frozen=True, slots=True)
class IndexedText:
    """The normalized text of one version as the index sees it."""

    title: str
    body: str
    captions: str
    credits: str
    day: date | None = None

    def fields(self) -> list[str]:
        """Folded fields for :func:`archive.query.matches`."""
        return [fold(self.title), fold(self.body), fold(self.captions), fold(self.credits)]


def version_texts(conn: Conn, version_ids: Sequence[int]) -> dict[int, IndexedText]:
    """Normalized (Simplified) text of the given versions: the only text that is indexed."""
    caps: dict[int, list[str]] = {}
    rows = conn.execute(
        select(Caption.version_id, Caption.text_norm)
        .where(Caption.version_id.in_(version_ids))
        .order_by(Caption.version_id, Caption.seq)
    )
    for vid, t in rows:
        caps.setdefault(vid, []).append(t)
    creds: dict[int, list[str]] = {}
    rows = conn.execute(
        select(Credit.version_id, Credit.name_norm)
        .where(Credit.version_id.in_(version_ids))
        .order_by(Credit.version_id, Credit.seq)
    )
    for vid, name in rows:
        creds.setdefault(vid, []).append(name)
    rows = conn.execute(
        select(Version.id, Version.title_norm, Version.body_norm, Version.day).where(
            Version.id.in_(version_ids)
        )
    )
    return {
        vid: IndexedText(
            title, body, "\n".join(caps.get(vid, ())), "\n".join(creds.get(vid, ())), day
        )
        for vid, title, body, day in rows
    }


def _row(article_id: int, t: IndexedText) -> dict[str, Any]:
    return {
        "rowid": fts_key(article_id, t.day),
        "title": tokenize_for_index(t.title),
        "body": tokenize_for_index(t.body),
        "captions": tokenize_for_index(t.captions),
        "credits": tokenize_for_index(t.credits),
    }


def _pg_row(article_id: int, version_id: int, t: IndexedText) -> dict[str, Any]:
    rest = f"{t.body}\n{t.captions}\n{t.credits}"
    return {
        "rowid": article_id,
        "version_id": version_id,
        "title": sorted(set(tokenize_for_index(t.title).split())),
        "rest": sorted(set(tokenize_for_index(rest).split())),
    }


def index_article(
    conn: Conn, article_id: int, *, latest: tuple[int, IndexedText] | None = None
) -> None:
    """Make the index hold the article's latest version (call inside the write transaction).

    Cheap when already up to date. ``conn`` is a Connection or a Session. ``latest`` is
    ``(version_id, text)`` of the article's latest version when the caller has just written
    it (the text as :func:`version_texts` would read it back); otherwise it is read.
    """
    if latest is None:
        version_id = conn.execute(
            select(Article.latest_version_id).where(Article.id == article_id)
        ).scalar()
        known: dict[int, IndexedText] = {}
    else:
        version_id, written = latest
        known = {version_id: written}
    if dialect_of(conn) == "postgresql":
        if version_id is None:
            conn.execute(text("DELETE FROM search_index WHERE article_id = :a"), {"a": article_id})
        else:
            found = known or version_texts(conn, [version_id])
            conn.execute(_PG_UPSERT, _pg_row(article_id, version_id, found[version_id]))
        return
    prev = conn.execute(
        text("SELECT version_id FROM search_indexed WHERE article_id = :a"), {"a": article_id}
    ).scalar()
    if prev == version_id:
        return
    wanted = [v for v in (prev, version_id) if v is not None and v not in known]
    texts = {**version_texts(conn, wanted), **known} if wanted else known
    if prev is not None:
        # Contentless FTS5 deletes by re-sending the exact tokens that were inserted.
        conn.execute(_FTS_DELETE, _row(article_id, texts[prev]))
        conn.execute(text("DELETE FROM search_indexed WHERE article_id = :a"), {"a": article_id})
    if version_id is not None:
        conn.execute(_FTS_INSERT, _row(article_id, texts[version_id]))
        conn.execute(
            text("INSERT INTO search_indexed (article_id, version_id) VALUES (:a, :v)"),
            {"a": article_id, "v": version_id},
        )


def reindex(archive: Archive, *, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the latest versions; return the number of articles indexed.

    One transaction, then :func:`optimize_search_index`. ``progress``, when given, is called
    with the running count after each batch of 500.
    """
    with archive.engine.begin() as conn:
        ensure_search_index(conn)
        done = _rebuild(conn, progress)
    optimize_search_index(archive)
    return done


def optimize_search_index(archive: Archive) -> None:
    """Merge the SQLite index into one segment; ANALYZE it on PostgreSQL.

    Writes add small FTS5 segments that automerge only combines in levels; a query reads
    every segment, newest-first order (which walks doclists backwards) most of all. Measured
    on 100,000 articles: the newest 20 hits of a 4-character phrase 0.44 → 0.06 ms, counting
    up to 1,000 hits 0.66 → 0.33 ms; the merge itself took 28 s. Worth running after a large
    crawl or from a weekly cron job (``campusnews db optimize``); queries keep working while
    it runs, and writers wait for it.
    """
    with archive.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE search_index"))
        else:
            conn.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))


def _rebuild(conn: Connection, progress: Callable[[int], None] | None = None) -> int:
    pg = conn.dialect.name == "postgresql"
    conn.execute(text("DELETE FROM search_index" if pg else "DELETE FROM search_indexed"))
    if not pg:
        conn.execute(text("INSERT INTO search_fts(search_fts) VALUES ('delete-all')"))
    pairs = conn.execute(
        select(Article.id, Article.latest_version_id)
        .where(Article.latest_version_id.is_not(None))
        .order_by(Article.id)
    ).all()
    done = 0
    for batch in batched(pairs):
        texts = version_texts(conn, [v for _, v in batch])
        if pg:
            conn.execute(_PG_UPSERT, [_pg_row(a, v, texts[v]) for a, v in batch])
        else:
            conn.execute(_FTS_INSERT, [_row(a, texts[v]) for a, v in batch])
            conn.execute(
                text("INSERT INTO search_indexed (article_id, version_id) VALUES (:a, :v)"),
                [{"a": a, "v": v} for a, v in batch],
            )
        done += len(batch)
        if progress is not None:
            progress(done)
    return done


def dialect_of(conn: Conn) -> str:
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    return bind.dialect.name


def batched(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), _BATCH):
        yield items[i : i + _BATCH]
