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

from fixtures.server import FixtureServer, Resource, build_sites, expected_articles
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


CHANGED_SITE = "demo-big5"
OLD_SENTENCE = "培訓內容涵蓋政策解讀"
NEW_SENTENCE = "本次修訂新增兩項內容"


def crawl_changed(db: Path, others: dict[str, Any] | None = None) -> str:
    """Crawl demo-big5 (own server) and ``others``, edit one article's body, crawl demo-big5
    again; return the URL of the edited article, which then has two versions."""
    site = build_sites()[CHANGED_SITE]
    article = next(a for a in expected_articles(CHANGED_SITE) if OLD_SENTENCE in a["body"][0])
    with FixtureServer(site).start() as server:
        servers = {**(others or {}), CHANGED_SITE: server}
        first = crawl_sites(servers, db, tuple(servers))
        assert first.returncode == 0, first.stdout + first.stderr
        page = site.pages[article["path"]]
        html = page.body.decode("big5")
        assert html.count(OLD_SENTENCE) == 1
        body = html.replace(OLD_SENTENCE, NEW_SENTENCE).encode("big5")
        site.set_page(article["path"], Resource(body=body, headers=dict(page.headers)))
        second = crawl_sites(servers, db, (CHANGED_SITE,))
        assert second.returncode == 0, second.stdout + second.stderr
        return server.base_url + article["path"]
