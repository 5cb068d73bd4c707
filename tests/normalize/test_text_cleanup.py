"""Whitespace and Unicode cleanup, and search keys."""

from __future__ import annotations

import pytest

from campusnews.normalize import clean_text, nfkc_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  山东大学  ", "山东大学"),
        ("山东\u00a0大学", "山东 大学"),  # &nbsp;
        ("\u3000\u3000本报讯 记者", "本报讯 记者"),  # ideographic indent
        ("a\u2002b\u2003c\u2009d\u200ae", "a b c d e"),  # en/em/thin/hair spaces
        ("通知\u200b公告\u200c\u200d\ufeff", "通知公告"),  # zero-width chars vanish
        ("第一段\n\n\t第二段\r\n", "第一段 第二段"),
        ("标题\x00\x07", "标题"),  # control chars
        ("（记者 张三）：2020年，", "（记者 张三）：2020年，"),  # full-width punctuation kept
        ("\uf9d1\u5b78", "六學"),  # NFC folds the compatibility ideograph U+F9D1 to 六
        ("", ""),
        (" \u00a0\u3000\u200b ", ""),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("（记者　张三）ＳＤＵ", "(记者 张三)sdu"),
        ("２０２０年", "2020年"),
        ("Ｎｅｗｓ\u200b  Center", "news center"),
    ],
)
def test_nfkc_key(raw: str, expected: str) -> None:
    assert nfkc_key(raw) == expected


def test_clean_text_is_idempotent() -> None:
    text = "\u3000山东\u00a0大学\u200b（威海）  新闻网\n"
    assert clean_text(clean_text(text)) == clean_text(text)
