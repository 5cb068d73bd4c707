"""Captures: payload dedup, revisit profiles, validators, streaming order."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from archive import Archive
from archive.digests import payload_digest
from archive.schema import Capture, Payload
from tests.archive.archive_factories import HTML, SITE, T0, capture

URL = "https://news.demo.edu.cn/info/1001/1.htm"
BODY = HTML.encode("gbk")
VALIDATORS = [("ETag", '"5f1-abc"'), ("Last-Modified", "Tue, 05 Mar 2024 02:00:00 GMT")]


def _payload_rows(arc: Archive) -> int:
    with arc.session() as s:
        return s.scalar(select(func.count()).select_from(Payload)) or 0


def test_identical_bytes_stored_once(archive: Archive) -> None:
    first = archive.record_capture(capture(URL, BODY))
    other = archive.record_capture(capture(URL + "?print=1", BODY, minutes=1))
    assert (first.payload_new, other.payload_new) == (True, False)
    assert first.digest == other.digest == payload_digest(BODY)
    assert first.revisit_profile is None and other.revisit_profile is None  # other URL
    assert _payload_rows(archive) == 1
    assert archive.payload(first.digest) == BODY
    with archive.session() as s:
        stored = s.get(Payload, first.digest)
        assert stored is not None
        assert stored.size == len(BODY)
        assert zlib.decompress(stored.data) == BODY
    with pytest.raises(KeyError):
        archive.payload("sha1:NOPE")


def test_identical_payload_revisit(archive: Archive) -> None:
    first = archive.record_capture(capture(URL, BODY))
    second = archive.record_capture(capture(URL, BODY, minutes=10))
    third = archive.record_capture(capture(URL, BODY, minutes=20))
    changed = archive.record_capture(capture(URL, BODY + b"<!-- v2 -->", minutes=30))
    assert second.revisit_profile == "identical-payload-digest"
    assert third.revisit_profile == "identical-payload-digest"
    assert changed.revisit_profile is None and changed.payload_new is True
    rows = archive.captures_for_url(URL)
    assert [r["id"] for r in rows] == [
        first.capture_id,
        second.capture_id,
        third.capture_id,
        changed.capture_id,
    ]
    # revisits point at the capture that holds the full response, not at another revisit
    assert [r["refers_to_capture_id"] for r in rows] == [
        None,
        first.capture_id,
        first.capture_id,
        None,
    ]
    assert _payload_rows(archive) == 2


def test_not_modified_revisit_and_validators(archive: Archive) -> None:
    assert archive.validators(URL) is None
    first = archive.record_capture(capture(URL, BODY, headers=VALIDATORS))
    assert archive.validators(URL) == ('"5f1-abc"', "Tue, 05 Mar 2024 02:00:00 GMT")
    nm = archive.record_capture(capture(URL, b"", status=304, minutes=5, headers=VALIDATORS[:1]))
    assert nm.revisit_profile == "server-not-modified"
    assert nm.digest == first.digest
    assert nm.payload_new is False
    rows = archive.captures_for_url(URL)
    assert rows[1]["refers_to_capture_id"] == first.capture_id
    assert rows[1]["size"] == 0
    assert rows[1]["status"] == 304
    # a 304 is not a 200: validators still come from the 200 capture
    assert archive.validators(URL) == ('"5f1-abc"', "Tue, 05 Mar 2024 02:00:00 GMT")
    # a 200 after the 304 with the same bytes is an identical-payload revisit of the original
    again = archive.record_capture(capture(URL, BODY, minutes=9))
    assert again.revisit_profile == "identical-payload-digest"
    assert archive.captures_for_url(URL)[2]["refers_to_capture_id"] == first.capture_id
    assert archive.validators(URL) == (None, None)


def test_304_without_earlier_200_is_plain(archive: Archive) -> None:
    result = archive.record_capture(capture(URL, b"", status=304))
    assert result.revisit_profile is None
    assert result.digest == payload_digest(b"")
    assert archive.payload(result.digest) == b""


def test_capture_fields_round_trip(archive: Archive) -> None:
    result = archive.record_capture(
        capture(
            URL,
            b"\x1f\x8b compressed",
            final_url=URL + "?r=1",
            headers=[("Content-Encoding", "gzip"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
            duration_ms=123,
            referrer="https://news.demo.edu.cn/",
            kind="listing",
            content_encoding="gzip",
            encoding="gb18030",
            encoding_source="meta",
            declared_charset="gb2312",
            encoding_contradicted=True,
            decode_errors=2,
            decode_error_rate=0.001,
        )
    )
    (row,) = archive.captures_for_url(URL + "?r=1")
    assert row["id"] == result.capture_id
    assert row["headers"] == [
        ["Content-Encoding", "gzip"],
        ["Set-Cookie", "a=1"],
        ["Set-Cookie", "b=2"],
    ]
    assert row["request_headers"] == [["User-Agent", "campusnews-test"]]
    assert row["fetched_at"] == T0
    assert row["site"] == SITE
    assert (row["kind"], row["content_encoding"], row["duration_ms"]) == ("listing", "gzip", 123)
    assert (row["encoding"], row["encoding_source"], row["declared_charset"]) == (
        "gb18030",
        "meta",
        "gb2312",
    )
    assert (row["encoding_contradicted"], row["decode_errors"], row["decode_error_rate"]) == (
        True,
        2,
        0.001,
    )


def test_naive_datetime_refused(archive: Archive) -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match="timezone-aware"):
        archive.record_capture(replace(capture(URL, BODY), fetched_at=datetime(2024, 1, 1)))


def test_iter_captures_filters_and_order(archive: Archive) -> None:
    ids = [
        archive.record_capture(capture(f"{URL}?p={m}", BODY, minutes=m)).capture_id
        for m in (0, 90, 1500)
    ]
    archive.record_capture(capture(URL, BODY, minutes=5, site="other"))
    assert [c["id"] for c in archive.iter_captures(site=SITE)] == ids
    assert [c["id"] for c in archive.iter_captures(site=SITE, until="2024-03-05")] == ids[:2]
    assert [c["id"] for c in archive.iter_captures(since="2024-03-06")] == ids[2:]
    since = datetime(2024, 3, 5, 3, 30, tzinfo=UTC)
    assert [c["id"] for c in archive.iter_captures(site=SITE, since=since)] == ids[1:]
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Capture)) == 4
