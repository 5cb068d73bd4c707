"""Fuzz: whatever the bytes, decode_page returns text or raises DecodeError, nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campusnews.exceptions import DecodeError
from campusnews.normalize import declared_charset, decode_page
from campusnews.normalize.decode import DecodeInfo

SAMPLE = (
    "<html><head><title>山東大學威海校區</title></head><body><p>学术动态：通知公告（2020）😀</p>"
)
CODECS = ("utf-8", "gb18030", "big5hkscs", "utf-16", "shift_jis", "euc_kr", "cp1252")
LABELS = (None, "utf-8", "gb2312", "gbk", "big5", "iso-8859-1", "utf-16", "bogus", "base64", "")
FUZZ = settings(
    max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _check(body: bytes, content_type: str | None, hint: str | None) -> None:
    try:
        text, info = decode_page(body, content_type, hint)
    except DecodeError as e:
        assert str(e)
        return
    assert isinstance(text, str)
    assert isinstance(info, DecodeInfo)
    assert info.errors >= 0
    assert 0.0 <= info.error_rate <= 1.0


@FUZZ
@given(
    body=st.binary(max_size=2048),
    label=st.sampled_from(LABELS),
    hint=st.sampled_from(LABELS),
)
def test_random_bytes(body: bytes, label: str | None, hint: str | None) -> None:
    content_type = None if label is None else f"text/html; charset={label}"
    _check(body, content_type, hint)


@FUZZ
@given(
    codec=st.sampled_from(CODECS),
    cut=st.integers(min_value=0, max_value=400),
    noise=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=4),
    label=st.sampled_from(LABELS),
)
def test_truncated_and_damaged_pages(
    codec: str, cut: int, noise: list[tuple[int, int]], label: str | None
) -> None:
    body = bytearray(SAMPLE.encode(codec, errors="replace"))
    for position, value in noise:
        if position < len(body):
            body[position] = value
    body = body[: len(body) - cut] if cut < len(body) else body[:1]
    content_type = None if label is None else f"text/html; charset={label}"
    _check(bytes(body), content_type, None)


@FUZZ
@given(head=st.binary(max_size=300), content_type=st.text(max_size=60))
def test_declared_charset_never_crashes(head: bytes, content_type: str) -> None:
    label = declared_charset(b"<meta charset=" + head, content_type)
    assert label is None or (label and label == label.lower())
