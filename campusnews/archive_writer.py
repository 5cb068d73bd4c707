"""The crawl's archive writer: one thread that owns the writes, many pages per transaction.

:class:`~campusnews.pipelines.ArchivePipeline` hands every fetched page to
:meth:`ArchiveWriter.submit`: a :class:`~campusnews.pagework.PageWork` (the fetch, its article
still to be extracted) or a ready :class:`archive.pages.PageIn` (capture plus article, failure
or revisit). It gets a Deferred that fires once the page is committed, with its
:class:`~campusnews.pagework.WorkDone` (or, for a ``PageIn``, its
:class:`~archive.pages.PageResult`). The writer extracts the articles of a batch
(:func:`campusnews.pagework.store_work`) just before storing it, so extraction runs here too,
not on the reactor thread. The thread takes up to
``batch_size`` pages, waiting at most ``batch_delay`` seconds after the first for more (and
only while they keep coming), and stores them with :meth:`archive.Archive.store_batch`: one
transaction, one fsync. While it writes, the reactor keeps downloading and extracting.

Backpressure: at most ``capacity`` pages are inside the writer (queued or being written);
further pages wait, in order, until a commit makes room. Their Deferreds fire later, and
Scrapy does not take a response as done until its items are, so it stops scheduling
downloads once ``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` bytes of responses are waiting: memory stays
bounded however far the database falls behind.

With ``process=True`` the thread does not write itself: it hands each batch to a child
process (one worker of a ``spawn`` process pool, which opens its own :class:`~archive.Archive`)
and waits for the results with the interpreter lock released, so the writes run on another
core instead of taking turns with the reactor. Other archive calls (:meth:`ArchiveWriter.call`)
still run on the thread, in the parent, in order with the batches. If the child dies, the
pages of its batch and every page after them fail with :class:`WriterProcessDied`; nothing
hangs.

Durability (``docs/scaling.md``): a page counts as archived when its Deferred fires; a process
killed before that loses the pages of the uncommitted batch and nothing else, and those pages
are fetched again in full by the next run. A child process is one more such process: its
batch is one transaction, committed whole or not at all.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.engine import make_url
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from archive import Archive
from archive.pages import PageIn, PageResult
from campusnews.pagework import PageWork, WorkDone, store_work
from campusnews.profiles import Profile
from campusnews.writer_process import (
    STOP_SIGNALS,
    child_open,
    child_peak_rss_mb,
    child_store,
    in_memory,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_BATCH_SIZE = 100
DEFAULT_BATCH_DELAY = 0.25  # seconds
# A batch stops waiting once no page has come for this long: when the crawl pauses or ends
# (Scrapy does not close the pipeline before the pages it waits for are committed), the last
# pages are committed at once, not after the whole window.
DEFAULT_BATCH_GAP = 0.05
DEFAULT_CAPACITY = 200
# "auto": a writer process for PostgreSQL, the writer thread for SQLite (see use_write_process).
DEFAULT_WRITE_PROCESS = "auto"


class WriterProcessDied(RuntimeError):
    """The writer's child process died (killed, out of memory, could not open the archive).

    Raised by the writer, as the failure of the Deferred of every page it had not committed and
    of every page submitted after; the pipeline stops the crawl. The pages of the batch in
    progress were not committed (a batch is one transaction) and are fetched again next run.
    """


@dataclass(slots=True)
class _Job:
    deferred: Deferred[Any]
    page: PageIn | PageWork | None = None  # a page to store, or
    call: Callable[[], Any] | None = None  # another archive operation, run alone, in order
    queued_at: float = field(default_factory=time.monotonic)


class ArchiveWriter:
    """Stores pages on a worker thread in batched transactions; see the module docstring.

    ``call_from_thread`` hands a callable to the reactor thread (Twisted's
    ``reactor.callFromThread`` unless given): every Deferred is created and fired there.
    ``profile`` is the site profile the articles of :class:`PageWork` pages are read with.
    """

    def __init__(
        self,
        archive: Archive,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        batch_delay: float = DEFAULT_BATCH_DELAY,
        batch_gap: float = DEFAULT_BATCH_GAP,
        capacity: int = DEFAULT_CAPACITY,
        call_from_thread: Callable[..., Any] | None = None,
        process: bool = False,
        profile: Profile | None = None,
    ) -> None:
        if batch_size < 1 or capacity < batch_size:
            raise ValueError("need 1 <= batch_size <= capacity")
        self.archive = archive
        self.batch_size = batch_size
        self.batch_delay = batch_delay
        self.batch_gap = batch_gap
        self.capacity = capacity
        self.profile = profile
        if call_from_thread is None:
            from twisted.internet import reactor

            call_from_thread = reactor.callFromThread  # type: ignore[attr-defined]
        self._call_from_thread = call_from_thread
        # Shared with the thread, under the condition's lock:
        self._cond = threading.Condition()
        self._queue: deque[_Job] = deque()
        self._closing = False
        self._last_arrival = 0.0  # monotonic time the last page was queued
        # Reactor thread only:
        self._inside = 0  # jobs admitted to the queue and not yet delivered
        self._waiting: deque[_Job] = deque()  # over capacity: admitted as commits make room
        self._closed: Deferred[None] = Deferred()
        self.peak_inside = 0  # the most pages ever inside at once (tests, stats)
        self.batches = 0
        # An in-memory SQLite archive exists only in this process: a child would write to its own.
        self.process = process and not in_memory(archive.url)
        self._pool: ProcessPoolExecutor | None = None
        self.child_pid: int | None = None  # the writer process, once it has started
        self.child_peak_rss_mb: float | None = None  # its peak RSS, once it has ended
        self._thread = threading.Thread(target=self._run, name="archive-writer", daemon=True)
        # daemon: a hard stop (second Ctrl-C, reactor stopped) must not hang the exit; what was
        # not committed then is the "crash" case of docs/scaling.md.

    # -- reactor side ---------------------------------------------------------------------

    def start(self) -> None:
        if self.process:
            # "spawn": forking a process that runs a Twisted reactor and threads could copy a
            # lock some other thread holds; a fresh interpreter opens its own connections.
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=child_open,
                initargs=(self.archive.url, os.getpid(), self.profile),
            )
        self._thread.start()

    @property
    def pending(self) -> int:
        """Pages and calls submitted and not yet delivered (inside or waiting)."""
        return self._inside + len(self._waiting)

    def submit(self, page: PageWork | PageIn) -> Deferred[Any]:
        """Queue ``page``; the Deferred fires with its result once it is committed: a
        :class:`WorkDone` for a :class:`PageWork`, a :class:`PageResult` for a ``PageIn``."""
        return self._submit(_Job(Deferred(), page=page))

    def call(self, fn: Callable[[], T]) -> Deferred[T]:
        """Run ``fn`` (an archive write such as a lock heartbeat) on the writer thread, after
        every page submitted before it; the Deferred fires with its return value."""
        return self._submit(_Job(Deferred(), call=fn))

    def close(self) -> Deferred[None]:
        """Stop taking pages; fires once every page submitted so far is committed and the
        thread has ended. Idempotent."""
        self._admit(force=True)  # at close nothing else competes for room
        with self._cond:
            self._closing = True
            self._cond.notify()
        if self._thread.ident is None and not self._closed.called:
            self._closed.callback(None)  # never started: nothing was written
        return self._closed

    def _submit(self, job: _Job) -> Deferred[Any]:
        if self._closing:
            raise RuntimeError("the archive writer is closed")
        self._waiting.append(job)
        self._admit()
        return job.deferred

    def _admit(self, *, force: bool = False) -> None:
        admitted = []
        while self._waiting and (force or self._inside < self.capacity):
            admitted.append(self._waiting.popleft())
            self._inside += 1
        if not admitted:
            return
        self.peak_inside = max(self.peak_inside, self._inside)
        with self._cond:
            was_empty = not self._queue
            self._queue.extend(admitted)
            self._last_arrival = time.monotonic()
            # Wake the thread to open a batch window, or to write a full batch at once.
            if was_empty or len(self._queue) >= self.batch_size:
                self._cond.notify()

    def _deliver(self, jobs: list[_Job], outcome: list[Any] | Failure) -> None:
        self._inside -= len(jobs)
        self._admit()
        for i, job in enumerate(jobs):
            if isinstance(outcome, Failure):
                job.deferred.errback(outcome)
            else:
                job.deferred.callback(outcome[i])

    def _finished(self) -> None:
        if not self._closed.called:
            self._closed.callback(None)

    # -- writer thread --------------------------------------------------------------------

    def _run(self) -> None:
        if self._pool is not None:
            self._start_child()
        died = False
        while True:
            jobs = self._next_jobs()
            if jobs is None:
                if self._pool is not None:
                    with contextlib.suppress(BrokenProcessPool):
                        self.child_peak_rss_mb = self._pool.submit(child_peak_rss_mb).result()
                    self._pool.shutdown(wait=True)  # the child commits nothing more: join it
                self._call_from_thread(self._finished)
                return
            outcome: list[Any] | Failure
            try:
                if jobs[0].call is not None:
                    outcome = [jobs[0].call()]
                else:
                    outcome = self._store([j.page for j in jobs])  # type: ignore[misc]
                    self.batches += 1
            except WriterProcessDied:
                outcome = Failure()
                if not died:  # once: every later batch fails the same way
                    died = True
                    logger.error("%s", outcome.value)
            except Exception:  # any error must reach the Deferreds, or the crawl would wait
                # forever for them; Scrapy logs each as an item error.
                outcome = Failure()
                logger.error("archive write of %d page(s) failed", len(jobs), exc_info=True)
            self._call_from_thread(self._deliver, jobs, outcome)

    def _start_child(self) -> None:
        """Start the writer process now, while the first pages are still being fetched."""
        assert self._pool is not None
        # Ctrl-C and a service manager's SIGTERM reach the whole process group; the crawl then
        # stops gracefully and needs its writer until every page handed over is committed.
        # The child is spawned from this thread and inherits its signal mask, so it is immune
        # from birth (a handler installed by the child would come too late during its imports).
        # The main thread, which does not block them, still gets them for Scrapy.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        # A child that cannot start is reported with the first batch, which fails the same way.
        with contextlib.suppress(BrokenProcessPool):
            self.child_pid = self._pool.submit(os.getpid).result()

    def _store(self, pages: Sequence[PageIn | PageWork]) -> list[PageResult | WorkDone]:
        if self._pool is None:
            return store_work(self.archive, pages, self.profile)
        try:
            # The batch is pickled to the child; waiting on the future releases the GIL.
            return self._pool.submit(child_store, pages).result()
        except BrokenProcessPool as e:
            what = f"(pid {self.child_pid}) died" if self.child_pid else "could not start"
            raise WriterProcessDied(
                f"the archive writer process {what}: the pages of its batch and all pages "
                "after it are not archived (the next run fetches them again)"
            ) from e

    def _next_jobs(self) -> list[_Job] | None:
        """The next batch of pages (or one call); None when closing with nothing left."""
        with self._cond:
            while not self._queue:
                if self._closing:
                    return None
                self._cond.wait()
            if self._queue[0].call is None:
                # Group commit: wait for more pages, up to batch_delay after the first arrived
                # and while they keep coming.
                deadline = self._queue[0].queued_at + self.batch_delay
                while len(self._queue) < self.batch_size and not self._closing:
                    until = min(deadline, self._last_arrival + self.batch_gap)
                    remaining = until - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
            first = self._queue.popleft()
            if first.call is not None:
                return [first]
            jobs = [first]
            while self._queue and len(jobs) < self.batch_size and self._queue[0].call is None:
                jobs.append(self._queue.popleft())
            return jobs


def use_write_process(setting: str | bool | None, db_url: str) -> bool:
    """Whether a crawl's batches go to a writer process (``CAMPUSNEWS_WRITE_PROCESS``).

    ``True``/``False`` as set; ``"auto"`` (the default, also for None): for a PostgreSQL
    archive, not for SQLite. Measured on 2 cores, 20,000 articles (``docs/scaling.md`` §4):
    on SQLite one process already reaches 0.76–0.86× the bare crawl at ~194 MB, and the
    process adds ~80 MB for 0.90–0.92×; on PostgreSQL, whose client work is heavier, it is
    the difference between 0.62–0.64× and 0.77–0.78×.

    >>> use_write_process("auto", "sqlite:///a.db"), use_write_process(None, "postgresql://h/d")
    (False, True)
    >>> use_write_process("True", "sqlite:///a.db"), use_write_process(False, "postgresql://h/d")
    (True, False)
    >>> use_write_process("sometimes", "sqlite:///a.db")
    Traceback (most recent call last):
    ...
    ValueError: CAMPUSNEWS_WRITE_PROCESS must be auto, True or False, not 'sometimes'
    """
    if setting is None or (isinstance(setting, str) and setting.strip().lower() == "auto"):
        return make_url(db_url).get_backend_name() != "sqlite"
    if isinstance(setting, bool):
        return setting
    value = str(setting).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"CAMPUSNEWS_WRITE_PROCESS must be auto, True or False, not {setting!r}")


# The writer process's side lives in campusnews.writer_process (a module that imports neither
# Twisted nor Scrapy, so the child does not load them).
