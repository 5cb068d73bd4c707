"""Pure normalization: bytes → text, mirror pinyin annotations, script detection and conversion.

Pipeline order (``shared/research/normalization.md`` §3): :func:`decode_page` → NFC /
:func:`clean_text` → extraction → :func:`pinyin_decision` on the body and :func:`strip_pinyin`
on every field → :func:`detect_script` on the stripped body (+ title) → :func:`to_simplified`
only when it says ``"hant"``. Strip before converting: the gate needs the Traditional forms.
"""

from campusnews.normalize.decode import declared_charset, decode_page
from campusnews.normalize.info import DecodeInfo
from campusnews.normalize.pinyin import PinyinDecision, PinyinStats, pinyin_decision, strip_pinyin
from campusnews.normalize.script import detect_script, to_simplified
from campusnews.normalize.text import clean_text, nfkc_key

__all__ = [
    "DecodeInfo",
    "PinyinDecision",
    "PinyinStats",
    "clean_text",
    "declared_charset",
    "decode_page",
    "detect_script",
    "nfkc_key",
    "pinyin_decision",
    "strip_pinyin",
    "to_simplified",
]
