"""Traditional vs Simplified: detect the script of a text and convert Traditional to Simplified.

Detection counts characters that occur only in Traditional text against characters that occur
only in Simplified text (tables derived from OpenCC's dictionaries, see ``_tables.script_sets``).
Script-neutral text (``通知公告``) gets no answer, and converting it would be a no-op anyway.

Conversion uses the official OpenCC binding with the config chain ``hk2t`` → ``tw2s``: ``hk2t``
folds Hong Kong variants (衞, 綫) to standard forms, ``tw2s`` converts script only (no lexical
localisation such as 網路→网络, which would falsify an archive). Run it only on text detected as
Traditional: every converter damages some Simplified input (於梨华 → 于梨华, 徵 → 征).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Literal

from campusnews.normalize._tables import CharSet, script_sets

if TYPE_CHECKING:
    import opencc

# tw2s over-applies its Taiwanese 著→着 to 土著 ("indigenous"), which keeps 著 in mainland text.
_POST_FIXES = (("土着", "土著"),)
_CONVERTER_CHAIN = ("hk2t", "tw2s")


def script_counts(text: str) -> tuple[int, int]:
    """``(traditional_only, simplified_only)`` character counts of ``text``.

    >>> script_counts("山東大學威海校區")
    (3, 0)
    >>> script_counts("山东大学威海校区")
    (0, 3)
    """
    trad_only, simp_only = _script_chars()
    return trad_only.count(text), simp_only.count(text)


@cache
def _script_chars() -> tuple[CharSet, CharSet]:
    # One regex scan each (in C), not a Python loop over the text's chars.
    trad_only, simp_only = script_sets()
    return CharSet(trad_only), CharSet(simp_only)


def detect_script(text: str) -> Literal["hans", "hant"] | None:
    """``"hant"`` if Traditional-only chars outnumber Simplified-only ones, ``"hans"`` if the
    reverse, ``None`` when neither does (script-neutral or balanced text: leave it as is).

    Decide once per page on the body (plus title), then apply the answer to every field.

    >>> detect_script("學校網站"), detect_script("学校网站"), detect_script("通知公告")
    ('hant', 'hans', None)
    """
    trad_only, simp_only = _script_chars()
    trad = trad_only.count(text)
    if not trad:
        # no Traditional-only char: Simplified as soon as there is one Simplified-only char
        # (found by a search that stops there, not a count of them all)
        return "hans" if simp_only.occurs_in(text) else None
    simp = simp_only.count(text)
    if trad > simp:
        return "hant"
    if simp > trad:
        return "hans"
    return None


@cache
def _converters() -> tuple[opencc.OpenCC, ...]:
    # Created once per process: loading the dictionaries costs a few milliseconds.
    import opencc

    return tuple(opencc.OpenCC(config) for config in _CONVERTER_CHAIN)


def to_simplified(text: str) -> str:
    """Convert Traditional (Taiwan, Hong Kong or OpenCC-standard) text to mainland Simplified.

    Script only, phrase-aware; call it only on text :func:`detect_script` calls ``"hant"``.

    >>> to_simplified("他看著我,接著說別著急")
    '他看着我,接着说别着急'
    >>> to_simplified("澳洲土著的著作權,衞生")
    '澳洲土著的著作权,卫生'
    """
    for converter in _converters():
        text = converter.convert(text)
    for wrong, right in _POST_FIXES:
        text = text.replace(wrong, right)
    return text
