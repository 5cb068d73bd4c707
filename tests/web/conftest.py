"""An archive built by a real crawl of the fixture sites, once per test module and backend.

SQLite always; PostgreSQL when the test server answers (``CAMPUSNEWS_TEST_PG``, as for the
archive tests), in a database created for the module and dropped after it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from tests.e2e.crawling import crawl_sites

PG_ADMIN_URL = os.environ.get(
    "CAMPUSNEWS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def pg_unreachable() -> str | None:
    """None when the test PostgreSQL server answers, else why not."""
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except (SQLAlchemyError, ImportError) as e:  # no server or no driver: skip, saying which
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(e).__name__}: {e}"
    return None


def _pg_database() -> tuple[str, Any]:
    """A new empty database; returns its URL and a function that drops it."""
    name = f"cn_web_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="module", params=BACKENDS)
def crawled_url(
    request: pytest.FixtureRequest,
    demo_sites: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """URL of an archive filled by ``campusnews crawl`` over the four fixture sites."""
    drop = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'crawl.db'}"
    else:
        reason = pg_unreachable()
        if reason:
            pytest.skip(reason)
        url, drop = _pg_database()
    try:
        run = crawl_sites(demo_sites, url)  # type: ignore[arg-type]  # str(url) is what it passes
        assert run.returncode == 0, run.stdout + run.stderr
        yield url
    finally:
        if drop is not None:
            drop()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
