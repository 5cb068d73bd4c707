"""Recording and selecting captures (used by :class:`archive.Archive`).

Functions take an open :class:`~sqlalchemy.orm.Session` inside the caller's transaction.
"""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from archive.digests import payload_digest
from archive.records import CaptureIn, CaptureResult
from archive.schema import REVISIT_IDENTICAL, REVISIT_NOT_MODIFIED, Capture, Payload

TimeBound = str | date | datetime


def record(s: Session, dialect: str, c: CaptureIn) -> CaptureResult:
    """Store ``c`` and its payload; see :meth:`archive.Archive.record_capture`.

    Core statements on the session's connection, not ORM objects: every fetch of a crawl
    passes here, and the unit-of-work flush of one ``Capture`` cost more than its SQL.
    """
    conn = s.connection()
    body_digest = payload_digest(c.body)
    digest, profile, refers = body_digest, None, None
    if c.status == 304:
        prev = _last(conn, c.url, only_200=True)
        if prev is not None:
            digest, profile = prev.payload_digest, REVISIT_NOT_MODIFIED
            refers = prev.refers_to_capture_id or prev.id
    elif c.status == 200:
        prev = _last(conn, c.url, only_200=False)
        if prev is not None and prev.payload_digest == body_digest:
            profile = REVISIT_IDENTICAL
            refers = prev.refers_to_capture_id or prev.id
    payload_new = False
    if profile != REVISIT_NOT_MODIFIED:
        payload_new = _insert_payload(s, dialect, body_digest, c.body)
    row = {
        "run_id": c.run_id,
        "site": c.site,
        "url": c.url,
        "final_url": c.final_url,
        "method": c.method,
        "fetched_at": c.fetched_at,
        "status": c.status,
        "request_headers": [list(h) for h in c.request_headers],
        "headers": [list(h) for h in c.headers],
        "payload_digest": digest,
        "size": len(c.body),
        "duration_ms": c.duration_ms,
        "referrer": c.referrer,
        "kind": c.kind,
        "content_encoding": c.content_encoding,
        "etag": _header(c.headers, "etag"),
        "last_modified": _header(c.headers, "last-modified"),
        "encoding": c.encoding,
        "encoding_source": c.encoding_source,
        "declared_charset": c.declared_charset,
        "encoding_contradicted": c.encoding_contradicted,
        "decode_errors": c.decode_errors,
        "decode_error_rate": c.decode_error_rate,
        "revisit_profile": profile,
        "refers_to_capture_id": refers,
    }
    capture_id = conn.execute(_INSERT_CAPTURE, row).scalar_one()
    return CaptureResult(capture_id, digest, profile, payload_new)


_CAPTURES = Capture.__table__
_INSERT_CAPTURE = _CAPTURES.insert().returning(_CAPTURES.c.id)  # type: ignore[attr-defined]


def _last(conn: Connection, url: str, *, only_200: bool) -> Row[Any] | None:
    """What :func:`record` needs of :func:`last_capture`, without building the ORM object."""
    return conn.execute(_LAST[only_200], {"url": url}).first()


def _last_statement(only_200: bool) -> Select[Any]:
    t = _CAPTURES.c  # type: ignore[attr-defined]
    stmt = select(t.id, t.payload_digest, t.refers_to_capture_id).where(t.url == bindparam("url"))
    if only_200:
        stmt = stmt.where(t.status == 200)
    else:
        stmt = stmt.where(or_(t.status == 200, t.revisit_profile == REVISIT_NOT_MODIFIED))
    return stmt.order_by(t.fetched_at.desc(), t.id.desc()).limit(1)


_LAST = {only_200: _last_statement(only_200) for only_200 in (True, False)}


def last_capture(s: Session, url: str, *, only_200: bool) -> Capture | None:
    """The URL's latest capture with content: a 200, or (unless ``only_200``) a 304 revisit."""
    stmt = select(Capture).where(Capture.url == url)
    if only_200:
        stmt = stmt.where(Capture.status == 200)
    else:
        stmt = stmt.where(
            or_(Capture.status == 200, Capture.revisit_profile == REVISIT_NOT_MODIFIED)
        )
    return s.scalar(stmt.order_by(Capture.fetched_at.desc(), Capture.id.desc()).limit(1))


def iter_statement(
    site: str | None, since: TimeBound | None, until: TimeBound | None
) -> Select[Any]:
    """Captures oldest first with their referred capture's final URL and time."""
    ref = aliased(Capture)
    stmt = (
        select(Capture, ref.final_url, ref.fetched_at)
        .outerjoin(ref, ref.id == Capture.refers_to_capture_id)
        .order_by(Capture.fetched_at, Capture.id)
    )
    if site is not None:
        stmt = stmt.where(Capture.site == site)
    if since is not None:
        stmt = stmt.where(Capture.fetched_at >= _as_time(since, end=False))
    if until is not None:
        bound = _as_time(until, end=True)
        stmt = stmt.where(
            Capture.fetched_at < bound if _is_day(until) else Capture.fetched_at <= bound
        )
    return stmt


def _insert_payload(s: Session, dialect: str, digest: str, body: bytes) -> bool:
    """Insert the payload unless present; True if this call stored it."""
    values = {"digest": digest, "size": len(body), "data": zlib.compress(body, 6)}
    stmt = _INSERT_PAYLOAD["postgresql" if dialect == "postgresql" else "sqlite"]
    # RETURNING yields the row only when it was inserted; rowcount is not reliable here.
    return s.connection().execute(stmt, values).first() is not None


_PAYLOADS = Payload.__table__
# Built once: the Core statement on the table, not the ORM entity (no ORM compile per call).
_INSERT_PAYLOAD = {
    name: dialect_insert(_PAYLOADS)  # type: ignore[arg-type]
    .on_conflict_do_nothing(index_elements=["digest"])
    .returning(_PAYLOADS.c.digest)  # type: ignore[attr-defined]
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _is_day(value: TimeBound) -> bool:
    return (isinstance(value, date) and not isinstance(value, datetime)) or (
        isinstance(value, str) and len(value) == 10
    )


def _as_time(value: TimeBound, *, end: bool) -> datetime:
    """A bound for ``fetched_at``: aware datetimes as is, naive ones as UTC, days at 00:00 UTC
    (the next day's 00:00 for an ``end`` bound, used exclusively)."""
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        day = value + timedelta(days=1) if end else value
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
