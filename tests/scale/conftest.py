"""Fixtures for the scale tests: a PostgreSQL schema, a Redis frontier, slowed fixture sites.

PostgreSQL comes from ``tests/archive/conftest.py`` (one database per session, one schema per
test, skipped when the server is unreachable). Redis is ``CAMPUSNEWS_TEST_REDIS`` (default
database 14 on 127.0.0.1:6379); the tests clear the keys of the sites they crawl before and
after.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from fixtures.server import FixtureServer, RequestInfo, Resource, build_sites
from tests.archive.conftest import pg_database_url  # noqa: F401 (a fixture, used by name)

REDIS_URL = os.environ.get("CAMPUSNEWS_TEST_REDIS", "redis://127.0.0.1:6379/14")


@cache
def redis_unreachable_reason() -> str | None:
    """None when the test Redis answers, else why not (for the skip message)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as e:
        return f"Redis not reachable at {REDIS_URL}: {type(e).__name__}: {e}"
    return None


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis, with the fixture sites' frontier keys cleared before and after."""
    reason = redis_unreachable_reason()
    if reason:
        pytest.skip(reason)
    from campusnews.distributed import clear

    sites = ("demo-vsb", "demo-webplus", "demo-mirror", "demo-big5")
    for site in sites:
        clear(REDIS_URL, site)
    yield REDIS_URL
    for site in sites:
        clear(REDIS_URL, site)


def new_pg_schema(base: str) -> str:
    """A fresh schema in the session's PostgreSQL database; its URL (search_path set)."""
    schema = f"s_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def pg_url(pg_database_url: str) -> str:  # noqa: F811
    """URL of a new, empty PostgreSQL schema (dropped with the session's database)."""
    return new_pg_schema(pg_database_url)


def slowed(site_key: str, delay: float, is_slow: Callable[[str], bool]) -> FixtureServer:
    """A fixture site whose pages matching ``is_slow`` answer after ``delay`` seconds.

    Slow pages keep requests in flight long enough for several workers to share a crawl
    and for one to be killed mid-crawl.
    """
    site = build_sites()[site_key]

    def slow(resource: Any) -> Callable[[RequestInfo], Resource]:
        def answer(_info: RequestInfo) -> Resource:
            time.sleep(delay)
            return resource

        return answer

    for path, resource in list(site.pages.items()):
        if is_slow(path) and isinstance(resource, Resource):
            site.pages[path] = slow(resource)
    return FixtureServer(site).start()
