"""Distributed crawling: one crawl frontier per site in Redis, shared by any number of workers.

With ``campusnews crawl SITE --redis URL`` (or ``CAMPUSNEWS_REDIS``) the Scrapy scheduler and
duplicate filter are scrapy-redis's (:func:`redis_settings`); the queue and the fingerprint set
live under per-site keys (:class:`RedisKeys`) so two sites never mix. ``campusnews worker SITE
--redis URL`` (:func:`run_worker`) starts one more process on the same frontier, on any
machine that reaches the Redis server and the archive database; it seeds nothing, crawls what is
queued for the site and exits when the queue has stayed empty for ``idle_timeout`` seconds.

Decisions (see ``docs/scaling.md``):

* The queue persists (``SCHEDULER_PERSIST``): a crawl that stops leaves its pending requests for
  the next worker or run.
* Each ``crawl --redis`` run starts by deleting the site's fingerprint set
  (:func:`start_run`), so the listing pages (and articles, revalidated with conditional GET)
  are fetched again, as a crawl without Redis does. Workers never clear it.
* A request popped by a worker that then dies is lost from the queue (scrapy-redis pops, it has
  no acknowledgements). Recovery is the next ``crawl --redis`` run: it re-reads the listing
  pages and re-queues every article; the archive stores each article once whatever the number
  of fetches.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from campusnews.exceptions import CampusNewsError

REDIS_ENV = "CAMPUSNEWS_REDIS"
KEY_PREFIX = "campusnews"
DEFAULT_IDLE_TIMEOUT = 30.0
# How often an idle worker looks at the queue again (Scrapy's own heartbeat is 5 s).
IDLE_POLL_SECONDS = 0.5
SCHEDULER = "scrapy_redis.scheduler.Scheduler"
DUPEFILTER = "scrapy_redis.dupefilter.RFPDupeFilter"


@dataclass(frozen=True, slots=True)
class RedisKeys:
    """The Redis keys of one site's frontier.

    >>> RedisKeys.for_site("demo-vsb").requests
    'campusnews:demo-vsb:requests'
    """

    requests: str  # sorted set of serialized requests (scrapy-redis priority queue)
    dupefilter: str  # set of request fingerprints already scheduled
    meta: str  # hash: base_url, max_pages of the run that seeded the queue

    @classmethod
    def for_site(cls, site: str) -> RedisKeys:
        # '%' would be read by scrapy-redis as a format placeholder (it formats keys with %).
        safe = site.replace("%", "_")
        return cls(*(f"{KEY_PREFIX}:{safe}:{part}" for part in ("requests", "dupefilter", "meta")))


def quiet_scrapy_redis() -> None:
    """Silence scrapy-redis 0.9's deprecation warning on every request (``inc_value(spider=)``).

    It is logged once per scheduled request by the library, not by our code; nothing to fix here.
    """
    warnings.filterwarnings(
        "ignore", message="Passing a 'spider' argument to StatsCollector", module="scrapy_redis"
    )


def redis_url_from_env(value: str | None = None) -> str | None:
    """``value`` if given, else ``CAMPUSNEWS_REDIS`` if set, else None."""
    return value or os.environ.get(REDIS_ENV) or None


def redis_settings(url: str, site: str | None = None) -> dict[str, Any]:
    """Scrapy settings that put the scheduler and duplicate filter in Redis at ``url``.

    With ``site`` the queue and fingerprint keys are that site's (:class:`RedisKeys`);
    without, scrapy-redis's defaults (keyed by spider name, shared by every site).

    >>> s = redis_settings("redis://127.0.0.1:6379/0", "demo-vsb")
    >>> s["SCHEDULER"], s["SCHEDULER_PERSIST"], s["SCHEDULER_QUEUE_KEY"]
    ('scrapy_redis.scheduler.Scheduler', True, 'campusnews:demo-vsb:requests')
    """
    settings: dict[str, Any] = {
        "SCHEDULER": SCHEDULER,
        "DUPEFILTER_CLASS": DUPEFILTER,
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": url,
        # Many processes crawl one site on purpose: the archive's one-crawler-per-site lock
        # would turn every worker but the first away. Redis coordinates them instead.
        "CAMPUSNEWS_LOCK": False,
    }
    if site is not None:
        keys = RedisKeys.for_site(site)
        settings["SCHEDULER_QUEUE_KEY"] = keys.requests
        settings["SCHEDULER_DUPEFILTER_KEY"] = keys.dupefilter
    return settings


def site_key_for(target: str) -> str:
    """The site key a crawl target gets: the profile's key, or a bare URL's host name.

    Mirrors how :class:`~campusnews.spiders.campus.CampusSpider` names its site.

    >>> site_key_for("demo-vsb"), site_key_for("https://news.example.edu.cn/xwzx.htm")
    ('demo-vsb', 'news.example.edu.cn')
    """
    if target.startswith(("http://", "https://")):
        return urlsplit(target).hostname or "unknown"
    from campusnews.profiles import get_profile

    return get_profile(target).key


def connect(url: str) -> Any:
    """A ``redis.Redis`` client for ``url``; raises :class:`CampusNewsError` when unreachable."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as e:
        raise CampusNewsError(f"Redis not reachable at {url}: {e}") from e
    return client


