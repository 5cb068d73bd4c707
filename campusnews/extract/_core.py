"""``extract``: decode once, parse once, walk once; every field reads the same lines.

With a complete profile only the selected elements are read (the container is the only part
walked); the expensive normalization steps run only where they can matter: the pinyin gate on
pages holding a toned pinyin vowel, script detection on a bounded sample, OpenCC on Traditional
text only.
"""

from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree

from campusnews import normalize
from campusnews.exceptions import ExtractionError
from campusnews.extract._body import clean_body, zone_credits
from campusnews.extract._container import cms_container, density_container
from campusnews.extract._fields import find_date, find_source, find_title, source_value
from campusnews.extract._page import (
    base_url,
    body_of,
    first_href,
    meta_values,
    parse_html,
    text_of,
    title_tag,
)
from campusnews.extract._profile import (
    CompiledProfile,
    Selections,
    caption_image,
    compiled,
    element_credits,
    page_position,
)
from campusnews.extract._render import Rendered, render, squash
from campusnews.extract.processors import date_chain, first_clean
from campusnews.extract.types import Article, Caption, Credit, DecodeInfo, TextFields
from campusnews.extract.urls import canonicalize_url
from campusnews.normalize.pinyin import NOT_FIRED, PinyinDecision
from campusnews.profiles import Profile

HEADER_MAX_LINES = 25
TRAILER_MAX_LINES = 14
HTTP_URL_RE = re.compile(r"https?://")
# Toned pinyin vowels: a mirror's annotations (網(wǎng)) always carry some, so a page without
# any never reaches the pinyin gate.
TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# Script detection reads the title and this much of the body: enough to decide, bounded cost.
SCRIPT_SAMPLE_CHARS = 1000


def _decode(
    body: bytes | str, content_type: str | None, profile: Profile | None
) -> tuple[str, DecodeInfo | None]:
    if isinstance(body, str):
        return body, None
    return normalize.decode_page(body, content_type, hint=profile.encoding if profile else None)


# What lxml will not store in a text node (and clean_text would drop) / would read as space.
_XML_DROP = re.compile("[\x00-\x08\x0e-\x1b\ud800-\udfff\ufffe\uffff]")
_XML_SPACE = re.compile("[\x0b\x0c\x1c-\x1f]")
# Either of the two above: one scan tells whether a stripped node needs them (rarely).
_XML_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _strip_pinyin(root: etree._Element, text: str) -> tuple[PinyinDecision, int]:
    """Remove mirror pinyin annotations from every text node of the tree, in place.

    Only a page holding a toned pinyin vowel reaches the gate; the gate decides once on the
    text of the whole body, then every text node (title, meta line, credit block included) is
    stripped and its islands repaired before anything reads the tree.
    """
    if not any(mark in text for mark in TONE_MARKS):
        return NOT_FIRED, 0
    page_body = body_of(root)
    decision = normalize.pinyin_decision(text_of(page_body))
    if not decision.fired:
        return decision, 0
    # Every node that may hold a token, stripped in one call: strip_pinyin works line by line,
    # so the nodes joined by newlines strip exactly as they would one by one, and each keeps
    # its own number of lines.
    slots: list[tuple[etree._Element, bool, int]] = []  # (element, is its tail, lines)
    texts: list[str] = []
    for el in root.iter():
        t = el.text
        if t and ("(" in t or "（" in t or "?" in t):
            slots.append((el, False, t.count("\n") + 1))
            texts.append(t)
        t = el.tail
        if t and ("(" in t or "（" in t or "?" in t):
            slots.append((el, True, t.count("\n") + 1))
            texts.append(t)
    if not texts:
        return decision, 0
    stripped, stats = normalize.strip_pinyin("\n".join(texts), decision)
    lines = stripped.split("\n")
    at = 0
    for (el, is_tail, n), old in zip(slots, texts, strict=True):
        t = "\n".join(lines[at : at + n]) if n > 1 else lines[at]
        at += n
        if t == old:
            continue  # nothing stripped here: the node keeps its text
        # lxml refuses to store control characters the parser let through; clean_text would
        # drop them (or read them as white space) anyway.
        if _XML_UNSTORABLE.search(t):
            t = _XML_SPACE.sub(" ", _XML_DROP.sub("", t))
        if is_tail:
            el.tail = t
        else:
            el.text = t
    return decision, stats.removed


def _dedupe(credits: list[Credit]) -> tuple[Credit, ...]:
    return tuple(dict.fromkeys(credits))


def _lines_of(els: list[etree._Element], rendered: Rendered) -> set[int]:
    """Line numbers rendered from ``els`` (so a meta line picked by a profile leaves the body)."""
    out: set[int] = set()
    for el in els:
        span = rendered.spans.get(el)
        if span:
            out.update(range(span[0], span[1]))
    return out


def _profile_text(els: list[etree._Element]) -> str:
    return squash(" ".join(text_of(el) for el in els))


class _NeedsWholePage(Exception):
    """A profile field came up empty: the generic finders need the whole page's lines."""


