"""The decoding policy and the pinyin gate on the real saved pages of ``shared/corpus``.

The MANIFEST gives, for every page, the codec its bytes strictly decode with (``bytes=``); the
policy must pick that codec (widened) and produce exactly that text, whatever the page declares.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from campusnews.normalize import decode_page, pinyin_decision
from tests.normalize.normalize_shared import shared_dir

pytestmark = pytest.mark.corpus

# One MANIFEST table row: | # | `local file` | ... | encoding column | ...
_MANIFEST_ROW = re.compile(r"^\|\s*\d+\s*\|\s*`([^`]+)`\s*\|")
_BYTES_CODEC = re.compile(r"bytes=([\w-]+)")
_WIDENED = {"gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "big5": "big5hkscs"}
# Markup removed before looking for pinyin tokens in the visible text.
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _corpus() -> Path:
    return shared_dir() / "corpus"


def _manifest_rows() -> list[tuple[str, str]]:
    manifest = _corpus() / "MANIFEST.md"
    if not manifest.is_file():
        return []
    rows = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        match = _MANIFEST_ROW.match(line)
        codec = _BYTES_CODEC.search(line)
        if match and codec:
            rows.append((match.group(1), codec.group(1)))
    return rows


ROWS = _manifest_rows()


@pytest.fixture(scope="module", autouse=True)
def _need_corpus() -> None:
    if not ROWS:
        pytest.skip(f"corpus not available: {_corpus()}")


@pytest.mark.parametrize(("name", "codec"), ROWS or [pytest.param("-", "-", id="no-corpus")])
def test_corpus_page_decodes_exactly(name: str, codec: str) -> None:
    body = (_corpus() / name).read_bytes()
    text, info = decode_page(body)
    assert info.encoding == _WIDENED.get(codec, codec)
    assert text == body.decode("utf-8-sig" if codec == "utf-8" else codec)
    assert (info.errors, info.suspect) == (0, False)


def test_pinyin_gate_never_fires_on_corpus() -> None:
    fired = []
    for name, _ in ROWS:
        text, _ = decode_page((_corpus() / name).read_bytes())
        visible = _TAG.sub(" ", _SCRIPT_OR_STYLE.sub(" ", text))
        if pinyin_decision(visible).fired:
            fired.append(name)
    assert fired == []