def start_run(url: str, site: str, *, base_url: str | None, max_pages: int | None) -> None:
    """Prepare the site's frontier for a new seeding run (``crawl --redis``).

    Deletes the fingerprint set so listing pages are fetched again (the queue itself is kept:
    requests left by an earlier run are still crawled) and records where the site is served,
    which workers read when they are not given ``--base-url``.
    """
    client = connect(url)
    keys = RedisKeys.for_site(site)
    client.delete(keys.dupefilter)
    meta = {"base_url": base_url or "", "max_pages": "" if max_pages is None else str(max_pages)}
    client.hset(keys.meta, mapping=meta)


def seeding_settings(url: str, spec: Any) -> dict[str, Any]:
    """Settings for the crawl of ``spec`` (a ``CrawlSpec``) seeding the shared frontier.

    Also prepares the frontier for the new run (:func:`start_run`).
    """
    target = spec.site or spec.url
    if not target:
        raise CampusNewsError("a distributed crawl needs a site or a listing URL")
    site = site_key_for(target)
    start_run(url, site, base_url=spec.base_url, max_pages=spec.max_pages)
    quiet_scrapy_redis()
    return redis_settings(url, site)


def frontier(url: str, site: str) -> dict[str, Any]:
    """What Redis holds for the site: queued requests, fingerprints, and the seeding run's meta."""
    client = connect(url)
    keys = RedisKeys.for_site(site)
    meta = {k.decode(): v.decode() for k, v in client.hgetall(keys.meta).items()}
    return {
        "queued": int(client.zcard(keys.requests)),
        "seen": int(client.scard(keys.dupefilter)),
        "base_url": meta.get("base_url") or None,
        "max_pages": int(meta["max_pages"]) if meta.get("max_pages") else None,
    }


def clear(url: str, site: str) -> None:
    """Delete the site's queue, fingerprints and meta (start from nothing)."""
    keys = RedisKeys.for_site(site)
    connect(url).delete(keys.requests, keys.dupefilter, keys.meta)