def extract(
    url: str,
    body: bytes | str,
    *,
    content_type: str | None = None,
    profile: Profile | None = None,
) -> Article:
    """Read one article page into an :class:`Article`.

    ``body`` bytes are decoded with ``campusnews.normalize.decode_page`` (the profile's encoding
    as a hint); a ``str`` is used as is. Profile selectors override the generic finders field by
    field; a selector that matches nothing falls back to the generic finder with a warning.
    When the profile names every field (title, date, source, body, credits), only the selected
    elements are read; otherwise the whole page is walked once.
    Raises ``DecodeError`` (from decoding) or ``ExtractionError`` (no title, or no article text).
    """
    text, decode = _decode(body, content_type, profile)
    root = parse_html(text)
    decision, removed = _strip_pinyin(root, text)
    prof = compiled(profile) if profile else None
    tz = profile.timezone if profile else "Asia/Shanghai"
    if prof is not None and prof.complete:
        try:
            return _extract(url, root, prof, tz, decode, decision, removed, whole_page=False)
        except _NeedsWholePage:
            pass
    return _extract(url, root, prof, tz, decode, decision, removed, whole_page=True)


def _extract(
    url: str,
    root: etree._Element,
    prof: CompiledProfile | None,
    tz: str,
    decode: DecodeInfo | None,
    decision: PinyinDecision,
    removed: int,
    *,
    whole_page: bool,
) -> Article:
    warnings: list[str] = []
    pick = Selections(root)
    skip: set[etree._Element] = set()
    if prof:
        for xp in prof.exclude:
            skip.update(pick(xp))
    page_body = body_of(root)

    container = None
    if whole_page:
        rendered = render(page_body, frozenset(skip))
        if prof and prof.body is not None:
            found = [el for el in pick(prof.body) if el in rendered.spans]
            if found:
                container = found[0]
            else:
                warnings.append(
                    "profile selector article.body matched nothing; generic container used"
                )
    else:
        # Read only the article container (and, below, the selected meta elements).
        assert prof is not None and prof.body is not None
        found = pick(prof.body)
        if not found:
            raise _NeedsWholePage
        container = found[0]
        rendered = render(container, frozenset(skip))
        if container not in rendered.spans:
            raise _NeedsWholePage
    lines = rendered.lines
    tag_title = title_tag(root)
    if container is None:
        found = cms_container(root, rendered)
        if found is None:
            _, hint = find_title(root, rendered, tag_title, None)
            found = density_container(rendered, page_body, hint[1] if hint else None)
        # a bare page (paragraphs straight under <body>) is its own container
        container = found if found is not None else page_body
    cspan = rendered.spans.get(container) if container is not None else None

    # --- title
    title: str | None = None
    tspan: tuple[int, int] | None = None
    if prof and prof.title is not None:
        els = pick(prof.title)
        if els:
            title = first_clean([text_of(el) for el in els[:1]])
            tspan = rendered.spans.get(els[0])
        elif not whole_page:
            raise _NeedsWholePage
        else:
            warnings.append("profile selector article.title matched nothing; generic title used")
    if title is None:
        if not whole_page:
            raise _NeedsWholePage
        title, tspan = find_title(root, rendered, tag_title, cspan[0] if cspan else None)
    if not title:
        raise ExtractionError(f"{url}: no title found")

    # --- regions: header (title .. container), body edges, trailer (after the container)
    start = tspan[1] if tspan else (cspan[0] if cspan else 0)
    cstart, cend = cspan if cspan else (start, start)
    if not whole_page:
        header = before_title = trailer = range(0)  # nothing outside the container was read
    elif tspan and tspan[1] <= cstart:
        header = range(tspan[1], min(cstart, tspan[1] + HEADER_MAX_LINES))
    elif tspan:
        header = range(tspan[1], min(len(lines), tspan[1] + 8))
    else:
        header = range(max(0, cstart - 8), cstart)
    if whole_page:
        before_title = range(max(0, tspan[0] - 6), tspan[0]) if tspan else range(0)
        trailer = range(cend, min(len(lines), cend + TRAILER_MAX_LINES))
    used: set[int] = set()

    # --- date
    date: str | None = None
    if prof and prof.date is not None:
        els = pick(prof.date)
        date = date_chain(tz)([text_of(el) for el in els]) if els else None
        if date is not None:
            used.update(_lines_of(els, rendered))
        elif not whole_page:
            raise _NeedsWholePage
        else:
            warnings.append("profile selector article.date found no date; generic date used")
    if date is None:
        top = range(cstart, min(cend, cstart + 4)) if tspan and tspan[1] <= cstart else range(0)
        tail = [*range(max(cstart, cend - 4), cend), *trailer]
        date, line_no = find_date(
            rendered, [header, top, before_title], tail, lambda: meta_values(root), tz
        )
        if (
            line_no is not None
            and cstart <= line_no < cend
            and (line_no < cstart + 6 or line_no in tail)
        ):
            used.add(line_no)

    # --- source
    source: str | None = None
    source_done = False
    if prof and prof.source is not None:
        els = pick(prof.source)
        if els:
            found_label, value = source_value("\x1f".join(squash(text_of(el)) for el in els))
            source = value if found_label else (_profile_text(els) or None)
            source_done = True
            used.update(_lines_of(els, rendered))
        else:
            # many CMS pages print 来源 only when there is one: with a complete profile the
            # generic finder then looks at the container's edges only (header is not read)
            warnings.append("profile selector article.source matched nothing; generic source used")
    if not source_done:
        edges = [*range(cstart, min(cend, cstart + 2)), *range(max(cstart, cend - 6), cend)]
        source, line_no = find_source(rendered, header, edges, trailer)
        if line_no is not None and cstart <= line_no < cstart + 6:
            used.add(line_no)

    # --- body, captions, credits
    base = base_url(root, url)
    body_lines, captions, credits = clean_body(lines[cstart:cend], title, base, used, cstart)
    credit_els = pick(prof.credits) if prof and prof.credits is not None else []
    if credit_els:
        # the selected credit elements, plus credits printed inside body paragraphs
        # (南开新闻网讯（通讯员 张三）…), merged in page order
        placed: list[tuple[int, int, Credit]] = [(at, 1, c) for at, c in credits]
        for el in credit_els:
            at = page_position(el, rendered, container, len(lines))
            placed.extend((at, 0, c) for c in element_credits(el, rendered))
        all_credits = [c for _, _, c in sorted(placed, key=lambda x: (x[0], x[1]))]
    else:
        if prof and prof.credits is not None:
            if not whole_page:
                raise _NeedsWholePage
            warnings.append(
                "profile selector article.credits matched nothing; generic credits used"
            )
        head_credits = zone_credits([lines[i] for i in header], trailer=False)
        tail_credits = (
            zone_credits(lines[cend : cend + TRAILER_MAX_LINES], trailer=True) if cspan else []
        )
        all_credits = [*head_credits, *(c for _, c in credits), *tail_credits]
    if prof and prof.captions is not None:
        els = pick(prof.captions)
        if els:
            by_text = {c.text: c for c in captions}
            captions = []
            for el in els:
                text = squash(text_of(el))
                if text:
                    known = by_text.get(text)
                    image = known.image_url if known else None
                    captions.append(Caption(text, image or caption_image(el, container, base)))
            drop = {c.text for c in captions}
            body_lines = [b for b in body_lines if b not in drop]
        else:
            warnings.append(
                "profile selector article.captions matched nothing; generic captions used"
            )

    if not body_lines:
        if cspan is None:
            raise ExtractionError(f"{url}: no article text found")
        warnings.append("empty body: the article container holds no text (image-only page?)")

    return _finish(
        url,
        title,
        source,
        body_lines,
        captions,
        _dedupe(all_credits),
        date,
        decode,
        decision,
        removed,
        root,
        warnings,
    )


