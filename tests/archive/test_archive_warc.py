"""WARC export: warcio reads it back byte for byte, and `warcio check`/`index` accept it."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive import Archive
from tests.archive.archive_factories import HTML, capture

URL = "https://news.demo.edu.cn/info/1001/1.htm"
GBK = HTML.encode("gbk")
# warcio has no __main__; its CLI module runs as a script (same as the `warcio` command).
WARCIO = [sys.executable, "-m", "warcio.cli"]


def _fill(arc: Archive) -> dict[str, int]:
    """Captures of every kind; returns their ids by name."""
    ids = {}
    ids["plain"] = arc.record_capture(
        capture(
            URL,
            GBK,
            headers=[
                ("Content-Type", "text/html; charset=gbk"),
                ("Content-Encoding", "gzip"),  # Scrapy decompressed it: must not be emitted
                ("Transfer-Encoding", "chunked"),
                ("Content-Length", "17"),
                ("ETag", '"abc"'),
            ],
            request_headers=[("User-Agent", "campusnews-test"), ("Accept-Encoding", "gzip")],
        )
    ).capture_id
    zipped = gzip.compress(GBK, mtime=0)
    ids["gzip"] = arc.record_capture(
        capture(
            URL + "?raw=1",
            zipped,
            minutes=1,
            headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
            content_encoding="gzip",
        )
    ).capture_id
    ids["identical"] = arc.record_capture(capture(URL, GBK, minutes=2)).capture_id
    ids["not_modified"] = arc.record_capture(
        capture(URL, b"", status=304, minutes=3, headers=[("ETag", '"abc"')])
    ).capture_id
    ids["not_found"] = arc.record_capture(
        capture(URL + "x", b"<h1>404</h1>", status=404, minutes=4, site="other")
    ).capture_id
    return ids


def test_round_trip(archive: Archive, tmp_path: Path) -> None:
    _fill(archive)
    out = tmp_path / "export.warc.gz"
    seen: list[int] = []
    assert archive_export(archive, out, seen.append) == 5
    assert seen == [1, 2, 3, 4, 5]
    assert not (tmp_path / "export.warc.gz.part").exists()
    with out.open("rb") as fh:
        records = [
            (
                r.rec_type,
                r.rec_headers.get_header("WARC-Target-URI"),
                r.rec_headers.get_header("WARC-Profile"),
                r.rec_headers.get_header("WARC-Payload-Digest"),
                r.rec_headers.get_header("WARC-Refers-To-Date"),
                r.http_headers.get_statuscode()
                if r.http_headers and r.rec_type != "request"
                else None,
                r.http_headers.get_header("Content-Encoding") if r.http_headers else None,
                r.http_headers.get_header("Transfer-Encoding") if r.http_headers else None,
                r.raw_stream.read(),
            )
            for r in ArchiveIterator(fh)
        ]
    types = [r[0] for r in records]
    assert types == ["warcinfo"] + ["request", "response"] * 2 + ["request", "revisit"] * 2 + [
        "request",
        "response",
    ]
    by_type: dict[str, list[tuple]] = {}
    for r in records:
        by_type.setdefault(r[0], []).append(r)
    plain, zipped, not_found = by_type["response"]
    digests = {c["id"]: c["payload_digest"] for c in archive.iter_captures()}
    assert plain[1] == URL and plain[5] == "200"
    assert plain[6] is None and plain[7] is None  # stale Content-Encoding, chunking dropped
    assert plain[8] == GBK
    assert plain[3] == digests[1]
    assert zipped[6] == "gzip"
    assert zipped[8] == archive.payload(digests[2])
    assert gzip.decompress(zipped[8]) == GBK
    assert not_found[5] == "404" and not_found[8] == b"<h1>404</h1>"
    identical, not_modified = by_type["revisit"]
    assert identical[2] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert not_modified[2] == "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    assert identical[3] == not_modified[3] == digests[1]
    assert identical[4] == not_modified[4] == "2024-03-05T02:00:00Z"
    assert not_modified[5] == "304"
    assert identical[8] == b"" and not_modified[8] == b""
    request = by_type["request"][0]
    assert request[8] == b""


def test_warcio_check_and_index_accept_it(archive: Archive, tmp_path: Path) -> None:
    _fill(archive)
    out = tmp_path / "export.warc.gz"
    archive_export(archive, out)
    check = subprocess.run([*WARCIO, "check", "-v", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout
    index = subprocess.run([*WARCIO, "index", str(out)], capture_output=True, text=True)
    assert index.returncode == 0, index.stderr
    assert len(index.stdout.splitlines()) == 11


def test_site_and_time_filters(archive: Archive, tmp_path: Path) -> None:
    _fill(archive)
    from archive.warc import export_warc

    assert export_warc(archive, tmp_path / "o.warc.gz", site="other") == 1
    assert export_warc(archive, tmp_path / "e.warc.gz", since="2024-03-06") == 0
    with (tmp_path / "e.warc.gz").open("rb") as fh:
        assert [r.rec_type for r in ArchiveIterator(fh)] == ["warcinfo"]


def archive_export(arc: Archive, out: Path, progress=None) -> int:
    from archive.warc import export_warc

    return export_warc(arc, out, progress=progress)
