"""Live progress of a crawl on stderr, and the one-line summary a person or cron can read."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from scrapy import signals
from twisted.internet import task

COUNTERS = ("pages", "new", "changed", "unchanged", "alias", "failed")


def summary_line(site: str, stats: dict[str, Any], elapsed: float) -> str:
    """``site: STATUS pages=N new=N ... in Xs (Y pages/s)`` — stable, parseable by cron jobs.

    >>> stats = {"campusnews/pages": 10, "campusnews/new": 8, "campusnews/status": "ok"}
    >>> summary_line("demo", stats, 2.0)  # doctest: +NORMALIZE_WHITESPACE
    'demo: ok pages=10 new=8 changed=0 unchanged=0 alias=0 failed=0 captions=0 credits=0
     in 2.0s (5.0 pages/s)'
    """
    get = lambda k: int(stats.get(f"campusnews/{k}", 0))  # noqa: E731
    status = stats.get("campusnews/status", "unknown")
    parts = " ".join(f"{k}={get(k)}" for k in (*COUNTERS, "captions", "credits"))
    rate = get("pages") / elapsed if elapsed > 0 else 0.0
    return f"{site}: {status} {parts} in {elapsed:.1f}s ({rate:.1f} pages/s)"


class Progress:
    """Every ``CAMPUSNEWS_PROGRESS_INTERVAL`` seconds (default 2; 0 disables), print counters."""

    def __init__(self, crawler: Any, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        # The environment variable lets a scheduler or a test silence progress without -s.
        env = os.environ.get("CAMPUSNEWS_PROGRESS_INTERVAL")
        default = float(env) if env else 2.0
        ext = cls(crawler, crawler.settings.getfloat("CAMPUSNEWS_PROGRESS_INTERVAL", default))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        if self.interval > 0:
            self.loop = task.LoopingCall(self.report)
            self.loop.start(self.interval, now=False)

    def report(self) -> None:
        stats = self.crawler.stats.get_stats()
        site = getattr(self.crawler.spider, "site_key", "?")
        get = lambda k: int(stats.get(f"campusnews/{k}", 0))  # noqa: E731
        sys.stderr.write(
            f"  [{site}] pages {get('pages')} · articles new {get('new')} changed {get('changed')}"
            f" unchanged {get('unchanged')} alias {get('alias')} · failed {get('failed')}\n"
        )
        sys.stderr.flush()

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.crawler.stats.set_value(
            "campusnews/elapsed", round(time.monotonic() - self.started, 3)
        )
