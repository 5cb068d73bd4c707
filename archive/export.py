"""Export articles (latest versions) to CSV or JSON Lines, streamed with constant memory.

Articles are read in batches of :data:`BATCH` by ascending id (keyset pagination), so memory
does not grow with the archive. The selection is the one of :func:`archive.search.search`:
an optional query and the same filters. Text is the normalized (Simplified) form by default,
the form as published with ``original=True``.

CSV has one row per article; captions and credits are JSON columns, and the usual credit
roles are also flat columns with names joined by ``;`` (:data:`FLAT_ROLES`). JSONL has one
object per article with structured captions and credits.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, TextIO

from sqlalchemy import Connection, select

from archive.query import Node, matches, needs_check
from archive.schema import Article, Caption, Credit, Version
from archive.search import build_filters, candidates, optional_query, version_texts

if TYPE_CHECKING:
    from archive import Archive

BATCH = 1000

# Flat credit columns: column name -> roles (Simplified, as in ``credits.role_norm``).
FLAT_ROLES: dict[str, tuple[str, ...]] = {
    "author": ("作者", "文字", "文", "撰稿"),
    "editor": ("编辑",),
    "chief_editor": ("责任编辑",),
    "reviewer": ("审核", "审稿"),
    "photographer": ("摄影", "图片", "图"),
    "unit": ("供稿单位", "供稿", "来源单位"),
    "reporter": ("记者", "通讯员"),
}
COLUMNS = (
    "id",
    "site",
    "url",
    "date",
    "title",
    "source",
    "body",
    "captions",
    "credits",
    *FLAT_ROLES,
    "first_seen",
    "last_seen",
    "version_count",
    "script",
)
_ROLE_COLUMN = {role: col for col, roles in FLAT_ROLES.items() for role in roles}


def export_rows(
    archive: Archive,
    fmt: Literal["csv", "jsonl"],
    out: TextIO | BinaryIO,
    *,
    query: str | None = None,
    bom: bool = False,
    original: bool = False,
    progress: Callable[[int], None] | None = None,
    **filters: Any,
) -> int:
    """Write the selected articles to ``out`` (text or binary, UTF-8); return how many.

    ``filters`` are those of :func:`archive.search.search` (site, since, until, author, unit,
    source, roles). ``bom`` starts a CSV with a UTF-8 byte order mark, which Excel needs to
    read UTF-8. ``progress`` is called with the running count after each batch. A malformed
    query raises :class:`~campusnews.exceptions.QueryError` before anything is written.
    """
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"format must be 'csv' or 'jsonl', not {fmt!r}")
    if bom and fmt != "csv":
        raise ValueError("bom is for CSV only (a BOM makes JSON Lines invalid)")
    node = optional_query(query)
    conds = build_filters(**filters)
    binary = not isinstance(out, io.TextIOBase) and "b" in getattr(out, "mode", "b")
    stream: TextIO = (
        io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)  # type: ignore[arg-type]
        if binary
        else out  # type: ignore[assignment]
    )
    count = 0
    try:
        if fmt == "csv":
            if bom:
                stream.write("\ufeff")
            writer = csv.writer(stream)
            writer.writerow(COLUMNS)
        with archive.engine.connect() as conn:
            for batch in _batches(conn, node, conds):
                for rec in _records(conn, batch, original=original):
                    if fmt == "csv":
                        writer.writerow(_csv_row(rec))
                    else:
                        stream.write(json.dumps(rec, ensure_ascii=False) + "\n")
                count += len(batch)
                if progress is not None:
                    progress(count)
        stream.flush()
    finally:
        if binary:
            stream.detach()  # type: ignore[attr-defined]  # leave the caller's stream open
    return count


def _batches(
    conn: Connection, node: Node | None, conds: list[Any]
) -> Iterator[list[tuple[int, int]]]:
    """``[(article_id, version_id)]`` batches in id order, exact (re-checked when needed)."""
    dialect = conn.dialect.name
    check = node is not None and needs_check(node, positional=dialect != "postgresql")
    stmt = candidates(dialect, node, conds)
    last = 0
    while True:
        rows = conn.execute(stmt.where(Article.id > last).order_by(Article.id).limit(BATCH)).all()
        if not rows:
            return
        last = rows[-1][0]
        pairs = [(r[0], r[1]) for r in rows]
        if check:
            assert node is not None
            texts = version_texts(conn, [v for _, v in pairs])
            pairs = [(a, v) for a, v in pairs if matches(node, texts[v].fields())]
        if pairs:
            yield pairs


def _records(
    conn: Connection, batch: Sequence[tuple[int, int]], *, original: bool
) -> list[dict[str, Any]]:
    """One JSON-ready dict per article of the batch, in batch order."""
    vids = [v for _, v in batch]
    caps: dict[int, list[dict[str, Any]]] = {}
    for c in conn.execute(
        select(Caption.version_id, Caption.text, Caption.text_norm, Caption.image_url)
        .where(Caption.version_id.in_(vids))
        .order_by(Caption.version_id, Caption.seq)
    ):
        caps.setdefault(c.version_id, []).append(
            {"text": c.text if original else c.text_norm, "image_url": c.image_url}
        )
    creds: dict[int, list[dict[str, str]]] = {}
    for c in conn.execute(
        select(Credit.version_id, Credit.role, Credit.name, Credit.role_norm, Credit.name_norm)
        .where(Credit.version_id.in_(vids))
        .order_by(Credit.version_id, Credit.seq)
    ):
        creds.setdefault(c.version_id, []).append(
            {
                "role": c.role if original else c.role_norm,
                "name": c.name if original else c.name_norm,
                "role_norm": c.role_norm,
            }
        )
    rows = {
        r.version_id: r
        for r in conn.execute(
            select(
                Article.id,
                Article.site,
                Article.canonical_url,
                Article.first_seen,
                Article.last_seen,
                Article.version_count,
                Version.id.label("version_id"),
                Version.date,
                Version.script,
                Version.title if original else Version.title_norm.label("title"),
                Version.source if original else Version.source_norm.label("source"),
                Version.body if original else Version.body_norm.label("body"),
            )
            .join(Version, Version.id == Article.latest_version_id)
            .where(Version.id.in_(vids))
        )
    }
    out = []
    for _, vid in batch:
        r = rows[vid]
        credits = creds.get(vid, [])
        flat: dict[str, list[str]] = {col: [] for col in FLAT_ROLES}
        for c in credits:
            col = _ROLE_COLUMN.get(c.pop("role_norm"))
            if col is not None:
                flat[col].append(c["name"])
        out.append(
            {
                "id": r.id,
                "site": r.site,
                "url": r.canonical_url,
                "date": r.date,
                "title": r.title,
                "source": r.source,
                "body": r.body,
                "captions": caps.get(vid, []),
                "credits": credits,
                **{col: ";".join(names) for col, names in flat.items()},
                "first_seen": _iso(r.first_seen),
                "last_seen": _iso(r.last_seen),
                "version_count": r.version_count,
                "script": r.script,
            }
        )
    return out


def _csv_row(rec: dict[str, Any]) -> list[Any]:
    row = []
    for col in COLUMNS:
        value = rec[col]
        if col in ("captions", "credits"):
            value = json.dumps(value, ensure_ascii=False)
        row.append("" if value is None else value)
    return row


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