def _worker_spider_class() -> type:
    # Built lazily: importing Scrapy and the spider is not needed to read settings or keys.
    from scrapy import signals
    from scrapy.exceptions import DontCloseSpider

    from campusnews.spiders.campus import CampusSpider

    class WorkerSpider(CampusSpider):
        """The campus spider without seeds: it crawls what the shared frontier holds.

        Stays open while the queue is empty for up to ``idle_timeout`` seconds, because
        another worker may be parsing a listing page that will queue more requests.
        """

        idle_timeout: float = DEFAULT_IDLE_TIMEOUT

        def __init__(
            self,
            *args: Any,
            idle_timeout: float | str | None = None,
            frontier_url: str | None = None,
            **kw: Any,
        ):
            super().__init__(*args, **kw)
            self.mode = "worker"  # recorded with the run; navigates as a full crawl
            if idle_timeout not in (None, ""):
                self.idle_timeout = float(idle_timeout)  # type: ignore[arg-type]
            self._idle_since: float | None = None
            # Started before any seeding run: where the site is served is not known yet, and
            # the profile's base URL may be another host or port than the one being crawled.
            self._frontier_url = frontier_url

        def _learn_site(self) -> None:
            """Adopt the base URL (and ``max_pages``) the seeding run recorded, once it has.

            The seeding run records them before it queues anything, so this is settled
            before the first listing page this worker parses.
            """
            if self._frontier_url is None:
                return
            meta = frontier(self._frontier_url, self.site_key)
            if not meta["base_url"]:
                return
            self._frontier_url = None
            self.base_url = meta["base_url"].rstrip("/")
            self.netloc = urlsplit(self.base_url).netloc
            if meta["max_pages"] is not None:
                self.max_pages = meta["max_pages"]

        def _same_site(self, url: str) -> bool:
            self._learn_site()
            return super()._same_site(url)

        @classmethod
        def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
            spider = super().from_crawler(crawler, *args, **kwargs)
            crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
            crawler.signals.connect(spider.on_request, signal=signals.request_scheduled)
            crawler.signals.connect(spider.on_request, signal=signals.response_received)
            return spider

        async def start(self) -> AsyncIterator[Any]:
            return
            yield  # an async generator that yields nothing: workers seed nothing

        def on_request(self, *_args: Any, **_kw: Any) -> None:
            self._idle_since = None

        def on_idle(self) -> None:
            self._learn_site()
            now = time.monotonic()
            if self._idle_since is None:
                self._idle_since = now
            if now - self._idle_since >= self.idle_timeout:
                return  # let the engine close the spider (reason "finished")
            # Scrapy only looks at the scheduler again on its 5 s heartbeat; ask sooner.
            slot = getattr(self.crawler.engine, "_slot", None)
            if slot is not None:
                slot.nextcall.schedule(IDLE_POLL_SECONDS)
            raise DontCloseSpider

    return WorkerSpider


def run_worker(
    target: str,
    redis_url: str,
    db_url: str,
    *,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    base_url: str | None = None,
    **overrides: Any,
) -> Any:
    """Run one worker on the site's frontier until it stays empty; return its ``CrawlResult``.

    ``base_url`` defaults to the one the seeding ``crawl --redis`` run recorded. Blocks; once
    per process (Twisted's reactor cannot restart). The worker's run is recorded in the
    archive like any crawl's, with mode ``worker``; it is ``ok`` when the worker stopped on
    its idle timeout.
    """
    from scrapy.crawler import CrawlerProcess

    from campusnews.runner import CrawlResult, CrawlSpec, project_settings

    site = site_key_for(target)
    meta = frontier(redis_url, site)
    base = base_url or meta["base_url"]
    spec = CrawlSpec(
        site=None if target.startswith(("http://", "https://")) else target,
        url=target if target.startswith(("http://", "https://")) else None,
        base_url=base,
        max_pages=meta["max_pages"],
    )
    settings = project_settings(
        db_url, CAMPUSNEWS_MODE="worker", **{**redis_settings(redis_url, site), **overrides}
    )
    quiet_scrapy_redis()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(_worker_spider_class())
    kwargs: dict[str, Any] = {k: v for k, v in (("site", spec.site), ("url", spec.url),
                                ("base_url", spec.base_url), ("max_pages", spec.max_pages))
              if v is not None}  # fmt: skip
    if base is None:  # no seeding run yet: the worker learns the base URL when it has run
        kwargs["frontier_url"] = redis_url
    started = time.monotonic()
    process.crawl(crawler, idle_timeout=idle_timeout, **kwargs)
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    status = _settle_worker_run(db_url, stats)
    return CrawlResult(
        spec=spec,
        site_key=site,
        status=status,
        stats=stats,
        elapsed=float(stats.get("campusnews/elapsed") or (time.monotonic() - started)),
    )


def _settle_worker_run(db_url: str, stats: dict[str, Any]) -> str:
    """A worker's run is ``ok`` when it stopped on its idle timeout.

    The archive pipeline calls a run without a fetched listing page failed (right for a seeding
    crawl, whose listings must load); a worker may never see a listing page. Rewrite the
    status of the run the pipeline just closed.
    """
    from sqlalchemy import update

    from archive import Archive
    from archive.schema import Run

    run_id = stats.get("campusnews/run_id")
    reason = stats.get("finish_reason")
    status = "ok" if reason == "finished" else ("interrupted" if reason == "shutdown" else "failed")
    stats["campusnews/status"] = status
    if run_id is not None:
        with Archive(db_url, create=False) as arc, arc.engine.begin() as conn:
            conn.execute(update(Run).where(Run.id == int(run_id)).values(status=status))
    return status
