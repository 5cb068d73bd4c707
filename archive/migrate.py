"""Copy an archive from one database to another (SQLite → PostgreSQL, or back) and prove it.

:func:`copy_archive` copies every table of ``archive.schema`` row for row, ids included, in
foreign-key order and in batches (memory does not grow with the archive), then on PostgreSQL
moves each id sequence past the highest copied id, and rebuilds the destination's search index
with :func:`archive.search.reindex` (the index tables are derived data, never copied).
:func:`compare_archives` checks both sides table by table: row count and a digest of every
row's values (see :func:`table_digest`). Crawl locks are not copied: they belong to processes
running against the source.

The source is only read. The destination must be empty (a fresh database, or one that only
has the schema); it is migrated to the current schema first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, text

from archive.db import make_engines
from archive.migrations import MIGRATIONS, current_version, upgrade
from archive.schema import Base

# The archive's own tables, parents before children; schema_migrations belongs to each side.
TABLES: list[Table] = [t for t in Base.metadata.sorted_tables if t.name != "schema_migrations"]
# Rows per INSERT batch; payload rows hold whole pages, so they go in smaller batches.
BATCH = 1000
PAYLOAD_BATCH = 100
_DIGEST_MOD = 1 << 256


class MigrateError(Exception):
    """The copy cannot start (source not migrated, destination not empty); nothing was written."""


@dataclass(frozen=True, slots=True)
class TableCheck:
    """One table on both sides: row counts and row digests."""

    table: str
    src_rows: int
    dst_rows: int
    src_digest: str
    dst_digest: str

    @property
    def ok(self) -> bool:
        return self.src_rows == self.dst_rows and self.src_digest == self.dst_digest


def _canonical(value: Any) -> Any:
    """A value in a form both backends give alike (aware UTC datetimes, JSON key order...)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, float):
        return repr(value)
    return value


def row_digest(row: dict[str, Any]) -> int:
    """SHA-256 of one row's values (by column name) as an integer.

    >>> row_digest({"a": 1, "b": None}) == row_digest({"b": None, "a": 1})
    True
    """
    data = json.dumps({k: _canonical(v) for k, v in row.items()}, sort_keys=True,
                      ensure_ascii=False)  # fmt: skip
    return int.from_bytes(hashlib.sha256(data.encode("utf-8")).digest(), "big")


def table_digest(conn: Connection, table: Table) -> tuple[int, str]:
    """``(rows, digest)`` of a table: the sum of its row digests modulo 2**256, in hex.

    A sum does not depend on row order, which the two backends may disagree on for text keys
    (collations differ); every row has a distinct primary key, so no two rows cancel out.
    """
    total, count = 0, 0
    result = conn.execution_options(yield_per=BATCH).execute(select(table))
    for row in result.mappings():
        total = (total + row_digest(dict(row))) % _DIGEST_MOD
        count += 1
    return count, f"{total:064x}"


def compare_archives(src_url: str, dst_url: str) -> list[TableCheck]:
    """Row counts and digests of every archive table on both sides."""
    src, _ = make_engines(src_url, readonly=True)
    dst, _ = make_engines(dst_url, readonly=True)
    checks = []
    try:
        with src.connect() as a, dst.connect() as b:
            for table in TABLES:
                n_src, d_src = table_digest(a, table)
                n_dst, d_dst = table_digest(b, table)
                checks.append(TableCheck(table.name, n_src, n_dst, d_src, d_dst))
    finally:
        src.dispose()
        dst.dispose()
    return checks


def _check_source(engine: Engine) -> None:
    latest = max(v for v, _, _ in MIGRATIONS)
    have = current_version(engine)
    if have != latest:
        raise MigrateError(
            f"source archive is at schema version {have}, not {latest}: "
            "run `campusnews db upgrade --db SRC` first"
        )


def _check_empty(conn: Connection) -> None:
    for table in TABLES:
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            raise MigrateError(f"destination is not empty (table {table.name} has rows)")


def _copy_table(
    src: Connection, dst: Connection, table: Table, progress: Callable[[str, int], None] | None
) -> int:
    size = PAYLOAD_BATCH if table.name == "payloads" else BATCH
    order = list(table.primary_key.columns)
    result = src.execution_options(yield_per=size).execute(select(table).order_by(*order))
    done = 0
    for batch in result.mappings().partitions(size):
        dst.execute(table.insert(), [dict(r) for r in batch])
        done += len(batch)
        if progress is not None:
            progress(table.name, done)
    return done


def _reset_sequences(conn: Connection) -> None:
    """Move each PostgreSQL id sequence past the highest copied id (the next insert gets max+1)."""
    for table in TABLES:
        if not _autoincrement_ids(table):
            continue
        pk = list(table.primary_key.columns)
        # Names come from our own schema, never from users.
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'),"
                f" COALESCE(MAX({pk[0].name}), 1), MAX({pk[0].name}) IS NOT NULL)"
                f' FROM "{table.name}"'
            )
        )


def _autoincrement_ids(table: Table) -> bool:
    pk = list(table.primary_key.columns)
    return len(pk) == 1 and pk[0].autoincrement is not False and _is_int(pk[0])


def _is_int(column: Any) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


def copy_archive(
    src_url: str, dst_url: str, *, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Copy the archive at ``src_url`` into the empty database at ``dst_url``.

    Returns rows copied per table. One transaction on the destination: a failed copy leaves it
    as empty as it was. ``progress(table, rows_so_far)`` is called after each batch. Raises
    :class:`MigrateError` before writing anything when the source is not at the current
    schema version or the destination holds rows.
    """
    from archive.core import Archive
    from archive.search import reindex

    src, _ = make_engines(src_url, readonly=True)
    _check_source(src)
    dst, dst_write = make_engines(dst_url)
    copied: dict[str, int] = {}
    try:
        upgrade(dst_write)
        with src.connect() as a, dst_write.begin() as b:
            _check_empty(b)
            for table in TABLES:
                copied[table.name] = _copy_table(a, b, table, progress)
            if b.dialect.name == "postgresql":
                _reset_sequences(b)
    finally:
        src.dispose()
        dst.dispose()
    with Archive(dst_url) as arc:
        copied["search index"] = reindex(arc)
    return copied
