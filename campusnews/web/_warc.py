"""One capture as a small WARC 1.1 file (gzip per record), for the article page's download.

The records are written by :func:`archive.warc.write_capture_records`, as in a full export. A
revisit carries no payload, so the capture it repeats is written first: the file alone then
holds the bytes that were fetched.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any

from warcio.warcwriter import WARCWriter

from archive.warc import SOFTWARE, write_capture_records

if TYPE_CHECKING:
    from archive import Archive


def capture_warc(archive: Archive, captures: list[dict[str, Any]], capture_id: int) -> bytes:
    """The ``.warc.gz`` bytes of capture ``capture_id``, one of ``captures`` (rows of
    :meth:`Archive.captures_for_url`); KeyError when it is not among them."""
    by_id = {c["id"]: c for c in captures}
    cap = by_id[capture_id]
    chain = [cap]
    original = by_id.get(cap["refers_to_capture_id"]) if cap["revisit_profile"] else None
    if original is not None:
        chain.insert(0, original)
    buf = BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="1.1")
    name = f"campusnews-capture-{capture_id}.warc.gz"
    info = {
        "software": SOFTWARE,
        "format": "WARC File Format 1.1",
        "description": f"campusnews capture {capture_id} of {cap['final_url']}",
    }
    writer.write_record(writer.create_warcinfo_record(name, info))
    record_ids: dict[int, str] = {}
    for c in chain:
        ref = by_id.get(c["refers_to_capture_id"]) if c["revisit_profile"] else None
        row = {
            **c,
            "refers_to_url": ref["final_url"] if ref else None,
            "refers_to_fetched_at": ref["fetched_at"] if ref else None,
        }
        write_capture_records(archive, writer, row, record_ids)
    return buf.getvalue()
