"""Remove the pinyin annotations a mirror's converter inserts after Traditional chars: 網(wǎng)站.

The artifact (``shared/research/normalization.md`` §2.1) is a byte-level, context-free global
replace on GBK text: every occurrence of a fixed set of Traditional chars gets ``(one toned
syllable)`` appended, with pypinyin's default reading. Legitimate parentheses
(``山东大学(SDU)``, ``法學院(威海)``, ``(記者 張三)``) and real pinyin glosses look similar one by
one, so the decision is taken per page by a gate on the whole body text
(:func:`pinyin_decision`), and only tokens on the chars that passed the gate are removed
(:func:`strip_pinyin`).

Because the replace ignores char boundaries it also hits a pair formed by the trail byte of one
char and the lead byte of the next; the decoder then turns ``<lead byte>(`` into ``?``, leaving
an island such as ``勇?lián)`` followed by misaligned chars. Islands are repaired by re-encoding
the line to GB18030, restoring the lost byte and decoding again.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from campusnews.normalize._tables import common_han, is_han

# Gate thresholds (§2.1 table). Every criterion must hold for the gate to fire.
MIN_TOKENS = 3
MIN_DISTINCT_CHARS = 2
MIN_TRAD_RATIO = 0.9  # annotated chars that are Traditional-only
MIN_CONSISTENCY = 0.8  # occurrences of annotated chars that carry the annotation
MAX_MULTI_READING_CHARS = 0  # chars annotated with more than one reading (polyphone lists)
MIN_DEFAULT_RATIO = 0.8  # tokens using pypinyin's default reading
MIN_NEIGHBOUR_RATIO = 0.5  # tokens with a Han char right before or after (running text)

# Letters of a toned pinyin syllable as the annotator writes them (NFC, lower case).
_SYLLABLE = "[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}"
_HAN_CLASS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]"
_SYLLABLE_RE = re.compile(_SYLLABLE)
# A Han char followed by one syllable in ASCII or full-width parentheses: 網(wǎng), 網（wǎng）.
# The match starts at the parenthesis and the Han char is read by a lookbehind: ``re`` then
# skips to the next "(" or "（" instead of testing the Han class at every position (a token
# starts one char before its match). Tokens end in ")", so none can host the next one: the
# same tokens as ``(Han)[(（]…`` would find.
_HAN_TOKEN = re.compile(f"[(（](?<=({_HAN_CLASS})[(（])({_SYLLABLE})[)）]")
# An island: the decoder turned ``<lead byte>(`` into ``?``, leaving ``?lián)``.
_ISLAND = re.compile(rf"\?({_SYLLABLE})\)")
# In a line being repaired at byte level: an island, or any parenthesised syllable.
_ISLAND_OR_ANNOTATION = re.compile(rf"\?({_SYLLABLE})\)|[(（]({_SYLLABLE})[)）]")

_GBK = "gbk"
_GB18030 = "gb18030"
_QUESTION_MARK = 0x3F
_ERROR_HANDLER = "campusnews-pinyin-island"


@dataclass(frozen=True, slots=True)
class PinyinDecision:
    """The page-level verdict: which chars carry machine annotations, and why (not)."""

    chars: frozenset[str]
    fired: bool
    tokens: int
    reason: str
    trad_ratio: float = 0.0
    consistency: float = 0.0
    multi_reading_chars: int = 0
    default_ratio: float = 0.0
    neighbour_ratio: float = 0.0


@dataclass(frozen=True, slots=True)
class PinyinStats:
    """What :func:`strip_pinyin` did to one text."""

    removed: int = 0  # annotations dropped, islands included
    islands_repaired: int = 0
    islands_failed: int = 0  # ``?py)`` left as is: no char fits the bytes
    chars: int = 0  # distinct chars whose annotations were dropped
    unknown_bytes: int = 0  # bytes the repair could not know, each now one U+FFFD


NOT_FIRED = PinyinDecision(frozenset(), False, 0, "no annotation tokens")


@cache
def readings(ch: str) -> tuple[str, ...]:
    """pypinyin's toned readings of one Han char, the default reading first.

    >>> readings("長")
    ('zhǎng', 'cháng', 'zhàng')
    """
    if len(ch) != 1 or not is_han(ch):
        return ()
    value = _pinyin_table().get(ord(ch))
    return tuple(value.split(",")) if value else ()


@cache
def _pinyin_table() -> dict[int, str]:
    """pypinyin's per-char table: code point → ``"default,other,..."`` toned readings.

    The same readings (and default) as ``pypinyin.pinyin(ch, heteronym=True)`` for every char,
    without the per-call overhead. Imported on first use: pypinyin takes ~0.7 s to load.
    """
    from pypinyin.pinyin_dict import pinyin_dict

    return pinyin_dict


@cache
def _syllables() -> frozenset[str]:
    """Every toned syllable pypinyin knows (about 1,500)."""
    return frozenset(r for value in _pinyin_table().values() for r in value.split(","))


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@cache
def is_traditional_only(ch: str) -> bool:
    """True when OpenCC t2s changes the char: it would not appear in Simplified text.

    >>> is_traditional_only("網"), is_traditional_only("网"), is_traditional_only("山")
    (True, False, False)
    """
    return _t2s().convert(ch) != ch


# A token: (host char, syllable, start, end, the syllable is the char's default reading).
_Token = tuple[str, str, int, int, bool]


def _tokens(text: str) -> list[_Token]:
    """Han char + ``(syllable)`` where the syllable is one of pypinyin's readings of the char,
    each read once (the gate needs all five facts of every token)."""
    out: list[_Token] = []
    for m in _HAN_TOKEN.finditer(text):
        host, syllable = m.groups()
        own = readings(host)
        if syllable in own:
            # the match starts at the parenthesis: the token at the host char before it
            out.append((host, syllable, m.start() - 1, m.end(), syllable == own[0]))
    return out


def pinyin_decision(text: str, known_chars: frozenset[str] | None = None) -> PinyinDecision:
    """Decide on a page's body text whether it carries the annotation artifact, and on which chars.

    ``known_chars`` is an earlier decision's ``chars`` (the page body's, for its title and
    metadata; or a host's, for its short pages): those chars are stripped whatever this text
    alone would say, since a title rarely has the three tokens the gate needs.

    >>> pinyin_decision("網(wǎng)站地圖 學(xué)校 區(qū)域").fired
    True
    >>> pinyin_decision("常見破音字:長(cháng)短、長(zhǎng)大;快樂(lè)、音樂(yuè)").reason
    'chars with several readings: 2'
    """
    tokens = _tokens(text)
    own = _gate(text, tokens)
    if not known_chars:
        return own
    chars = known_chars | own.chars if own.fired else frozenset(known_chars)
    count = sum(1 for token in tokens if token[0] in chars)
    return PinyinDecision(chars, True, count, f"known chars ({len(chars)})")


def _gate(text: str, tokens: list[_Token]) -> PinyinDecision:
    """Apply the §2.1 criteria to the page's tokens; all must hold for the gate to fire."""
    if not tokens:
        return NOT_FIRED
    n = len(tokens)
    # One pass over the tokens. A Han char right before or after the token; a directly
    # preceding token counts as its (Han) host char, as in 統(tǒng)領(lǐng), (tokens do not
    # overlap, so only the previous token can end where this one starts).
    per_char: dict[str, set[str]] = {}  # host char -> the syllables written after it
    defaults = neighbours = 0
    size = len(text)
    previous_end = -1
    for host, syllable, start, end, default in tokens:
        used = per_char.get(host)
        if used is None:
            per_char[host] = {syllable}
        else:
            used.add(syllable)
        if default:
            defaults += 1
        if (
            start == previous_end
            or (start > 0 and is_han(text[start - 1]))
            or (end < size and is_han(text[end]))
        ):
            neighbours += 1
        previous_end = end
    trad = frozenset(ch for ch in per_char if is_traditional_only(ch))
    trad_ratio = len(trad) / len(per_char)
    consistency = n / sum(text.count(ch) for ch in per_char)
    multi = sum(1 for used in per_char.values() if len(used) > 1)
    default_ratio = defaults / n
    neighbour_ratio = neighbours / n
    checks = (
        (n >= MIN_TOKENS and len(per_char) >= MIN_DISTINCT_CHARS, f"too few: {n} tokens"),
        (trad_ratio >= MIN_TRAD_RATIO, "annotated chars not Traditional-only"),
        (consistency >= MIN_CONSISTENCY, "annotated chars often left bare"),
        (multi <= MAX_MULTI_READING_CHARS, f"chars with several readings: {multi}"),
        (default_ratio >= MIN_DEFAULT_RATIO, "readings follow context"),
        (neighbour_ratio >= MIN_NEIGHBOUR_RATIO, "glosses outside running text"),
    )
    failed = [reason for ok, reason in checks if not ok]
    return PinyinDecision(
        chars=frozenset() if failed else trad,
        fired=not failed,
        tokens=n,
        reason=failed[0] if failed else f"annotator signature: {n} tokens on {len(per_char)} chars",
        trad_ratio=trad_ratio,
        consistency=consistency,
        multi_reading_chars=multi,
        default_ratio=default_ratio,
        neighbour_ratio=neighbour_ratio,
    )


