"""Whitespace and Unicode cleanup of extracted text, and keys for search and deduplication.

Archived text is NFC only: NFC folds CJK compatibility ideographs (U+F900–FAFF) into the unified
ones but keeps full-width punctuation (，。：（）), which is part of the published text. NFKC
(full-width → ASCII, ligatures unfolded) is used only for :func:`nfkc_key`.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters CMSs and editors leave in text: zero-width space/non-joiner/joiner, word
# joiner, BOM (removed rather than turned into a space, so 通知\u200b公告 stays one word), and
# C0 controls that are not whitespace (NUL, BEL, ESC, ...) and DEL.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\x00-\x08\x0e-\x1b\x7f]")


def clean_text(text: str) -> str:
    """NFC, drop zero-width and control characters, collapse whitespace runs to one space, trim.

    For one line or paragraph: newlines collapse too.

    >>> clean_text("\\u3000\\u3000山东大学\\u00a0\\u00a0新闻网\\u200b\\n")
    '山东大学 新闻网'
    >>> clean_text("通知\\u200b公告，（2020）")
    '通知公告，（2020）'
    """
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    # Every char _INVISIBLE removes is non-printable (Cc or Cf): printable text skips the scan.
    if not text.isprintable():
        text = _INVISIBLE.sub("", text)
    # Whitespace runs (no-break space, U+3000, U+2000–U+200A, line/paragraph separators, NEL
    # included) become one space, ends trimmed: str.split() splits on exactly the chars a
    # regex \s matches (str.isspace), several times faster than a substitution and strip().
    return " ".join(text.split())


def nfkc_key(text: str) -> str:
    """A key for search and deduplication: NFKC, case-folded, whitespace collapsed.

    Never store it as the text itself: NFKC rewrites full-width punctuation.

    >>> nfkc_key("（记者　张三）ＳＤＵ  News")
    '(记者 张三)sdu news'
    """
    return clean_text(unicodedata.normalize("NFKC", text)).casefold()
