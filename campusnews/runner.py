"""Run one or more crawls in this process with Scrapy's CrawlerProcess and report results.

The CLI's ``crawl`` and ``demo`` are thin shells over :func:`run_crawls`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CrawlSpec:
    """One crawl: a site profile key (or a bare listing URL) and spider arguments."""

    site: str | None = None
    url: str | None = None
    base_url: str | None = None
    max_pages: int | None = None
    incremental: bool = False
    urls: tuple[str, ...] = ()  # recrawl these article URLs (no listing)

    @property
    def label(self) -> str:
        return self.site or self.url or (self.urls[0] if self.urls else "?")

    def spider_kwargs(self) -> dict[str, Any]:
        """Arguments for :class:`~campusnews.spiders.campus.CampusSpider`."""
        kwargs: dict[str, Any] = {
            k: v
            for k, v in (("site", self.site), ("url", self.url), ("base_url", self.base_url),
                         ("max_pages", self.max_pages))
            if v is not None
        }  # fmt: skip
        if self.incremental:
            kwargs["incremental"] = "1"
        if self.urls:
            kwargs["urls"] = list(self.urls)
        return kwargs


@dataclass(frozen=True, slots=True)
class CrawlResult:
    spec: CrawlSpec
    site_key: str
    status: str  # ok | failed | interrupted | locked (skipped: another process crawls it)
    stats: dict[str, Any]
    elapsed: float

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def locked(self) -> bool:
        return self.status == "locked"

    @property
    def alerts(self) -> list[str]:
        """Layout-change alert messages of this run (see ``campusnews.alerts``)."""
        return list(self.stats.get("campusnews/alerts") or [])

    def summary(self) -> str:
        """The one-line summary; a skipped (locked) site says who holds it, alerts follow."""
        if self.locked:
            holder = self.stats.get("campusnews/locked_by", "another process")
            return f"{self.site_key}: locked (being crawled by {holder}); skipped"
        from campusnews.extensions import summary_line  # imports Scrapy: only when crawling

        line = summary_line(self.site_key, self.stats, self.elapsed)
        if self.alerts:
            line += " ALERT " + "; ".join(self.alerts)
        return line

    def notes(self) -> list[str]:
        """Other things a scheduler's log should show (a stale lock taken over...)."""
        out = []
        if taken := self.stats.get("campusnews/lock_taken_over"):
            out.append(f"warning: {self.site_key} took over the stale lock of {taken}")
        if stale := self.stats.get("campusnews/stale_runs"):
            out.append(
                f"warning: {self.site_key}: {stale} run(s) of dead processes marked interrupted"
            )
        return out


def project_settings(db_url: str, **overrides: Any) -> Any:
    """Scrapy settings of the project with our overrides (works from any directory)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "campusnews.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("CAMPUSNEWS_DB", db_url, priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawls(
    specs: list[CrawlSpec], db_url: str, *, redis_url: str | None = None, **overrides: Any
) -> list[CrawlResult]:
    """Crawl every spec concurrently in one reactor; blocks until all are done.

    Can be called once per process (Twisted's reactor cannot restart). With ``redis_url`` each
    site's frontier is shared in Redis with its workers (see ``campusnews.distributed``).
    """
    from scrapy.crawler import CrawlerProcess

    from campusnews.spiders.campus import CampusSpider

    settings = project_settings(db_url, **overrides)
    process = CrawlerProcess(settings)
    crawlers = []
    started = time.monotonic()
    for spec in specs:
        crawler = process.create_crawler(CampusSpider)
        if redis_url:  # shared frontier in Redis, per site (see campusnews.distributed)
            from campusnews.distributed import seeding_settings

            crawler.settings.update(seeding_settings(redis_url, spec), priority="cmdline")
        process.crawl(crawler, **spec.spider_kwargs())
        crawlers.append((spec, crawler))
    process.start()
    results = []
    for spec, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        spider = crawler.spider
        elapsed = float(stats.get("campusnews/elapsed") or (time.monotonic() - started))
        results.append(
            CrawlResult(
                spec=spec,
                site_key=getattr(spider, "site_key", spec.label),
                status=str(stats.get("campusnews/status", "failed")),
                stats=dict(stats),
                elapsed=elapsed,
            )
        )
    return results
