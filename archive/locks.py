"""Per-site crawl locks kept in the archive database, so they hold across machines too.

One row per site in ``crawl_locks`` names the holder: pid, host, run id, when it took the lock
and its last heartbeat. A second crawl of the site finds the row and stays away. A lock is
*stale*, and may be taken over, when its holder is a dead process on this host or its heartbeat
is older than ``stale_after`` seconds (a holder on another host that stopped beating).
Taking over a stale lock marks the holder's run 'interrupted'.

Used through :meth:`archive.Archive.acquire_lock` and friends; the table is created by
migration 3 in :mod:`archive.migrations`.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, delete, select, update
from sqlalchemy.orm import Session

from archive.schema import Run, UTCDateTime

# Seconds without a heartbeat after which a lock held from another host counts as abandoned.
DEFAULT_STALE_AFTER = 600.0

_metadata = MetaData()
crawl_locks = Table(
    "crawl_locks",
    _metadata,
    Column("site", String(200), primary_key=True),
    Column("pid", Integer, nullable=False),
    Column("host", String(255), nullable=False),
    Column("run_id", Integer, nullable=True),
    Column("acquired_at", UTCDateTime(), nullable=False),
    Column("heartbeat_at", UTCDateTime(), nullable=False),
)


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds (or held) a site's crawl lock."""

    site: str
    pid: int
    host: str
    run_id: int | None
    acquired_at: datetime
    heartbeat_at: datetime

    def describe(self, now: datetime | None = None) -> str:
        """``pid 123 on host h (run 7), heartbeat 4s ago`` for messages.

        >>> t = datetime(2024, 1, 1, tzinfo=UTC)
        >>> LockHolder("s", 123, "h", 7, t, t).describe(t + timedelta(seconds=4))
        'pid 123 on h (run 7), heartbeat 4s ago'
        """
        age = ((now or datetime.now(UTC)) - self.heartbeat_at).total_seconds()
        run = f" (run {self.run_id})" if self.run_id is not None else ""
        return f"pid {self.pid} on {self.host}{run}, heartbeat {age:.0f}s ago"


@dataclass(frozen=True, slots=True)
class LockResult:
    """Outcome of :func:`acquire`: ``acquired``; else ``holder`` holds it.

    ``taken_over`` is the stale holder whose lock was taken (None when the lock was free).
    """

    acquired: bool
    holder: LockHolder | None = None
    taken_over: LockHolder | None = None


def create_table(conn: Connection) -> None:
    """Create ``crawl_locks`` unless it exists (migration 3)."""
    _metadata.create_all(conn, checkfirst=True)


def _holder(row: Any) -> LockHolder:
    return LockHolder(row.site, row.pid, row.host, row.run_id, row.acquired_at, row.heartbeat_at)


def is_stale(holder: LockHolder, now: datetime, stale_after: float, host: str) -> bool:
    """A dead process on this host, or no heartbeat for ``stale_after`` seconds.

    >>> t = datetime(2024, 1, 1, tzinfo=UTC)
    >>> h = LockHolder("s", os.getpid(), "here", None, t, t)
    >>> is_stale(h, t + timedelta(seconds=5), 600, "here")
    False
    >>> is_stale(h, t + timedelta(seconds=601), 600, "here")
    True
    """
    if now - holder.heartbeat_at > timedelta(seconds=stale_after):
        return True
    return holder.host == host and not pid_alive(holder.pid)


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def acquire(
    s: Session,
    site: str,
    *,
    pid: int,
    host: str,
    run_id: int | None,
    stale_after: float,
) -> LockResult:
    """Take the site's lock inside the caller's write transaction (see module docstring)."""
    now = datetime.now(UTC)
    row = s.execute(select(crawl_locks).where(crawl_locks.c.site == site).with_for_update()).first()
    values = {"pid": pid, "host": host, "run_id": run_id, "acquired_at": now, "heartbeat_at": now}
    if row is None:
        # A concurrent insert of the same site fails on the primary key; the caller retries
        # the whole transaction and then finds that row.
        s.execute(crawl_locks.insert().values(site=site, **values))
        return LockResult(True)
    old = _holder(row)
    if not is_stale(old, now, stale_after, host):
        return LockResult(False, holder=old)
    s.execute(update(crawl_locks).where(crawl_locks.c.site == site).values(**values))
    if old.run_id is not None:
        s.execute(
            update(Run)
            .where(Run.id == old.run_id, Run.status == "running")
            .values(status="interrupted", finished_at=now)
        )
    return LockResult(True, taken_over=old)


def heartbeat(s: Session, site: str, *, pid: int, host: str, run_id: int | None = None) -> bool:
    """Refresh our lock's heartbeat (and run id when given); False if we no longer hold it."""
    values: dict[str, Any] = {"heartbeat_at": datetime.now(UTC)}
    if run_id is not None:
        values["run_id"] = run_id
    done = s.execute(
        update(crawl_locks)
        .where(crawl_locks.c.site == site, crawl_locks.c.pid == pid, crawl_locks.c.host == host)
        .values(**values)
    )
    return done.rowcount == 1  # type: ignore[attr-defined]


def release(s: Session, site: str, *, pid: int, host: str) -> bool:
    """Drop our lock on ``site``; False when it was not ours (taken over meanwhile)."""
    done = s.execute(
        delete(crawl_locks).where(
            crawl_locks.c.site == site, crawl_locks.c.pid == pid, crawl_locks.c.host == host
        )
    )
    return done.rowcount == 1  # type: ignore[attr-defined]


def holders(s: Session) -> list[LockHolder]:
    """Every lock currently held, by site."""
    return [_holder(r) for r in s.execute(select(crawl_locks).order_by(crawl_locks.c.site))]


def this_process() -> tuple[int, str]:
    """``(pid, host)`` identifying this process as a lock holder."""
    return os.getpid(), socket.gethostname()
