"""Run one or more crawls in this process with Scrapy's CrawlerProcess and report results.

The CLI's ``crawl`` and ``demo`` are thin shells over :func:`run_crawls`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from campusnews.extensions import summary_line


@dataclass(frozen=True, slots=True)
class CrawlSpec:
    """One crawl: a site profile key (or a bare listing URL) and spider arguments."""

    site: str | None = None
    url: str | None = None
    base_url: str | None = None
    max_pages: int | None = None

    @property
    def label(self) -> str:
        return self.site or self.url or "?"


@dataclass(frozen=True, slots=True)
class CrawlResult:
    spec: CrawlSpec
    site_key: str
    status: str  # ok | failed | interrupted
    stats: dict[str, Any]
    elapsed: float

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def summary(self) -> str:
        return summary_line(self.site_key, self.stats, self.elapsed)


def project_settings(db_url: str, **overrides: Any) -> Any:
    """Scrapy settings of the project with our overrides (works from any directory)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "campusnews.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("CAMPUSNEWS_DB", db_url, priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawls(specs: list[CrawlSpec], db_url: str, **overrides: Any) -> list[CrawlResult]:
    """Crawl every spec concurrently in one reactor; blocks until all are done.

    Can be called once per process (Twisted's reactor cannot restart).
    """
    from scrapy.crawler import CrawlerProcess

    from campusnews.spiders.campus import CampusSpider

    settings = project_settings(db_url, **overrides)
    process = CrawlerProcess(settings)
    crawlers = []
    started = time.monotonic()
    for spec in specs:
        crawler = process.create_crawler(CampusSpider)
        kwargs = {k: v for k, v in (("site", spec.site), ("url", spec.url),
                                     ("base_url", spec.base_url), ("max_pages", spec.max_pages))
                  if v is not None}
        process.crawl(crawler, **kwargs)
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
