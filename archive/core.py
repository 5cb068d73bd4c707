"""The :class:`Archive`: every write and lookup the crawler, CLI and researchers need.

Each write method runs its own short transaction and commits before returning, so a killed
crawl loses at most the write in flight. Nothing is overwritten: a changed article gets a new
version, a repeated payload is stored once, a repeated failure is counted.
"""

from __future__ import annotations

import os
import socket
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Engine, inspect, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from archive import _articles, _captures, _ops, _overview, locks
from archive import pages as _pages
from archive.db import DEFAULT_URL, make_engines
from archive.migrations import upgrade
from archive.pages import PageIn, PageResult
from archive.records import ArticleIn, CaptureIn, CaptureResult, StoreResult
from archive.schema import (
    RUN_STATUSES,
    Article,
    Capture,
    Failure,
    Payload,
    Run,
    Version,
)

T = TypeVar("T")
# How often a write that lost a race with another process (unique key taken, deadlock) is retried.
MAX_RETRIES = 8
_COUNT_KEYS = ("pages", "new", "changed", "unchanged", "alias", "failed")
# What one page of a batch can raise that says "this page cannot be stored as given" (bad data,
# a constraint, a value the database refuses) rather than a bug in the caller.
_PAGE_ERRORS = (SQLAlchemyError, ValueError)
_ERROR_DETAIL_CHARS = 2000


class ArchiveWriteError(Exception):
    """Raised by :meth:`Archive.store_batch` when a page cannot even be recorded as a failure
    (the database refuses every write); the caller reports it and may stop the crawl."""


