"""Named, replayable schema migrations, recorded in ``schema_migrations``.

Each migration is ``(version, name, function)``; :func:`upgrade` applies the missing ones in
order, each inside its own transaction together with its ``schema_migrations`` row, so a crash
leaves the schema at a known version. Functions take a :class:`sqlalchemy.Connection` and must
work on SQLite and PostgreSQL.

Migration 1 creates the tables of ``archive.schema`` as they are at that time. A later change
to the models must come with a new migration here that brings an existing database to the
same shape; because migration 1 on a brand-new database already creates the latest models, a
later migration must tolerate finding its change already made (see :func:`add_column`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select, text

from archive.schema import Base, SchemaMigration

Migration = tuple[int, str, Callable[[Connection], None]]

# Arbitrary constant naming "campusnews archive migrations" for pg_advisory_xact_lock.
_ADVISORY_KEY = 0x63616D70


def _create_base_schema(conn: Connection) -> None:
    Base.metadata.create_all(conn, checkfirst=True)


def add_column(conn: Connection, table: str, column: str, ddl_type: str) -> None:
    """Add ``column`` to ``table`` unless it is already there (for later migrations).

    ``table``, ``column`` and ``ddl_type`` come from this module, never from users.
    """
    existing = {c["name"] for c in inspect(conn).get_columns(table)}
    if column not in existing:
        conn.execute(text(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {ddl_type}'))


def _search_index(conn: Connection) -> None:
    # Imported here: archive.search pulls in the normalizer (OpenCC), which opening an
    # archive should not pay for when the index already exists.
    from archive.search import add_search_index

    add_search_index(conn)


def _crawl_locks(conn: Connection) -> None:
    from archive.locks import create_table

    create_table(conn)


MIGRATIONS: list[Migration] = [
    (1, "base schema", _create_base_schema),
    (2, "search index", _search_index),
    (3, "crawl locks", _crawl_locks),
]


def applied_versions(engine: Engine) -> dict[int, str]:
    """Versions already applied, ``{version: name}``; empty for a blank database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(SchemaMigration.__tablename__):
            return {}
        rows = conn.execute(select(SchemaMigration.version, SchemaMigration.name)).all()
    return {v: n for v, n in rows}


def upgrade(engine: Engine) -> list[int]:
    """Apply every missing migration in order; return the versions applied (often none).

    Safe to call on every open and from several processes at once: a migration that another
    process applied first is skipped (its ``schema_migrations`` row is checked again inside
    a transaction that holds the database's write lock).
    """
    done = applied_versions(engine)
    applied: list[int] = []
    for version, name, func in MIGRATIONS:
        if version in done:
            continue
        with engine.begin() as conn:
            _lock(conn)
            SchemaMigration.__table__.create(conn, checkfirst=True)
            already = conn.execute(
                select(SchemaMigration.version).where(SchemaMigration.version == version)
            ).first()
            if already:
                continue
            func(conn)
            conn.execute(
                SchemaMigration.__table__.insert().values(
                    version=version, name=name, applied_at=datetime.now(UTC)
                )
            )
        applied.append(version)
    return applied


def _lock(conn: Connection) -> None:
    """Serialize migrating processes for the rest of this transaction.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the caller's engine begins
    transactions with ``BEGIN IMMEDIATE`` (see ``archive.db``), which already holds the write
    lock, so nothing to do.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})


def current_version(engine: Engine) -> int:
    """The highest applied migration version, 0 for a blank database."""
    return max(applied_versions(engine), default=0)
