"""The decoding policy: §5.5 byte vectors, the 17 page cases of §1.7, robustness cases of §1.8."""

from __future__ import annotations

import difflib

import pytest

from campusnews.exceptions import DecodeError
from campusnews.normalize import declared_charset, decode_page
from tests.normalize.normalize_vectors import PAGE_CASES, page

# (case id) -> (encoding, source, contradicted_declared) expected for the §1.7 page cases.
PAGE_OUTCOMES = {
    "utf8 meta=utf-8": ("utf-8", "declared", False),
    "utf8 no-decl": ("utf-8", "utf8-valid", False),
    "utf8+BOM no-decl": ("utf-8", "bom", False),
    "utf8+BOM meta=gb2312 (BOM wins)": ("utf-8", "bom", True),
    "gb2312 meta=gb2312": ("gb18030", "declared", False),
    "gbk-only meta=gb2312": ("gb18030", "declared", False),
    "gbk trad meta=gbk": ("gb18030", "declared", False),
    "gb2312 no-decl": ("gb18030", "detected", False),
    "gbk trad no-decl": ("gb18030", "detected", False),
    "big5 meta=big5": ("big5hkscs", "declared", False),
    "big5 no-decl": ("big5hkscs", "detected", False),
    "gbk body, meta=utf-8 (wrong)": ("gb18030", "detected", True),
    "utf8 body, meta=gb2312 (wrong)": ("utf-8", "utf8-valid", True),
    "big5 body, meta=gb2312 (wrong)": ("big5hkscs", "detected", True),
    "gbk body, header iso-8859-1 (wrong)": ("gb18030", "detected", True),
    "utf8 body, header gbk (wrong), meta utf-8": ("utf-8", "utf8-valid", True),
    "gbk body, header utf-8 (wrong)": ("gb18030", "detected", True),
}

JAPANESE = (
    "東京大学の研究チームは、新しい材料の開発に成功したと発表しました。今後の応用が期待されます。"
)
KOREAN = (
    "서울대학교 연구팀은 새로운 소재 개발에 성공했다고 발표했습니다. 앞으로의 응용이 기대됩니다."
)
LATIN = "Grüße aus München: Die Universität lädt zur Feier ein. Café, Résumé, naïve Façade, Øre. "
RUSSIAN = "Московский государственный университет объявил о начале приёма документов. "


def _differing_chars(a: str, b: str) -> int:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return max(len(a), len(b)) - sum(block.size for block in matcher.get_matching_blocks())


@pytest.mark.parametrize(
    ("case_id", "text_key", "codec", "meta", "content_type"),
    [pytest.param(*case, id=case[0]) for case in PAGE_CASES],
)
def test_page_case(
    page_texts: dict[str, str],
    case_id: str,
    text_key: str,
    codec: str,
    meta: str | None,
    content_type: str | None,
) -> None:
    html = page(page_texts[text_key], meta)
    text, info = decode_page(html.encode(codec), content_type)
    assert text == html
    encoding, source, contradicted = PAGE_OUTCOMES[case_id]
    assert (info.encoding, info.source, info.contradicted_declared) == (
        encoding,
        source,
        contradicted,
    )
    assert (info.errors, info.error_rate, info.suspect) == (0, 0.0, False)


@pytest.mark.parametrize(
    ("codec", "meta", "max_diff"),
    [("gbk", "gbk", 2), ("utf-8", "utf-8", 2), ("gbk", None, 15), ("utf-8", None, 2)],
    ids=["gbk-meta", "utf8-meta", "gbk-no-decl", "utf8-no-decl"],
)
def test_one_corrupted_byte(
    page_texts: dict[str, str], codec: str, meta: str | None, max_diff: int
) -> None:
    html = page(page_texts["SIMP"], meta)
    body = html.encode(codec)
    body = body[:3000] + b"\xff" + body[3001:]
    text, info = decode_page(body)
    assert info.encoding == ("gb18030" if codec == "gbk" else "utf-8")
    assert info.errors == 2
    assert 0 < info.error_rate <= 0.005
    assert not info.suspect
    assert _differing_chars(text, html) <= max_diff


@pytest.mark.parametrize(
    ("text", "codec", "meta", "content_type", "encoding"),
    [
        (LATIN, "latin-1", "iso-8859-1", None, "cp1252"),
        (LATIN, "latin-1", None, "text/html; charset=ISO-8859-1", "cp1252"),
        (JAPANESE, "shift_jis", "shift_jis", None, "cp932"),
        (JAPANESE * 3, "shift_jis", None, None, "cp932"),
        (KOREAN, "euc_kr", "euc-kr", None, "cp949"),
        (KOREAN * 3, "euc_kr", None, None, "cp949"),
        ("Campus news, plain ASCII only.", "ascii", "gb2312", None, "gb18030"),
    ],
    ids=["latin1-meta", "latin1-header", "sjis-meta", "sjis-no-decl", "euckr-meta",
         "euckr-no-decl", "ascii-meta-gb2312"],
)  # fmt: skip
def test_other_encodings(
    text: str, codec: str, meta: str | None, content_type: str | None, encoding: str
) -> None:
    html = page(text, meta)
    decoded, info = decode_page(html.encode(codec), content_type)
    assert decoded == html
    assert info.encoding == encoding
    assert info.errors == 0


@pytest.mark.parametrize(
    ("text", "codec"), [(LATIN * 3, "latin-1"), (RUSSIAN * 3, "cp1251")], ids=["latin1", "cp1251"]
)
def test_undeclared_single_byte_page(text: str, codec: str) -> None:
    # The detector names a single-byte codec (which one varies: iso8859-9/-15 and cp1252
    # all read this text the same); no multi-byte candidate reads the body even as damaged.
    html = page(text, None)
    decoded, info = decode_page(html.encode(codec))
    assert decoded == html
    assert (info.source, info.errors, info.suspect) == ("detected", 0, False)


