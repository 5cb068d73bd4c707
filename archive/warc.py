"""Export captures as a WARC 1.1 file (gzip per record) with warcio.

One ``warcinfo`` record, then per capture a ``request`` record and either a ``response``
record (status line, stored headers, the stored payload bytes) or a ``revisit`` record
(``identical-payload-digest`` or ``server-not-modified``) pointing at the capture it repeats.
``WARC-Payload-Digest`` is the digest the archive stored, so ``warcio check`` verifies our
bytes against our own record of them.

Headers are emitted as stored, minus what would make a reader decode the payload wrongly:
``Transfer-Encoding`` (hop-by-hop; the payload is stored de-chunked), ``Content-Encoding`` when
the stored payload was already decompressed, and a stale ``Content-Length`` (replaced by the
stored payload's length).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from archive.schema import REVISIT_IDENTICAL, REVISIT_NOT_MODIFIED

if TYPE_CHECKING:
    from archive.core import Archive

SOFTWARE = "campusnews archive (warcio)"
PROFILE_URIS = {
    REVISIT_IDENTICAL: "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    REVISIT_NOT_MODIFIED: "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}
# Headers that describe the connection, not the payload we stored.
HOP_BY_HOP = frozenset({"transfer-encoding", "connection", "keep-alive"})


def export_warc(
    archive: Archive,
    out_path: str | os.PathLike[str],
    *,
    site: str | None = None,
    since: str | date | datetime | None = None,
    until: str | date | datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the selected captures to ``out_path`` (``.warc.gz``); return how many.

    Written to ``out_path + '.part'`` and renamed at the end, so a file under the final name
    is always complete. ``progress`` is called with the running count after each capture.
    """
    out = Path(out_path)
    part = out.with_name(out.name + ".part")
    record_ids: dict[int, str] = {}  # capture id -> its response record's WARC-Record-ID
    count = 0
    with part.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        info = {
            "software": SOFTWARE,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": _description(site, since, until),
        }
        writer.write_record(writer.create_warcinfo_record(out.name, info))
        for cap in archive.iter_captures(site=site, since=since, until=until):
            _write_capture(archive, writer, cap, record_ids)
            count += 1
            if progress is not None:
                progress(count)
    os.replace(part, out)
    return count


def write_capture_records(
    archive: Archive,
    writer: WARCWriter,
    capture: dict[str, Any],
    record_ids: dict[int, str] | None = None,
) -> None:
    """Write one capture's ``request`` and ``response`` (or ``revisit``) records to ``writer``.

    ``capture`` is a row of :meth:`Archive.iter_captures` (a row of ``captures_for_url`` with
    ``refers_to_url`` and ``refers_to_fetched_at`` added for a revisit). ``record_ids`` maps
    capture ids to the response record ids already written (a revisit refers to its original
    through it) and is updated; pass the same dict for every capture of one file.
    """
    _write_capture(archive, writer, capture, {} if record_ids is None else record_ids)


def _write_capture(
    archive: Archive, writer: WARCWriter, cap: dict[str, Any], record_ids: dict[int, str]
) -> None:
    uri = cap["final_url"]
    warc_date = _warc_date(cap["fetched_at"])
    profile = cap["revisit_profile"]
    still_encoded = bool(cap["content_encoding"])
    status_line = _status_line(cap["status"])
    if profile is None:
        body = archive.payload(cap["payload_digest"])
        headers = _clean_headers(cap["headers"], still_encoded=still_encoded, length=len(body))
        record = writer.create_warc_record(
            uri,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders(status_line, headers, protocol="HTTP/1.1"),
            warc_headers_dict={
                "WARC-Date": warc_date,
                "WARC-Payload-Digest": cap["payload_digest"],
            },
        )
    else:
        headers = _clean_headers(cap["headers"], still_encoded=still_encoded, length=None)
        warc_headers = {
            "WARC-Date": warc_date,
            "WARC-Profile": PROFILE_URIS[profile],
            "WARC-Refers-To-Target-URI": cap["refers_to_url"] or uri,
            "WARC-Payload-Digest": cap["payload_digest"],
        }
        if cap["refers_to_fetched_at"] is not None:
            warc_headers["WARC-Refers-To-Date"] = _warc_date(cap["refers_to_fetched_at"])
        refers_id = record_ids.get(cap["refers_to_capture_id"])
        if refers_id:
            warc_headers["WARC-Refers-To"] = refers_id
        record = writer.create_warc_record(
            uri,
            "revisit",
            http_headers=StatusAndHeaders(status_line, headers, protocol="HTTP/1.1"),
            warc_headers_dict=warc_headers,
        )
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    if profile is None:
        record_ids[cap["id"]] = record_id
    writer.write_record(_request_record(writer, cap, uri, warc_date, record_id))
    writer.write_record(record)


def _request_record(
    writer: WARCWriter, cap: dict[str, Any], uri: str, warc_date: str, concurrent_to: str
) -> Any:
    parts = urlsplit(uri)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [(k, v) for k, v in cap["request_headers"] if k.lower() not in HOP_BY_HOP]
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    http = StatusAndHeaders(
        f"{cap['method']} {target} HTTP/1.1", headers, protocol="", is_http_request=True
    )
    return writer.create_warc_record(
        uri,
        "request",
        http_headers=http,
        warc_headers_dict={"WARC-Date": warc_date, "WARC-Concurrent-To": concurrent_to},
    )


def _clean_headers(
    headers: list[list[str]], *, still_encoded: bool, length: int | None
) -> list[tuple[str, str]]:
    """Stored headers fit for the stored payload (see the module docstring)."""
    out: list[tuple[str, str]] = []
    for name, value in headers:
        low = name.lower()
        if low in HOP_BY_HOP or (low == "content-encoding" and not still_encoded):
            continue
        if low == "content-length" and length is not None:
            continue
        out.append((name, value))
    if length is not None:
        out.append(("Content-Length", str(length)))
    return out


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:  # a status code Python does not name
        return f"{status} -"


def _warc_date(when: datetime) -> str:
    # warcio formats naive UTC datetimes; ours are aware UTC.
    return datetime_to_iso_date(when.replace(tzinfo=None), use_micros=True)


def _description(
    site: str | None, since: str | date | datetime | None, until: str | date | datetime | None
) -> str:
    bits = [f"site={site}" if site else "all sites"]
    if since is not None:
        bits.append(f"since={since}")
    if until is not None:
        bits.append(f"until={until}")
    return "campusnews captures, " + ", ".join(bits)