def strip_pinyin(text: str, decision: PinyinDecision) -> tuple[str, PinyinStats]:
    """Remove the annotations on ``decision.chars`` and repair islands; other text is untouched.

    >>> page = "威海校區(qū)黨工委,學(xué)校網(wǎng)站,法學(xué)院(威海)"
    >>> strip_pinyin(page, pinyin_decision(page))
    ('威海校區黨工委,學校網站,法學院(威海)', PinyinStats(removed=4, islands_repaired=0, \
islands_failed=0, chars=3, unknown_bytes=0))
    """
    if not decision.fired or not decision.chars:
        return text, PinyinStats()
    totals = _Totals()
    chars = decision.chars
    if "?" not in text:
        return _strip_line(text, chars, totals), _stats(totals)
    # Lines holding an island are repaired one by one; the runs of lines between them are
    # stripped in one call each. Neither pattern can span a newline, so this is what
    # stripping line by line gives.
    out: list[str] = []
    done = 0  # text[:done] is handled
    for island in _ISLAND.finditer(text):
        start = text.rfind("\n", 0, island.start()) + 1
        if start < done:
            continue  # a second island on a line already repaired
        end = text.find("\n", island.end())
        end = len(text) if end < 0 else end
        out.append(_strip_line(text[done:start], chars, totals))
        out.append(_repair_line(text[start:end], chars, totals))
        done = end
    out.append(_strip_line(text[done:], chars, totals))
    return "".join(out), _stats(totals)


