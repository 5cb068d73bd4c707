"""The item pipeline: every fetched page to the archive. A thin shell; the work lives in
``campusnews.pagework`` (extraction, validation, records), ``campusnews.archive_writer`` and
``archive``.

Extraction and normalization (decoding, pinyin-annotation stripping, Traditional→Simplified)
run in the pure extraction function, so ``campusnews extract`` and ``reextract`` give exactly
the crawler's result; the pipeline never touches field content.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure as TwistedFailure

from archive import Archive
from campusnews.alerts import alert_settings, coverage_alerts
from campusnews.archive_writer import (
    DEFAULT_BATCH_DELAY,
    DEFAULT_BATCH_SIZE,
    DEFAULT_CAPACITY,
    DEFAULT_WRITE_PROCESS,
    ArchiveWriter,
    WriterProcessDied,
    use_write_process,
)
from campusnews.items import CapturedPage
from campusnews.pagework import PageWork, WorkDone

logger = logging.getLogger(__name__)

STAT = "campusnews/{}"
WRITER_DIED = "archive_writer_died"  # finish reason of a crawl whose writer process died


class ArchivePipeline:
    """Record every capture, store articles (new / changed / unchanged / alias), record failures.

    Writes go through an :class:`~campusnews.archive_writer.ArchiveWriter`: a thread that
    commits many pages per transaction while the crawl goes on. ``process_item`` returns a
    Deferred that fires once the page is committed (so the counts are of what is archived,
    and Scrapy holds back downloads while the writer is behind); ``close_spider`` waits until
    every page is committed before it closes the run.

    Also owns the run's bookkeeping: the site's crawl lock (``archive.locks``; a crawl of a
    site that another live process is crawling closes at once with finish reason and status
    ``locked``), the run row, stale runs of dead processes, and the coverage alerts stored
    with the run (``campusnews.alerts``).

    Settings: ``CAMPUSNEWS_DB``; ``CAMPUSNEWS_LOCK`` (default True), ``CAMPUSNEWS_LOCK_STALE``
    (seconds without heartbeat before another host may take the lock, default 600),
    ``CAMPUSNEWS_LOCK_HEARTBEAT`` (seconds, default 30); ``CAMPUSNEWS_ALERT_DROP``,
    ``CAMPUSNEWS_ALERT_MIN_ARTICLES`` (see ``campusnews.alerts``); ``CAMPUSNEWS_WRITE_BATCH``
    (pages per transaction, default 100), ``CAMPUSNEWS_WRITE_DELAY`` (seconds a batch waits
    for more pages, default 0.25), ``CAMPUSNEWS_WRITE_CAPACITY`` (pages inside the writer at
    most, default 200), ``CAMPUSNEWS_WRITE_PROCESS`` (extract and write the batches in a child
    process, on another core: ``True``, ``False`` or ``auto``, the default: for PostgreSQL,
    not for SQLite). If that process dies, the crawl closes with
    finish reason ``archive_writer_died`` (status ``failed``).
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db_url: str = settings.get("CAMPUSNEWS_DB") or os.environ.get(
            "CAMPUSNEWS_DB", "sqlite:///campusnews.db"
        )
        self.mode: str = settings.get("CAMPUSNEWS_MODE", "full")
        self.use_lock = settings.getbool("CAMPUSNEWS_LOCK", True)
        self.lock_stale = settings.getfloat("CAMPUSNEWS_LOCK_STALE", 600.0)
        self.lock_heartbeat = settings.getfloat("CAMPUSNEWS_LOCK_HEARTBEAT", 30.0)
        self.alert_drop, self.alert_min = alert_settings(settings)
        self.write_batch = settings.getint("CAMPUSNEWS_WRITE_BATCH", DEFAULT_BATCH_SIZE)
        self.write_delay = settings.getfloat("CAMPUSNEWS_WRITE_DELAY", DEFAULT_BATCH_DELAY)
        self.write_capacity = settings.getint("CAMPUSNEWS_WRITE_CAPACITY", DEFAULT_CAPACITY)
        self.write_process = use_write_process(
            settings.get("CAMPUSNEWS_WRITE_PROCESS", DEFAULT_WRITE_PROCESS), self.db_url
        )
        self.archive: Archive | None = None
        self.writer: ArchiveWriter | None = None
        self.run_id: int | None = None
        self.site: str | None = None
        self.locked = False  # another process holds the site: nothing was started
        self._beat: task.LoopingCall | None = None
        self._paused = False  # we paused the engine: the writer has too many pages queued
        self._writer_died = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchivePipeline:
        pipeline = cls(crawler)
        # The run is closed on spider_closed, the first moment the finish reason is known
        # (Scrapy records it in the stats only after the pipelines have closed).
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.site = spider.site_key
        mode = getattr(spider, "mode", None) or self.mode
        self.archive = Archive(self.db_url)
        self.stats.set_value(STAT.format("db"), self.archive.url)
        self.stats.set_value(STAT.format("mode"), mode)
        if self.use_lock:
            got = self.archive.acquire_lock(self.site, stale_after=self.lock_stale)
            if not got.acquired:
                assert got.holder is not None
                self.locked = True
                self.stats.set_value(STAT.format("status"), "locked")
                self.stats.set_value(STAT.format("locked_by"), got.holder.describe())
                logger.warning(
                    "%s is being crawled by %s: skipped", self.site, got.holder.describe()
                )
                raise CloseSpider("locked")
            if got.taken_over is not None:
                old = got.taken_over
                self.stats.set_value(STAT.format("lock_taken_over"), old.describe())
                logger.warning("took over the stale crawl lock of %s", old.describe())
        stale = self.archive.mark_stale_runs(self.site)
        if stale:
            self.stats.set_value(STAT.format("stale_runs"), stale)
        self.run_id = self.archive.start_run(self.site, mode)
        self.stats.set_value(STAT.format("run_id"), self.run_id)
        self.writer = ArchiveWriter(
            self.archive,
            batch_size=self.write_batch,
            batch_delay=self.write_delay,
            capacity=max(self.write_capacity, self.write_batch),
            process=self.write_process,
            profile=getattr(self.crawler.spider, "profile", None),
        )
        self.writer.start()
        if self.use_lock:
            self.archive.heartbeat_lock(self.site, run_id=self.run_id)
            if self.lock_heartbeat > 0:
                self._beat = task.LoopingCall(self._heartbeat)
                self._beat.start(self.lock_heartbeat, now=False)

    def _heartbeat(self) -> Deferred[None] | None:
        archive, site, writer = self.archive, self.site, self.writer
        if archive is None or site is None or writer is None:
            return None

        def held(ok: bool) -> None:
            if not ok:
                logger.error("lost the crawl lock of %s to another process", site)

        # On the writer's thread: a SQLite write here would wait for the batch in progress.
        return writer.call(lambda: archive.heartbeat_lock(site)).addCallback(held)

    def close_spider(self) -> Deferred[None] | None:
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        if self.writer is None:
            return None
        # Every page handed over is committed before the spider counts as closed.
        return self.writer.close().addCallback(self._writer_closed)

    def _writer_closed(self, _: None) -> None:
        if self.writer is not None and self.writer.child_peak_rss_mb is not None:
            self.stats.set_value(STAT.format("writer_rss_mb"), self.writer.child_peak_rss_mb)

    def spider_closed(self, reason: str) -> None:
        if self.archive is None:
            return
        try:
            self._close_run(reason)
        finally:
            self.archive.close()

    def _close_run(self, reason: str) -> None:
        assert self.archive is not None
        if self.run_id is None or self.locked:
            return
        counts = {
            k: int(self.stats.get_value(STAT.format(k), 0))
            for k in ("pages", "new", "changed", "unchanged", "alias", "failed")
        }
        if getattr(self.crawler.spider, "mode", None) == "recrawl":
            # No listing in a recrawl: it worked when at least one article came back.
            reached = sum(counts[k] for k in ("new", "changed", "unchanged", "alias"))
        else:
            reached = self.stats.get_value(STAT.format("listing_ok"), 0)
        ok = reason == "finished" and reached > 0
        status = "ok" if ok else ("interrupted" if reason == "shutdown" else "failed")
        self.stats.set_value(STAT.format("status"), status)
        coverage = self.archive.run_coverage(self.run_id)
        previous = [
            r["stats"]["coverage"]
            for r in self.archive.runs(self.site, limit=20)
            if r["id"] != self.run_id
            and r["status"] == "ok"
            and isinstance(r.get("stats"), dict)
            and isinstance(r["stats"].get("coverage"), dict)
        ]
        alerts = coverage_alerts(coverage, previous, self.alert_drop, self.alert_min)
        if alerts:
            self.stats.set_value(STAT.format("alerts"), [a["message"] for a in alerts])
            for a in alerts:
                logger.warning("%s: layout alert: %s", self.site, a["message"])
        stats = {
            "finish_reason": reason,
            "coverage": coverage,
            **{
                k: self.stats.get_value(STAT.format(k))
                for k in ("skipped_known", "paging_stopped", "due", "lock_taken_over")
                if self.stats.get_value(STAT.format(k)) is not None
            },
        }
        self.archive.finish_run(self.run_id, status, counts, stats=stats, alerts=alerts)
        if self.use_lock and self.site is not None:
            self.archive.release_lock(self.site)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, CapturedPage) or self.writer is None:
            return item
        # The writer extracts the article (off this thread), then stores the page.
        d = self.writer.submit(PageWork(item, self.run_id))
        if self.writer.pending >= self.writer.capacity and not self._paused:
            # The writer is behind: stop sending requests until it has caught up (Scrapy's
            # own limit counts response bytes, which lets thousands of small pages pile up).
            self._paused = True
            self.crawler.engine.pause()
        return d.addCallbacks(self._count, self._not_archived, callbackArgs=(item,),
                              errbackArgs=(item,))  # fmt: skip

    def _not_archived(self, failure: TwistedFailure, item: CapturedPage) -> CapturedPage:
        """A page lost with the writer process: count it, and stop the crawl (once)."""
        failure.trap(WriterProcessDied)  # anything else: Scrapy logs it as an item error
        self._resume_if_room()
        self.stats.inc_value(STAT.format("not_archived"))
        if not self._writer_died:
            self._writer_died = True
            # The writer has logged why; fetching on would only lose more pages.
            from twisted.internet import reactor

            engine = self.crawler.engine
            reactor.callLater(  # type: ignore[attr-defined]
                0, lambda: deferred_from_coro(engine.close_spider_async(reason=WRITER_DIED))
            )
        return item

    def _resume_if_room(self) -> None:
        writer = self.writer
        if self._paused and writer is not None and writer.pending <= writer.capacity // 2:
            self._paused = False
            engine = self.crawler.engine
            engine.unpause()
            # Ask for the next requests now rather than on the engine's 5 s heartbeat
            # (a private attribute, as in campusnews.distributed; harmless if absent).
            slot = getattr(engine, "_slot", None)
            if slot is not None:
                slot.nextcall.schedule()

    def _count(self, done: WorkDone, item: CapturedPage) -> CapturedPage:
        """Count what the archive did with a committed page, and log what failed."""
        self._resume_if_room()
        inc = self.stats.inc_value
        result = done.result
        if done.crash is not None:
            logger.error("extraction crashed on %s:\n%s", item.url, done.crash.rstrip())
        if result.capture is not None:
            inc(STAT.format("pages"))
        if result.error is not None:
            logger.error("could not archive %s: %s", item.url, result.error)
        if result.outcome == "failed":
            inc(STAT.format("failed"))
            f = result.failure
            if done.failure is not None and f is not None:
                logger.warning("failed %s: %s %s", item.url, f.reason, f.detail)
        elif result.outcome == "listing":
            inc(STAT.format("listing_ok"))
        elif result.outcome in ("new", "changed", "unchanged", "alias"):
            inc(STAT.format(result.outcome))
            if result.outcome in ("new", "changed"):  # what this run added to the archive
                inc(STAT.format("captions"), done.captions)
                inc(STAT.format("credits"), done.credits)
        return item