# §5.5 small vectors: (hex bytes, content type, expected text, expected encoding)
@pytest.mark.parametrize(
    ("hex_bytes", "content_type", "expected", "encoding"),
    [
        ("d6ece946bbf9", "text/html; charset=gb2312", "朱镕基", "gb18030"),
        ("a473aa46a46abec7", None, "山東大學", "big5hkscs"),
        ("a473aa46a46abec7", "text/html; charset=gb2312", "山東大學", "big5hkscs"),
        ("c9bd967cb4f38c57", None, "山東大學", "gb18030"),
        ("e5b1b1e4b89ce5a4a7e5ada6e5a881e6b5b7e6a0a1e58cba", "text/html; charset=gb2312",
         "山东大学威海校区", "utf-8"),
        ("efbbbfe5b1b1e4b89ce5a4a7e5ada6", "text/html; charset=gb2312", "山东大学", "utf-8"),
        ("d2bbd0a9", "text/html; charset=gb2312", "一些", "gb18030"),
        ("9439fc36", "text/html; charset=gbk", "😀", "gb18030"),
    ],
    ids=["gbk-only-name", "big5-undeclared", "big5-declared-gb2312", "gbk-trad-undeclared",
         "utf8-declared-gb2312", "bom-wins", "short-gb-declared", "gb18030-four-byte"],
)  # fmt: skip
def test_byte_vector(
    hex_bytes: str, content_type: str | None, expected: str, encoding: str
) -> None:
    text, info = decode_page(bytes.fromhex(hex_bytes), content_type)
    assert (text, info.encoding) == (expected, encoding)


def test_short_ambiguous_vector_without_declaration() -> None:
    # d2bb d0a9 is GB2312 一些 and also valid UTF-8 һЩ: four bytes cannot tell them apart
    # (§5.5 "needs the declaration or more text"); valid UTF-8 is kept.
    assert decode_page(bytes.fromhex("d2bbd0a9"))[0] == "һЩ"


def test_hint_is_used_like_a_declaration() -> None:
    body = "<p>山东大学威海校区新闻网</p>".encode("gbk")
    text, info = decode_page(body, hint="gbk")
    assert (text, info.encoding, info.source, info.declared) == (
        "<p>山东大学威海校区新闻网</p>",
        "gb18030",
        "hint",
        None,
    )


def test_wrong_hint_is_overridden() -> None:
    body = "<p>山东大学威海校区新闻网</p>".encode()
    text, info = decode_page(body, hint="big5")
    assert (text, info.encoding, info.source) == (
        "<p>山东大学威海校区新闻网</p>",
        "utf-8",
        "utf8-valid",
    )


@pytest.mark.parametrize("codec", ["utf-8", "gbk", "big5"])
def test_truncated_multibyte_tail_is_not_an_error(codec: str) -> None:
    html = page("山東大學威海校區新聞網，學術動態與通知公告。" * 5, codec)
    body = html.encode(codec)[:-30]  # cut inside the text, mid-char for some cut points
    for cut in range(4):
        text, info = decode_page(body[: len(body) - cut])
        assert info.errors == 0, cut
        assert html.startswith(text)


def test_literal_replacement_char_is_not_an_error() -> None:
    text, info = decode_page(
        "<p>勇擔使\ufffd,致敬山東大學威海校區</p>".encode(), "text/html; charset=utf-8"
    )
    assert "\ufffd" in text
    assert info.errors == 0


def test_utf16_with_and_without_bom() -> None:
    html = page("山东大学威海校区", None)
    assert decode_page(html.encode("utf-16"))[0] == html
    text, info = decode_page(html.encode("utf-16-le"))
    assert (text, info.encoding) == (html, "utf-16-le")


def test_garbled_page_is_suspect(page_texts: dict[str, str]) -> None:
    body = bytearray(page(page_texts["SIMP"], "gbk").encode("gbk"))
    for i in range(600, len(body), 97):  # about 1 % of the bytes destroyed
        body[i] = 0xFF
    _, info = decode_page(bytes(body))
    assert (info.encoding, info.suspect) == ("gb18030", True)
    assert info.error_rate > 0.005


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "binary body"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary body"),
        (b"\x1f\x8b\x08\x00" + bytes(range(256)), "binary body"),
        (b"<html>" + b"\x00\x01\x02\x03" * 100, "binary body"),
        (bytes(range(256)) * 8, "binary body"),
    ],
    ids=["empty", "png", "pdf", "gzip", "nuls", "all-bytes"],
)
def test_binary_raises(body: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        decode_page(body)


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'<meta charset="gb2312">', None, "gb2312"),
        (b"<meta charset=GBK>", None, "gbk"),
        (b'<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=big5">', None, "big5"),
        (b'<?xml version="1.0" encoding="GB18030"?><html>', None, "gb18030"),
        (b'<meta charset="utf-8">', "text/html; charset=GBK", "gbk"),
        (b'<meta charset="utf-8">', "text/html", "utf-8"),
        (b'<meta charset="x-gbk">', None, "x-gbk"),
        (b'<meta charset="bogus"><meta charset="gbk">', None, "gbk"),
        (b'<meta charset="base64">', None, None),
        (b" " * 7000 + b'<meta charset="gbk">', None, None),
        (b"<p>charset=gbk</p>", None, None),
        (b"", "text/html; charset=\x00gbk", None),
        (b"", "text/html; charset=" + "x" * 500, None),
    ],
)
def test_declared_charset(body: bytes, content_type: str | None, expected: str | None) -> None:
    assert declared_charset(body, content_type) == expected