def _stats(totals: _Totals) -> PinyinStats:
    return PinyinStats(
        removed=totals.removed,
        islands_repaired=totals.islands_repaired,
        islands_failed=totals.islands_failed,
        chars=len(totals.chars),
        unknown_bytes=totals.unknown_bytes,
    )


class _Totals:
    def __init__(self) -> None:
        self.removed = 0
        self.islands_repaired = 0
        self.islands_failed = 0
        self.unknown_bytes = 0
        self.chars: set[str] = set()


def _strip_line(line: str, chars: frozenset[str], totals: _Totals) -> str:
    tokens = _annotations_of(chars)
    if tokens is None:
        return line
    # [text, host, text, host, ..., text]: the annotations dropped (each text still ends in
    # the host char, which the lookbehind read without consuming it)
    parts = tokens.split(line)
    if len(parts) == 1:
        return line
    hosts = parts[1::2]
    totals.removed += len(hosts)
    totals.chars.update(hosts)
    return "".join(parts[0::2])


@lru_cache(maxsize=64)
def _annotations_of(chars: frozenset[str]) -> re.Pattern[str] | None:
    """A regex for exactly the tokens :func:`strip_pinyin` drops: a char of ``chars`` with one
    of its own readings in parentheses. The match starts at the parenthesis (``re`` skips to
    the next one) and a lookbehind captures the char before it. Then one branch per (char,
    reading): the reading, and a lookbehind that checks the char it belongs to. A branch that
    starts with a literal is skipped by ``re`` on its first letter, so most are not tried.
    It finds what ``_HAN_TOKEN`` finds, less the tokens kept, and ``split`` then removes them
    in C, without a Python call per token.

    >>> _annotations_of(frozenset("網")).sub("", "網(wǎng)站 網(abc) 學(xué)")
    '網站 網(abc) 學(xué)'
    """
    branches = []
    hosts = []
    for ch in sorted(chars):
        own = [r for r in readings(ch) if _SYLLABLE_RE.fullmatch(r)]
        if own:
            hosts.append(re.escape(ch))
            branches.extend(f"{re.escape(r)}(?<={re.escape(ch)}[(（]{re.escape(r)})" for r in own)
    if not branches:
        return None
    return re.compile(f"[(（](?<=([{''.join(hosts)}])[(（])(?:{'|'.join(branches)})[)）]")


