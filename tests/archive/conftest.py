"""Backends for archive tests: a SQLite temp file always, PostgreSQL when reachable.

``db_url`` gives each test a brand-new empty database on each backend: a fresh SQLite file,
or, on PostgreSQL, a fresh schema (selected by ``search_path`` in the URL) inside a database
created for this test session and dropped at its end. Schemas are used because creating a
database per test costs about half a second. Tests that take ``archive`` get an opened
(migrated) :class:`archive.Archive` on it. Override the server with ``CAMPUSNEWS_TEST_PG`` (a
``postgresql+psycopg://`` URL to an existing database on a server where we may create
databases).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from archive import Archive

PG_ADMIN_URL = os.environ.get(
    "CAMPUSNEWS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@cache
def pg_unreachable_reason() -> str | None:
    """None when the test PostgreSQL server answers, else why not (for the skip message)."""
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except (SQLAlchemyError, ImportError) as e:  # no server, or no psycopg: skip, saying which
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(e).__name__}: {e}"
    return None


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A PostgreSQL database of our own for this test session (skips when unreachable)."""
    reason = pg_unreachable_reason()
    if reason:
        pytest.skip(reason)
    name = f"cn_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a new, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.db'}"
        return
    base = request.getfixturevalue("pg_database_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    """An opened, migrated archive on a fresh database of each backend."""
    arc = Archive(db_url)
    try:
        yield arc
    finally:
        arc.close()