def _simplified(original: TextFields) -> TextFields:
    """The Simplified form of every field, converted by OpenCC in one call.

    Fields are single lines, so they travel joined by newlines (no dictionary phrase spans a
    newline, so each converts as it would alone) and one conversion replaces dozens of calls.
    """
    o = original
    texts = [
        o.title or "",
        o.source or "",
        *o.body,
        *(c.text for c in o.captions),
        *(x for c in o.credits for x in (c.role, c.name)),
    ]
    out = normalize.to_simplified("\n".join(texts)).split("\n")
    if len(out) != len(texts):  # a field held a line break after all: convert one by one
        out = [normalize.to_simplified(t) for t in texts]
    it = iter(out)
    title, source = next(it), next(it)
    body = tuple(next(it) for _ in o.body)
    captions = tuple(replace(c, text=next(it)) for c in o.captions)
    credits = tuple(Credit(next(it), next(it)) for _ in o.credits)
    return TextFields(
        title=title,
        source=source if o.source else None,
        body=body,
        captions=captions,
        credits=credits,
    )


def _finish(
    url: str,
    title: str,
    source: str | None,
    body_lines: list[str],
    captions: list[Caption],
    credits: tuple[Credit, ...],
    date: str | None,
    decode: DecodeInfo | None,
    decision: PinyinDecision,
    removed: int,
    root: etree._Element,
    warnings: list[str],
) -> Article:
    clean = normalize.clean_text
    original = TextFields(
        title=clean(title),
        source=clean(source) if source else None,
        body=tuple(b for b in (clean(x) for x in body_lines) if b),
        captions=tuple(replace(c, text=clean(c.text)) for c in captions),
        credits=credits,
    )
    script = normalize.detect_script(
        f"{original.title}\n{original.body_text[:SCRIPT_SAMPLE_CHARS]}"
    )
    normalized = _simplified(original) if script == "hant" else original
    canon = first_href(root, "link", "canonical")
    canonical = canonicalize_url(canon) if canon and HTTP_URL_RE.match(canon) else None
    return Article(
        url=url,
        original=original,
        normalized=normalized,
        date=date,
        script=script,
        decode=decode,
        mirror_artifact=decision.fired,
        pinyin_removed=removed,
        canonical_url=canonical or (canonicalize_url(url) if url else None),
        warnings=tuple(warnings),
    )