def _gbk_char(pair: bytes) -> str | None:
    try:
        ch = pair.decode(_GBK)
    except UnicodeDecodeError:
        return None
    return ch if len(ch) == 1 and is_han(ch) else None


@cache
def _chars_with_lead(lead: int) -> tuple[tuple[int, str], ...]:
    """``(trail byte, char)`` for every Traditional-only Han char whose GBK code starts with
    ``lead``: the candidates for the char an island's annotation was meant for."""
    found = []
    for trail in range(0x40, 0xFF):
        ch = _gbk_char(bytes((lead, trail)))
        if ch and is_traditional_only(ch):
            found.append((trail, ch))
    return tuple(found)


def _lost_byte(
    previous: int | None, syllable: str, chars: frozenset[str]
) -> tuple[int, str] | None:
    """The byte an island swallowed: the trail of the char X the annotator matched, where X's
    lead byte is the last byte written before the island and ``syllable`` is X's reading.

    Chars annotated elsewhere on the page are preferred, then common chars; an ambiguous
    answer is no answer.
    """
    if previous is None or previous < 0x81:
        return None
    fits = [(t, ch) for t, ch in _chars_with_lead(previous) if syllable in readings(ch)]
    common = common_han()
    for tier in (
        [f for f in fits if f[1] in chars],
        [f for f in fits if f[1] in chars and f[1] in common],
        fits,
        [f for f in fits if f[1] in common],
    ):
        if len(tier) == 1:
            return tier[0]
    return None


def _repair_line(line: str, chars: frozenset[str], totals: _Totals) -> str:
    """Rebuild the line's GBK byte stream without the annotations, then decode it again."""
    buf = bytearray()
    pos = 0
    removed = repaired = failed = 0
    used: set[str] = set()
    try:
        for m in _ISLAND_OR_ANNOTATION.finditer(line):
            buf += line[pos : m.start()].encode(_GB18030)
            pos = m.end()
            island, syllable = m.group(1), m.group(2)
            if island is not None:
                if island not in _syllables():  # ``為什麼?abc)`` is just text
                    buf += m.group(0).encode(_GB18030)
                    continue
                found = _lost_byte(buf[-1] if buf else None, island, chars)
                if found is None:
                    failed += 1
                    buf += m.group(0).encode(_GB18030)
                else:
                    buf.append(found[0])
                    used.add(found[1])
                    repaired += 1
                    removed += 1
                continue
            # An annotation belongs to whatever two bytes precede it, aligned or not:
            # 區 read as ``\ue5ca^`` still ends in 區's bytes 85 5e.
            # Chars hidden by the misalignment (現 in 崿F(xiàn)) never showed up as tokens, so
            # any Traditional-only char with its default reading qualifies here.
            host = _gbk_char(bytes(buf[-2:]))
            if host is not None and (
                (host in chars and syllable in readings(host))
                or (is_traditional_only(host) and syllable == readings(host)[0])
            ):
                removed += 1
                used.add(host)
            else:
                buf += m.group(0).encode(_GB18030)
        buf += line[pos:].encode(_GB18030)
    except UnicodeEncodeError:
        # Lone surrogates and the like: no byte-level repair possible, strip tokens only.
        return _strip_line(line, chars, totals)
    repaired_line = bytes(buf).decode(_GB18030, errors=_ERROR_HANDLER)
    totals.removed += removed
    totals.islands_repaired += repaired
    totals.islands_failed += failed
    totals.chars |= used
    totals.unknown_bytes += repaired_line.count("\ufffd") - line.count("\ufffd")
    return repaired_line


def _island_error(exc: UnicodeError) -> tuple[str, int]:
    """Decode-error handler for repaired lines: a lead byte followed by a ``?`` is one char
    whose trail byte the original decoder lost (it wrote ``?``): one U+FFFD for both."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    data = exc.object
    if exc.end == exc.start + 1 and exc.end < len(data) and data[exc.end] == _QUESTION_MARK:
        return "\ufffd", exc.end + 1
    return "\ufffd", exc.end


codecs.register_error(_ERROR_HANDLER, _island_error)
