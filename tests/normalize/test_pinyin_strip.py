"""Pinyin-annotation stripping: the §5.1 adversarial strings and the §5.2 seed expectations."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campusnews.normalize import PinyinDecision, PinyinStats, pinyin_decision, strip_pinyin
from tests.normalize.normalize_vectors import PINYIN_CASES

_LEFTOVER_ANNOTATION = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]")
_PUA = re.compile("[\ue000-\uf8ff]")

TITLE = "黨旗飄揚10威海校區(qū)黨工委防控發(fā)展“兩手抓”,努力奪取“雙勝利”"
TITLE_STRIPPED = "黨旗飄揚10威海校區黨工委防控發展“兩手抓”,努力奪取“雙勝利”"


@pytest.mark.parametrize(
    ("text", "expected", "annotations"),
    [pytest.param(text, exp, n, id=case_id) for case_id, text, exp, n in PINYIN_CASES],
)
def test_vector(text: str, expected: str | None, annotations: int) -> None:
    decision = pinyin_decision(text)
    out, stats = strip_pinyin(text, decision)
    assert out == (text if expected is None else expected)
    assert stats.removed == annotations
    assert decision.fired == (annotations > 0)


@pytest.mark.parametrize(
    ("case_id", "reason"),
    [
        ("L13-name-roman", "too few: 1 tokens"),
        ("L14-quoted-trad-gloss", "glosses outside running text"),
        ("L07-polyphone-trad", "chars with several readings: 3"),
        ("L09-full-trad", "annotated chars not Traditional-only"),
        ("L17-simp-artifact-after-t2s", "annotated chars not Traditional-only"),
        ("L15-word-gloss", "no annotation tokens"),
        ("L16-numbered", "no annotation tokens"),
    ],
)
def test_gate_reason(case_id: str, reason: str) -> None:
    text = next(t for i, t, _, _ in PINYIN_CASES if i == case_id)
    assert pinyin_decision(text).reason == reason


def test_island_stats() -> None:
    text = next(t for i, t, _, _ in PINYIN_CASES if i == "A03-island-chain")
    _, stats = strip_pinyin(text, pinyin_decision(text))
    assert stats == PinyinStats(
        removed=6, islands_repaired=2, islands_failed=0, chars=4, unknown_bytes=0
    )


def test_not_fired_is_identity() -> None:
    text = "網(wǎng)站"
    decision = pinyin_decision(text)
    assert not decision.fired
    assert strip_pinyin(text, decision) == (text, PinyinStats())


def test_island_without_candidate_is_left_alone() -> None:
    decision = PinyinDecision(frozenset("網學"), True, 3, "test")
    text = "網(wǎng)站 為什麼?abc) 學(xué)校"
    out, stats = strip_pinyin(text, decision)
    assert out == "網站 為什麼?abc) 學校"
    assert (stats.removed, stats.islands_failed) == (2, 0)


def test_island_with_no_fitting_char_is_counted() -> None:
    decision = PinyinDecision(frozenset("網學"), True, 3, "test")
    text = "網(wǎng)站 為什麼?fù) 學(xué)校"
    out, stats = strip_pinyin(text, decision)
    assert out == "網站 為什麼?fù) 學校"
    assert (stats.removed, stats.islands_repaired, stats.islands_failed) == (2, 0, 1)


def test_title_alone_is_not_stripped() -> None:
    decision = pinyin_decision(TITLE)
    assert (decision.fired, decision.tokens) == (False, 2)
    assert strip_pinyin(TITLE, decision)[0] == TITLE


def test_title_with_known_chars_from_body(seed_text: str) -> None:
    body = pinyin_decision(seed_text)
    decision = pinyin_decision(TITLE, known_chars=body.chars)
    assert (decision.fired, decision.tokens) == (True, 2)
    out, stats = strip_pinyin(TITLE, decision)
    assert out == TITLE_STRIPPED
    assert stats.removed == 2


def test_seed_decision(seed_text: str) -> None:
    decision = pinyin_decision(seed_text)
    assert decision.fired
    assert (decision.tokens, len(decision.chars)) == (341, 54)
    assert decision.trad_ratio == 1.0
    assert decision.consistency == 1.0
    assert decision.multi_reading_chars == 0
    assert decision.default_ratio == 1.0
    assert decision.neighbour_ratio == 1.0


def test_seed_stats(seed_text: str) -> None:
    _, stats = strip_pinyin(seed_text, pinyin_decision(seed_text))
    assert stats == PinyinStats(
        removed=346, islands_repaired=4, islands_failed=0, chars=54, unknown_bytes=1
    )


def test_seed_output(stripped_seed: str) -> None:
    assert len(stripped_seed) == 3640
    assert not _LEFTOVER_ANNOTATION.search(stripped_seed)
    assert stripped_seed.count("\ufffd") == 1
    assert "?" not in stripped_seed
    assert not _PUA.search(stripped_seed)


def test_seed_legit_parens_kept(stripped_seed: str) -> None:
    assert re.findall(r"\([^()]*(?:\([^()]*\))?[^()]*\)", stripped_seed) == [
        "(威海)",
        "(總價值1990萬元)",
        "(威海)",
        "(作者:佚名 編輯:山東大學)",
    ]


@pytest.mark.parametrize(
    "expected",
    ["堅守初心,勇擔使\ufffd,致敬", "從上級下撥和校區管理黨費", "遵守當地規定;"],
    ids=["island-line-1", "island-line-2", "island-line-3"],
)
def test_seed_islands(stripped_seed: str, expected: str) -> None:
    assert expected in stripped_seed


_FUZZ_ALPHABET = "網學區聯擔撥規數當地勇使命山东大学()（）?^\ue319 \nwǎngxuéqūliándānbōguīshùdāng"


@settings(max_examples=150, deadline=None, database=None)
@given(text=st.text(alphabet=_FUZZ_ALPHABET, max_size=80))
def test_strip_never_crashes_and_only_removes(text: str) -> None:
    decision = pinyin_decision(text, known_chars=frozenset("網學區聯擔撥規數當"))
    out, stats = strip_pinyin(text, decision)
    assert stats.removed >= 0
    if not stats.islands_repaired and "\ufffd" not in out:
        # Without byte-level repair, stripping only deletes annotations.
        assert len(out) <= len(text)