class Archive:
    """An archive database, opened from a SQLAlchemy URL (SQLite file or PostgreSQL).

    >>> with Archive("sqlite://") as arc:
    ...     run = arc.start_run("demo", "full")
    ...     arc.finish_run(run, "ok", {"pages": 3})
    ...     [r["pages"] for r in arc.runs()]
    [3]
    """

    def __init__(
        self, url: str | None = None, *, create: bool = True, readonly: bool = False
    ) -> None:
        self.url: str = url or DEFAULT_URL
        self.readonly = readonly
        self.engine: Engine
        self.engine, self._write_engine = make_engines(self.url, readonly=readonly)
        self.dialect: str = self.engine.dialect.name
        if create and not readonly:
            upgrade(self._write_engine)

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def session(self) -> Session:
        """A new read session (the caller closes it); for search and export code."""
        return Session(self.engine)

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with Session(self.engine) as s:
            yield s

    def _write(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn`` in one committed write transaction, retrying when a concurrent writer won.

        On a lost race (unique key taken by another process, deadlock) the transaction is
        rolled back and ``fn`` runs again from scratch, now seeing the other writer's rows.
        """
        for attempt in range(MAX_RETRIES):
            try:
                with Session(self._write_engine, expire_on_commit=False) as s, s.begin():
                    return fn(s)
            except (IntegrityError, OperationalError) as e:
                if attempt == MAX_RETRIES - 1 or not _is_race(e):
                    raise
        raise AssertionError("unreachable")

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, site: str, mode: str) -> int:
        """Record a run as 'running' with this process's pid and host; return its id."""

        def go(s: Session) -> int:
            run = Run(
                site=site,
                mode=mode,
                started_at=_now(),
                status="running",
                pid=os.getpid(),
                host=socket.gethostname(),
                pages=0,
                new=0,
                changed=0,
                unchanged=0,
                alias=0,
                failed=0,
            )
            s.add(run)
            s.flush()
            return run.id

        return self._write(go)

    def finish_run(
        self,
        run_id: int,
        status: str,
        counts: dict[str, int],
        *,
        stats: dict[str, Any] | None = None,
        alerts: list[Any] | None = None,
    ) -> None:
        """Close a run: status, finish time, counts, optional stats and alerts.

        Counts named pages/new/changed/unchanged/alias/failed go to their columns; any other
        count is kept in ``stats["counts"]`` rather than refused (a run must always close).
        """
        if status not in RUN_STATUSES:
            raise ValueError(f"run status {status!r} not in {RUN_STATUSES}")
        known = {k: int(v) for k, v in counts.items() if k in _COUNT_KEYS}
        extra = {k: v for k, v in counts.items() if k not in _COUNT_KEYS}
        values: dict[str, Any] = {"status": status, "finished_at": _now(), **known}
        if extra:
            stats = {**(stats or {}), "counts": extra}
        if stats is not None:
            values["stats"] = stats
        if alerts is not None:
            values["alerts"] = alerts

        def go(s: Session) -> None:
            done = s.execute(update(Run).where(Run.id == run_id).values(**values))
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise ValueError(f"no run with id {run_id}")

        self._write(go)

    def mark_stale_runs(self, site: str | None = None) -> int:
        """Mark 'running' runs of this host whose process is gone as 'interrupted'; count them."""
        host = socket.gethostname()

        def go(s: Session) -> int:
            stmt = select(Run).where(Run.status == "running", Run.host == host)
            if site is not None:
                stmt = stmt.where(Run.site == site)
            stale = [r for r in s.scalars(stmt) if r.pid is not None and not locks.pid_alive(r.pid)]
            for r in stale:
                r.status = "interrupted"
                r.finished_at = _now()
            return len(stale)

        return self._write(go)

    def runs(self, site: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The latest runs, newest first."""
        stmt = select(Run).order_by(Run.id.desc()).limit(limit)
        if site is not None:
            stmt = stmt.where(Run.site == site)
        with self._reading() as s:
            return [_row_dict(r) for r in s.scalars(stmt)]

    # -- captures ---------------------------------------------------------------------------

    def record_capture(self, c: CaptureIn) -> CaptureResult:
        """Store one fetch and its payload (once per digest); detect revisits.

        A 304 becomes a 'server-not-modified' revisit of the URL's last 200 capture (its
        payload digest is that capture's). A 200 whose digest equals the URL's previous
        capture becomes an 'identical-payload-digest' revisit. Revisits refer to the original
        capture that holds the full response.
        """
        if c.fetched_at.tzinfo is None:
            raise ValueError("CaptureIn.fetched_at must be timezone-aware")
        return self._write(lambda s: _captures.record(s, self.dialect, c))

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """``(etag, last_modified)`` of the URL's last 200 capture, or None if never fetched."""
        with self._reading() as s:
            prev = _captures.last_capture(s, url, only_200=True)
            return (prev.etag, prev.last_modified) if prev is not None else None

    def payload(self, digest: str) -> bytes:
        """The raw bytes stored under ``digest``; KeyError if unknown."""
        with self._reading() as s:
            data = s.scalar(select(Payload.data).where(Payload.digest == digest))
        if data is None:
            raise KeyError(digest)
        return zlib.decompress(data)

    def captures_for_url(self, url: str) -> list[dict[str, Any]]:
        """Every capture requested as or redirected to ``url``, oldest first."""
        stmt = (
            select(Capture)
            .where(or_(Capture.url == url, Capture.final_url == url))
            .order_by(Capture.fetched_at, Capture.id)
        )
        with self._reading() as s:
            return [_row_dict(c) for c in s.scalars(stmt)]

    def iter_captures(
        self,
        *,
        site: str | None = None,
        since: str | date | datetime | None = None,
        until: str | date | datetime | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Captures oldest first, streamed; ``since``/``until`` bound ``fetched_at`` inclusively.

        A bare day (``date`` or ``'YYYY-MM-DD'``) as ``until`` includes that whole day (UTC).
        Revisits carry ``refers_to_url`` (its final URL) and ``refers_to_fetched_at`` of the
        referred capture.
        """
        stmt = _captures.iter_statement(site, since, until)
        with self._reading() as s:
            for capture, ref_url, ref_time in s.execute(stmt.execution_options(yield_per=500)):
                row = _row_dict(capture)
                row["refers_to_url"] = ref_url
                row["refers_to_fetched_at"] = ref_time
                yield row

    # -- articles ---------------------------------------------------------------------------

    def store_article(
        self, a: ArticleIn, capture_id: int | None = None, run_id: int | None = None
    ) -> StoreResult:
        """Store an extracted article; outcome 'new', 'changed', 'unchanged' or 'alias'.

        Found by canonical URL or any URL it was seen under: same content → 'unchanged'
        (``last_seen`` moves, a new URL is added as alias); different content → a new
        version ('changed'), older ones kept. Not found, but a same-site article's latest
        version has the same content → this URL becomes its alias ('alias'). Else 'new'.
        Safe with concurrent writers (unique keys, retried transaction).
        """
        return self._write(lambda s: _articles.store(s, a, capture_id, run_id))

    def has_articles(self, site: str) -> bool:
        """Whether any article of ``site`` is archived (one indexed read)."""
        with self.engine.connect() as conn:
            return conn.scalar(select(Article.id).where(Article.site == site).limit(1)) is not None

    def article_id_for_url(self, url: str) -> int | None:
        """The article seen under ``url`` (canonical or alias), or None."""
        # A Core connection, not an ORM session: the crawl asks this before every article
        # request (conditional GET), on the reactor thread.
        with self.engine.connect() as conn:
            return _articles.article_id_for_url(conn, url)

    def touch_article(self, url: str) -> int | None:
        """Record that the article seen under ``url`` is still there unchanged (a revisit).

        Moves ``last_seen``; returns the article id, or None when the URL is unknown.
        """

        return self._write(lambda s: _ops.touch_article(s, url))

    def store_batch(self, pages: Sequence[PageIn]) -> list[PageResult]:
        """Store many fetched pages (capture + article, failure or revisit) in one transaction.

        Each page is written exactly as :meth:`record_capture` followed by
        :meth:`store_article`, :meth:`touch_article` or :meth:`record_failure` would write it
        (see :mod:`archive.pages`), so dedup, versions, aliases and the search index are the
        same; one commit (one fsync) covers the batch. Results are in the order of ``pages``.

        When the batch fails, each page is retried in a transaction of its own, so one bad page
        never loses the others; a page that fails alone is recorded as the failure
        ``archive_error`` of its URL (with its capture when that can still be stored) and its
        result carries the error. Errors of the database itself (it cannot record even that)
        are raised.
        """
        if not pages:
            return []
        try:
            return self._write(lambda s: _pages.store_pages(s, self.dialect, pages))
        except _PAGE_ERRORS:
            pass  # find the page at fault: each on its own below
        return [self._store_alone(p) for p in pages]

    def _store_alone(self, page: PageIn) -> PageResult:
        try:
            return self._write(lambda s: _pages.store_pages(s, self.dialect, [page]))[0]
        except _PAGE_ERRORS as e:
            error = f"{type(e).__name__}: {e}"[:_ERROR_DETAIL_CHARS]
        for fallback in _pages.as_archive_error(page, error):
            try:
                result = self._write(
                    lambda s, f=fallback: _pages.store_pages(s, self.dialect, [f])  # type: ignore[misc]
                )
            except _PAGE_ERRORS:
                continue  # without the capture, then
            return replace(result[0], error=error)
        raise ArchiveWriteError(f"cannot record {page.url} even as a failure: {error}")

    def get_article(
        self, id_or_url: int | str, *, version: int | None = None
    ) -> dict[str, Any] | None:
        """The article with its latest (or ``version``-th) version, or None if unknown."""
        with self._reading() as s:
            return _articles.get(s, id_or_url, version)

    def versions(self, article_id: int) -> list[dict[str, Any]]:
        """Every version of the article, oldest first (same dicts as ``get_article``)."""
        with self._reading() as s:
            return _articles.versions(s, article_id)

    def diff_versions(self, article_id: int, a: int, b: int) -> dict[str, Any]:
        """What changed from version ``a`` to ``b`` (by seq); KeyError if either is missing."""
        by_seq = {v["seq"]: v for v in self.versions(article_id)}
        for seq in (a, b):
            if seq not in by_seq:
                raise KeyError(f"article {article_id} has no version {seq}")
        return _articles.diff(by_seq[a], by_seq[b])

    def latest_article_ids(
        self, *, site: str | None = None, since: str | None = None, until: str | None = None
    ) -> Iterator[int]:
        """Article ids by id, filtered on their latest version's day (inclusive ISO days)."""
        stmt = (
            select(Article.id)
            .join(Version, Version.id == Article.latest_version_id)
            .order_by(Article.id)
        )
        if site is not None:
            stmt = stmt.where(Article.site == site)
        if since is not None:
            stmt = stmt.where(Version.day >= date.fromisoformat(since[:10]))
        if until is not None:
            stmt = stmt.where(Version.day <= date.fromisoformat(until[:10]))
        with self._reading() as s:
            yield from s.scalars(stmt.execution_options(yield_per=1000))

    # -- failures ---------------------------------------------------------------------------

    def record_failure(
        self,
        site: str | None,
        url: str,
        reason: str,
        detail: str = "",
        *,
        run_id: int | None = None,
        http_status: int | None = None,
    ) -> None:
        """Record a failed URL; a repeat counts an attempt and reopens a resolved failure."""
        self._write(
            lambda s: _ops.record_failure(s, site, url, reason, detail, run_id, http_status)
        )

    def clear_failure(self, url: str) -> bool:
        """Mark the URL's open failure resolved (the row is kept); False if none was open."""
        return self._write(lambda s: _ops.clear_failure(s, url))

    def failures(
        self, site: str | None = None, *, include_resolved: bool = False
    ) -> list[dict[str, Any]]:
        """Failures, oldest first: open ones only unless ``include_resolved``."""
        stmt = select(Failure).order_by(Failure.id)
        if site is not None:
            stmt = stmt.where(Failure.site == site)
        if not include_resolved:
            stmt = stmt.where(Failure.resolved_at.is_(None))
        with self._reading() as s:
            return [_row_dict(f) for f in s.scalars(stmt)]

    # -- operations: locks, incremental crawls, re-extraction, coverage -------------------------

    def acquire_lock(
        self,
        site: str,
        *,
        run_id: int | None = None,
        stale_after: float = locks.DEFAULT_STALE_AFTER,
    ) -> locks.LockResult:
        """Take the site's crawl lock for this process, or report who holds it.

        A stale lock (dead pid on this host, or heartbeat older than ``stale_after`` seconds)
        is taken over and its run marked 'interrupted'; see :mod:`archive.locks`.
        """
        pid, host = locks.this_process()
        return self._write(
            lambda s: locks.acquire(
                s, site, pid=pid, host=host, run_id=run_id, stale_after=stale_after
            )
        )

    def heartbeat_lock(self, site: str, *, run_id: int | None = None) -> bool:
        """Refresh this process's lock on ``site``; False when it no longer holds it."""
        pid, host = locks.this_process()
        return self._write(lambda s: locks.heartbeat(s, site, pid=pid, host=host, run_id=run_id))

    def release_lock(self, site: str) -> bool:
        """Release this process's lock on ``site``; False when it did not hold it."""
        pid, host = locks.this_process()
        return self._write(lambda s: locks.release(s, site, pid=pid, host=host))

    def held_locks(self) -> list[locks.LockHolder]:
        """Every crawl lock currently held."""
        with self._reading() as s:
            return locks.holders(s)

    def known_articles(self, site: str) -> dict[str, dict[str, Any]]:
        """Every URL the site's articles were seen under → ``article_id``, ``canonical_url``,
        ``first_seen``, ``last_seen``, ``day`` (article date) — for incremental crawls."""
        with self._reading() as s:
            return _ops.known_articles(s, site)

    def article_ids(
        self,
        *,
        site: str | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
    ) -> list[int]:
        """Article ids by id, filtered by site and the latest version's day (inclusive)."""
        with self._reading() as s:
            return _ops.article_ids(s, site, _ops.iso_day(since), _ops.iso_day(until))

    def latest_capture(self, article_id: int) -> dict[str, Any] | None:
        """The newest 200 capture the article was fetched in (for re-extraction), or None.

        Keys: ``capture_id``, ``url``, ``final_url``, ``fetched_at``, ``payload_digest``,
        ``content_encoding``, ``content_type``.
        """
        with self._reading() as s:
            return _ops.latest_capture(s, article_id)

    def run_coverage(self, run_id: int) -> dict[str, Any]:
        """Share of the versions a run stored that have a date, source, captions, credits and
        a non-empty body, with ``n`` the number of versions (shares None when ``n`` is 0)."""
        with self._reading() as s:
            return _ops.run_coverage(s, run_id)

    # -- overview ---------------------------------------------------------------------------

    def site_counts(self) -> dict[str, dict[str, int]]:
        """Per site: articles, versions, captions, credits, failures (open), aliases."""
        with self._reading() as s:
            return _overview.site_counts(s)

    def integrity_check(self) -> str:
        """'ok', or a description of the first problems found.

        SQLite's own ``PRAGMA integrity_check`` and ``foreign_key_check``, then the archive's
        invariants on every backend (latest version pointers, version counts).
        """
        with self._reading() as s:
            problems = _overview.integrity_problems(s)
        return "ok" if not problems else "; ".join(problems)

    def tables(self) -> list[str]:
        """Names of the tables present in the database (for diagnostics)."""
        with self.engine.connect() as conn:
            return sorted(inspect(conn).get_table_names())


# -- helpers ---------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _is_race(e: IntegrityError | OperationalError) -> bool:
    """True for errors a retry can fix: a unique key another writer just took, a deadlock."""
    if isinstance(e, IntegrityError):
        # Only a unique key can be taken by another writer; NOT NULL, CHECK or a foreign key
        # fail again on every retry (PostgreSQL 23505; SQLite says so in its message).
        orig = e.orig
        return getattr(orig, "sqlstate", None) == "23505" or "UNIQUE constraint" in str(orig)
    # PostgreSQL serialization failure / deadlock detected; SQLite's "locked" already waited
    # busy_timeout, so retrying would only double the wait.
    return getattr(e.orig, "sqlstate", None) in ("40001", "40P01")


def _row_dict(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in inspect(obj).mapper.column_attrs}
