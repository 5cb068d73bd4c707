"""The archive's tables as SQLAlchemy 2 typed declarative models.

Table and column names are a contract shared with ``archive.search``, ``archive.export``,
``archive.stats`` and the CLI. The same models run on SQLite and PostgreSQL: JSON is JSONB on
PostgreSQL, datetimes are timezone-aware UTC on both (see :class:`UTCDateTime`), ``versions.day``
is a DATE (stored as ISO ``YYYY-MM-DD`` text by SQLite, so range filters compare correctly).

Schema changes are never made here alone: each one is also a named migration in
``archive.migrations`` (migration 1 creates these tables).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

RUN_STATUSES = ("running", "ok", "failed", "interrupted")
REVISIT_IDENTICAL = "identical-payload-digest"
REVISIT_NOT_MODIFIED = "server-not-modified"


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime that goes in and comes out timezone-aware UTC on every backend.

    SQLite has no timezone storage, so values are stored as naive UTC there and given
    ``tzinfo=UTC`` again on the way out. Naive input is refused: a naive datetime in an
    archive is a bug waiting to shift by eight hours.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: archive datetimes must be aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base of every archive table."""

    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


class SchemaMigration(Base):
    """One applied named migration (see ``archive.migrations``)."""

    __tablename__ = "schema_migrations"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    applied_at: Mapped[datetime]


class Run(Base):
    """One crawl run of one site."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(200), index=True)
    mode: Mapped[str] = mapped_column(String(50))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")  # RUN_STATUSES
    pid: Mapped[int | None]
    host: Mapped[str | None] = mapped_column(String(255))
    pages: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    alias: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    stats: Mapped[dict[str, Any] | None]
    alerts: Mapped[list[Any] | None]


class Payload(Base):
    """Raw response bytes, stored once per digest, zlib-compressed."""

    __tablename__ = "payloads"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # 'sha1:BASE32'
    size: Mapped[int]  # of the raw bytes, before our zlib
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Capture(Base):
    """One HTTP fetch: a crawl-log line (cf. Heritrix crawl.log) pointing at its payload."""

    __tablename__ = "captures"
    __table_args__ = (Index("ix_captures_url_fetched_at", "url", "fetched_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    site: Mapped[str | None] = mapped_column(String(200), index=True)
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(16), default="GET")
    fetched_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[int]
    request_headers: Mapped[list[Any]]  # [[name, value], ...]
    headers: Mapped[list[Any]]  # [[name, value], ...] as received
    payload_digest: Mapped[str] = mapped_column(ForeignKey("payloads.digest"), index=True)
    size: Mapped[int]  # bytes received (0 for a 304)
    duration_ms: Mapped[int | None]
    referrer: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="article")
    content_encoding: Mapped[str | None] = mapped_column(String(50))  # payload still encoded
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[str | None] = mapped_column(String(50))
    encoding_source: Mapped[str | None] = mapped_column(String(50))
    declared_charset: Mapped[str | None] = mapped_column(String(50))
    encoding_contradicted: Mapped[bool] = mapped_column(Boolean, default=False)
    decode_errors: Mapped[int | None]
    decode_error_rate: Mapped[float | None] = mapped_column(Float)
    revisit_profile: Mapped[str | None] = mapped_column(String(40))
    refers_to_capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))


class Article(Base):
    """One article, identified by its canonical URL; its text lives in :class:`Version`."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(200), index=True)
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    # No FK: versions point at articles, and a cycle would complicate inserts on both backends.
    latest_version_id: Mapped[int | None]
    version_count: Mapped[int] = mapped_column(default=0)
    mirror_artifact: Mapped[bool] = mapped_column(Boolean, default=False)


class ArticleUrl(Base):
    """Every URL an article was seen under, the canonical one included. Never deleted."""

    __tablename__ = "article_urls"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    first_seen: Mapped[datetime]


class Version(Base):
    """One distinct text of an article. Old versions are kept; ``seq`` counts from 1."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("article_id", "seq", name="uq_versions_article_seq"),
        Index("ix_versions_day", "day"),
        Index("ix_versions_content_hash", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    seq: Mapped[int]
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    created_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex
    title: Mapped[str] = mapped_column(Text)
    title_norm: Mapped[str] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(40))  # ISO 8601 as extracted
    day: Mapped[date | None] = mapped_column(Date)  # date part of ``date``, for range filters
    source: Mapped[str | None] = mapped_column(Text)
    source_norm: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    body_norm: Mapped[str] = mapped_column(Text)
    script: Mapped[str | None] = mapped_column(String(10))
    extractor_version: Mapped[str] = mapped_column(String(50), default="")


class Caption(Base):
    """An image caption of one version, in page order."""

    __tablename__ = "captions"

    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    text_norm: Mapped[str] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)


class Credit(Base):
    """A credit line (author, editor, photographer...) of one version, in page order."""

    __tablename__ = "credits"
    __table_args__ = (Index("ix_credits_role_name", "role_norm", "name_norm"),)

    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    role_norm: Mapped[str] = mapped_column(Text)
    name_norm: Mapped[str] = mapped_column(Text)


class Failure(Base):
    """A URL that could not be fetched or extracted; one row per URL, re-failures counted."""

    __tablename__ = "failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str | None] = mapped_column(String(200), index=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    reason: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    http_status: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=1)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
