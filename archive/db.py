"""Engines for the archive: one URL picks SQLite or PostgreSQL, tuned for a crawl that writes
while researchers read.

SQLite gets WAL (readers never block the writer, nor it them), a busy timeout (a second
writer waits instead of failing), foreign keys, and ``BEGIN IMMEDIATE`` for write
transactions: a deferred transaction that reads and then writes can fail at once with
"database is locked" when another process wrote in between, which ``busy_timeout`` does not
cover. PostgreSQL needs nothing special beyond ``pool_pre_ping``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

DEFAULT_URL = "sqlite:///campusnews.db"
BUSY_TIMEOUT_MS = 30_000
# Execution option carried by the write engine; the "begin" hook reads it.
_WRITE_OPTION = "campusnews_write"


def make_engines(url: str, *, readonly: bool = False) -> tuple[Engine, Engine]:
    """Return ``(engine, write_engine)`` for ``url``; both share one connection pool.

    ``write_engine`` starts its transactions with ``BEGIN IMMEDIATE`` on SQLite; on
    PostgreSQL the two behave alike. With ``readonly`` every connection refuses writes.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if parsed.drivername == "postgresql":
        # SQLAlchemy's default PostgreSQL driver is psycopg2; we depend on psycopg 3.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        if memory:
            # One shared connection, or every checkout would see its own empty database.
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        engine = create_engine(url, **kwargs)
        _tune_sqlite(engine, readonly=readonly, memory=memory)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
        if readonly:
            _read_only_server(engine)
    return engine, engine.execution_options(**{_WRITE_OPTION: True})


def _read_only_server(engine: Engine) -> None:
    # An event, not connect_args, so ``?options=...`` in the URL (e.g. a search_path) survives.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        if hasattr(dbapi_conn, "read_only"):  # psycopg 3
            dbapi_conn.read_only = True
        else:  # other drivers: the session default, committed so it is not rolled back
            cur = dbapi_conn.cursor()
            cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            cur.close()
            dbapi_conn.commit()


def _tune_sqlite(engine: Engine, *, readonly: bool, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so our BEGIN is the only one.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        if not memory and not readonly:
            # Persistent in the file; cheap to repeat. Returns the mode actually set.
            cur.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed capture survives power loss too, not only a killed process.
        cur.execute("PRAGMA synchronous = FULL")
        if readonly:
            cur.execute("PRAGMA query_only = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
