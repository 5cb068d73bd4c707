"""Several processes on one Redis frontier, archiving into PostgreSQL.

A seeding ``campusnews crawl SITE --redis`` and ``campusnews worker SITE`` processes crawl
demo-vsb (article pages slowed so the work is shared and requests are in flight). Every
article must be archived exactly once, and a worker killed with SIGKILL mid-crawl must leave
nothing missing once a re-seeding run has gone over the site again.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from archive import Archive
from archive.schema import Article, Capture, Run, Version
from campusnews.distributed import RedisKeys, frontier
from fixtures.server import FixtureServer
from tests.scale.conftest import slowed
from tests.scale.crawls import finish, start, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

SITE = "demo-vsb"
ARTICLES = 30  # distinct articles of demo-vsb (fixtures/README.md)
# The seeding crawl takes one request at a time so the workers find work when they join.
# CONCURRENT_REQUESTS too: Scrapy's engine pops up to CONCURRENT_REQUESTS requests from the
# shared queue into its own downloader whatever the per-domain limit, and a seeder holding 16
# of them left a worker with nothing to fetch (the killed-worker test then timed out).
SLOW_SEEDER = ("--set", "CONCURRENT_REQUESTS=1", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
# Workers start first and wait this long for the seeding crawl, which starts after them.
IDLE = 10.0


@pytest.fixture
def site() -> Iterator[FixtureServer]:
    server = slowed(SITE, 0.3, lambda path: path.startswith("/info/"))
    yield server
    server.stop()


@pytest.fixture
def db(pg_url: str) -> str:
    Archive(pg_url).close()  # migrate once up front rather than in three racing processes
    return pg_url


def _seed(site: FixtureServer, db: str, redis_url: str) -> Any:
    return start("crawl", SITE, "--db", db, "--redis", redis_url, "--base-url", site.base_url,
                 *SLOW_SEEDER)  # fmt: skip


def _workers_ready(db: str, n: int) -> None:
    """Wait until ``n`` workers have opened their runs (process start-up takes seconds)."""

    def ready() -> bool:
        with Archive(db, create=False) as arc, arc.session() as s:
            return (s.scalar(select(func.count()).where(Run.mode == "worker")) or 0) >= n

    wait_until(ready, f"{n} worker(s) to start")


def _worker(db: str, redis_url: str, idle: float = IDLE) -> Any:
    # No --base-url: the worker reads where the site is from what the seeding run recorded.
    return start("worker", SITE, "--db", db, "--redis", redis_url, "--idle-timeout", str(idle))


def _counts(db: str) -> dict[str, Any]:
    with Archive(db, create=False) as arc, arc.session() as s:
        per_url = s.execute(
            select(Capture.url, func.count()).where(Capture.kind == "article").group_by(Capture.url)
        ).all()
        return {
            "articles": s.scalar(select(func.count()).select_from(Article)),
            "versions": s.scalar(select(func.count()).select_from(Version)),
            "max_fetches_per_url": max((n for _, n in per_url), default=0),
            "captures": s.scalar(select(func.count()).select_from(Capture)),
            "runs": {r.id: (r.mode, r.status, r.pages) for r in s.scalars(select(Run))},
        }


def test_two_workers_store_every_article_exactly_once(
    site: FixtureServer, db: str, redis_url: str
) -> None:
    workers = [_worker(db, redis_url), _worker(db, redis_url)]
    _workers_ready(db, 2)
    seeder = _seed(site, db, redis_url)
    runs = [finish(p) for p in (seeder, *workers)]
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
    c = _counts(db)
    assert c["articles"] == ARTICLES
    assert c["versions"] == ARTICLES  # no article stored twice as a "changed" version
    assert c["max_fetches_per_url"] == 1  # the shared duplicate filter: one fetch per URL
    modes = sorted((mode, status) for mode, status, _ in c["runs"].values())
    assert modes == [("full", "ok"), ("worker", "ok"), ("worker", "ok")]
    assert sum(pages for _, _, pages in c["runs"].values()) == c["captures"]
    assert frontier(redis_url, SITE)["queued"] == 0


def test_killed_worker_loses_nothing_after_reseeding(
    site: FixtureServer, db: str, redis_url: str
) -> None:
    victim = _worker(db, redis_url, idle=60)
    _workers_ready(db, 1)
    seeder = _seed(site, db, redis_url)

    def victim_fetched_some() -> bool:
        with Archive(db, create=False) as arc, arc.session() as s:
            worker_run = s.scalar(select(Run.id).where(Run.mode == "worker"))
            if worker_run is None:
                return False
            mine = select(func.count()).where(Capture.run_id == worker_run)
            return (s.scalar(mine) or 0) >= 2

    wait_until(victim_fetched_some, "the worker to archive a few pages")
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    first = finish(seeder)
    assert first.returncode == 0, first.stdout + first.stderr
    before = _counts(db)["articles"]

    # The recovery: the next run re-reads the listing pages and queues every article again.
    again = finish(start("crawl", SITE, "--db", db, "--redis", redis_url,
                         "--base-url", site.base_url))  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    c = _counts(db)
    assert c["articles"] == ARTICLES, f"{ARTICLES - before} were missing after the kill"
    assert c["versions"] == ARTICLES
    by_mode = sorted((mode, status) for mode, status, _ in c["runs"].values())
    # The killed worker's run is found dead and marked by the next run of the site.
    assert by_mode == [("full", "ok"), ("full", "ok"), ("worker", "interrupted")]
    assert frontier(redis_url, SITE)["queued"] == 0


def test_reseeding_clears_only_the_duplicate_filter(redis_url: str) -> None:
    import redis

    from campusnews.distributed import start_run

    client = redis.Redis.from_url(redis_url)
    keys = RedisKeys.for_site(SITE)
    client.sadd(keys.dupefilter, "fp1", "fp2")
    client.zadd(keys.requests, {b"pending-request": 0})
    start_run(redis_url, SITE, base_url="http://127.0.0.1:1", max_pages=None)
    state = frontier(redis_url, SITE)
    assert (state["seen"], state["queued"]) == (0, 1)  # the queue persists across runs
    assert (state["base_url"], state["max_pages"]) == ("http://127.0.0.1:1", None)
