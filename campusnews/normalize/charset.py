"""Charset labels and what the first bytes of a body say: declarations, BOMs, binary formats.

The label side of the decoding policy (:mod:`campusnews.normalize.decode`): reading a declared
charset from the HTTP header or the page, mapping labels to the Python codec real pages need
(gb2312/gbk → gb18030, big5 → big5hkscs, iso-8859-1 → cp1252, as browsers do), and telling
text from binary bodies before anything is decoded.
"""

from __future__ import annotations

import codecs
import re
from functools import cache, lru_cache

from campusnews.exceptions import DecodeError

UTF8 = "utf-8"
GB18030 = "gb18030"
BIG5HKSCS = "big5hkscs"

# How far into the body a <meta> declaration is looked for (browsers use 1 KB; CMS pages often
# put scripts and styles first).
META_SNIFF_BYTES = 6144
# How much of the body the binary sniffer looks at.
BINARY_SNIFF_BYTES = 4096
# UTF-32 before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, UTF8),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# File signatures of formats that are never HTML.
_BINARY_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"%PDF-",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",  # JPEG
    b"PK\x03\x04",  # zip, docx, xlsx
    b"\x1f\x8b",  # gzip
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE: doc, xls
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\xfd7zXZ\x00",
    b"(\xb5/\xfd",  # zstd
    b"BZh91AY&SY",
    b"OggS",
    b"ID3",
    b"fLaC",
    b"wOFF",
    b"wOF2",
    b"\x00asm",
    b"\x7fELF",
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"\x00\x00\x01\x00",  # ICO
)
# Bytes that never occur in text: C0 controls other than \t \n \f \r and ESC (ISO-2022).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_NUL = b"\x00"
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
# charset=... inside an HTTP Content-Type value.
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^\s;"']+)""", re.IGNORECASE)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">.
_META_CHARSET = re.compile(
    rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)""", re.IGNORECASE
)
# <?xml version="1.0" encoding="x"?> at the very start.
_XML_ENCODING = re.compile(rb"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:+-]+)""")

# Labels that name a subset of a wider codec real pages actually use (WHATWG does the same).
_WIDER = {
    "gb2312": GB18030,
    "gbk": GB18030,
    "gb18030": GB18030,
    "big5": BIG5HKSCS,
    "cp950": BIG5HKSCS,
    "big5hkscs": BIG5HKSCS,
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "cp1252": "cp1252",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    # A <meta> naming UTF-16/32 without a BOM is a lie (the prescan could read it as ASCII).
    "utf-16": UTF8,
    "utf-16-le": UTF8,
    "utf-16-be": UTF8,
    "utf-32": UTF8,
    "utf-32-le": UTF8,
    "utf-32-be": UTF8,
}
# Labels Python does not know (or knows under another name).
_ALIASES = {"x-gbk": "gbk", "windows-936": "gbk", "x-x-big5": "big5", "x-euc-jp": "euc_jp"}
# Real labels are short ("windows-1252"); anything longer is junk from a hostile page.
_MAX_LABEL_LENGTH = 40
# Python text codecs that must never decode a web page.
_FORBIDDEN_CODECS = frozenset(
    {"utf-7", "unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined", "mbcs"}
)


@lru_cache(maxsize=256)  # a handful of labels, looked up several times per page
def codec_for(label: str | None) -> str | None:
    """Python codec name for a charset label, widened; ``None`` for unknown or unusable labels.

    >>> codec_for("GB2312"), codec_for("x-gbk"), codec_for("BIG5"), codec_for("bogus")
    ('gb18030', 'gb18030', 'big5hkscs', None)
    """
    if not label or len(label) > _MAX_LABEL_LENGTH:
        return None
    key = label.strip().strip("\"'").lower()
    key = _ALIASES.get(key, key)
    try:
        info = codecs.lookup(key)
    except (LookupError, ValueError):  # ValueError: a NUL in the label
        return None
    # Bytes-to-bytes codecs (base64, zlib, rot13...) are not text encodings.
    if not getattr(info, "_is_text_encoding", True) or info.name in _FORBIDDEN_CODECS:
        return None
    return _WIDER.get(info.name, info.name)


@cache
def is_single_byte(codec: str) -> bool:
    """True for codecs that map every byte to one char: they never fail, so they rank last."""
    if codec.startswith(("utf", "iso2022")):
        return False
    high = bytes(range(0x80, 0x100))
    return len(high.decode(codec, errors="replace")) == len(high)


def declared_charset(body: bytes, content_type: str | None = None) -> str | None:
    """The charset label the server or the page declares, lower-cased, or ``None``.

    The HTTP ``Content-Type`` header wins over the page (as in browsers); in the page, a
    ``<meta charset>`` or ``http-equiv`` declaration in the first 6 KB, or an XML declaration.
    Labels Python cannot decode with are skipped. The label is returned as declared, not widened.

    >>> declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">')
    'gb2312'
    >>> declared_charset(b'<meta charset="utf-8">', "text/html; charset=GBK")
    'gbk'
    >>> declared_charset(b"<p>no declaration</p>", "text/html") is None
    True
    """
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        if match and codec_for(match.group(1)):
            return match.group(1).strip().lower()
    head = body[:META_SNIFF_BYTES]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        for match in pattern.finditer(head):
            label = match.group(1).decode("ascii").lower()
            if codec_for(label):
                return label
    return None


def sniff_bom(body: bytes) -> tuple[str, int] | None:
    """``(codec, BOM length)`` when the body starts with a byte-order mark, else ``None``.

    >>> sniff_bom(b"\\xef\\xbb\\xbf<html>"), sniff_bom(b"<html>")
    (('utf-8', 3), None)
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, len(bom)
    return None


def check_binary(body: bytes) -> str | None:
    """Raise :class:`DecodeError` for binary bodies; return ``"utf-16-le"``/``"utf-16-be"``
    for BOM-less UTF-16 (NULs in every other byte), else ``None``."""
    if body.startswith(_BINARY_MAGIC):  # one call for all (the loop only names the format)
        for magic in _BINARY_MAGIC:
            if body.startswith(magic):
                raise DecodeError(f"binary body (starts with {magic[:8]!r}), not a text page")
    if body[4:8] == b"ftyp":
        raise DecodeError("binary body (ISO media file), not a text page")
    sample = body[:BINARY_SNIFF_BYTES]
    nuls = sample.count(_NUL)
    if nuls * 20 > len(sample):
        odd = sample[1::2].count(_NUL)
        for codec, share in (("utf-16-le", odd), ("utf-16-be", nuls - odd)):
            if share >= 0.95 * nuls:
                try:
                    text = body[: len(body) // 2 * 2].decode(codec)
                except UnicodeDecodeError:
                    continue
                if len(_CONTROL_CHARS.findall(text)) * 100 <= len(text):
                    return codec
        raise DecodeError(f"binary body ({nuls} NUL bytes in the first {len(sample)})")
    # bytes.translate deletes in one C loop, several times faster than a regex scan
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls * 20 > len(sample):
        raise DecodeError(f"binary body ({controls} control bytes in the first {len(sample)})")
    return None
