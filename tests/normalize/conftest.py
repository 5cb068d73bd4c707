"""Fixtures for the normalization tests: the shared seed page and the texts built from it."""

from __future__ import annotations

import pytest

from tests.normalize.normalize_shared import shared_dir

SEED_NAME = "seeds/000_1b0bd5df2f276862.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The real mirror page (Traditional, with pinyin annotations), as UTF-8 text."""
    path = shared_dir() / SEED_NAME
    if not path.is_file():
        pytest.skip(f"seed page not available: {path}")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def stripped_seed(seed_text: str) -> str:
    from campusnews.normalize import pinyin_decision, strip_pinyin

    return strip_pinyin(seed_text, pinyin_decision(seed_text))[0]


def _sanitise(text: str, *codecs: str) -> str:
    """Keep only the chars every codec can encode (and drop the repair's U+FFFD)."""

    def ok(ch: str) -> bool:
        if ch == "\ufffd":
            return False
        try:
            for codec in codecs:
                ch.encode(codec)
        except UnicodeEncodeError:
            return False
        return True

    return "".join(ch for ch in text if ok(ch))


@pytest.fixture(scope="session")
def page_texts(stripped_seed: str) -> dict[str, str]:
    """The three texts of the §5.5 page cases, keyed as in ``normalize_vectors.PAGE_CASES``."""
    from campusnews.normalize import to_simplified
    from tests.normalize.normalize_vectors import GBK_ONLY_NAMES

    simp = _sanitise(to_simplified(stripped_seed), "gb2312")
    trad = _sanitise(stripped_seed, "big5", "gbk")
    middle = len(simp) // 2
    return {
        "SIMP": simp,
        "TRAD": trad,
        "SIMP_WITH_GBK_ONLY_NAMES": simp[:middle] + GBK_ONLY_NAMES + simp[middle:],
    }
