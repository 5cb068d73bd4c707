"""``CharSet`` built from chars and from streamed runs: the same set, the same matches."""

from __future__ import annotations

import random

from campusnews.normalize._tables import CharSet, increasing_runs


def _random_chars(rng: random.Random) -> str:
    picks = []
    for _ in range(rng.randint(1, 80)):
        lo, hi = rng.choice([(0x20, 0x7E), (0x4E00, 0x4E40), (0xFFF0, 0x10010), (0x20000, 0x20040)])
        picks.append(chr(rng.randint(lo, hi)))
    return "".join(picks)


def test_runs_and_chars_give_the_same_set() -> None:
    rng = random.Random(7)
    for _ in range(300):
        chars = _random_chars(rng)
        by_chars = CharSet(chars)
        by_runs = CharSet.from_runs(increasing_runs(sorted({ord(c) for c in chars})))
        for _ in range(5):
            text = _random_chars(rng)
            expected = sorted(c for c in text if c in set(chars))
            assert sorted(by_chars.findall(text)) == expected
            assert sorted(by_runs.findall(text)) == expected
            assert by_runs.occurs_in(text) == bool(expected)


def test_a_run_across_the_end_of_the_bmp_is_split() -> None:
    charset = CharSet.from_runs(increasing_runs(range(0xFFFE, 0x10002)))
    assert charset.findall("\ufffe\uffff\U00010000\U00010001\U00010002") == [
        "\ufffe", "\uffff", "\U00010000", "\U00010001",
    ]  # fmt: skip
    assert increasing_runs([1, 2, 3, 7, 9, 10]) == [(1, 3), (7, 7), (9, 10)]
