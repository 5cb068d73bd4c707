"""``extract``: decode once, parse once, walk once; every field reads the same lines."""

from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree

from campusnews import normalize
from campusnews.exceptions import ExtractionError
from campusnews.extract._body import clean_body, zone_credits
from campusnews.extract._container import cms_container, density_container
from campusnews.extract._credits import find_labelled_credits, parse_credit_line
from campusnews.extract._fields import find_date, find_source, find_title, source_value
from campusnews.extract._page import (
    META_DATE_KEYS,
    base_url,
    body_of,
    meta_values,
    parse_html,
    text_of,
    title_tag,
)
from campusnews.extract._profile import compiled, select
from campusnews.extract._render import Rendered, render, squash
from campusnews.extract.processors import credit_chain, date_chain, first_clean
from campusnews.extract.types import Article, Caption, Credit, DecodeInfo, TextFields
from campusnews.extract.urls import canonicalize_url
from campusnews.profiles import Profile

HEADER_MAX_LINES = 25
TRAILER_MAX_LINES = 14
CANONICAL_XPATH = etree.XPath("//link[@rel='canonical']/@href")


def _decode(
    body: bytes | str, content_type: str | None, profile: Profile | None
) -> tuple[str, DecodeInfo | None]:
    if isinstance(body, str):
        return body, None
    return normalize.decode_page(body, content_type, hint=profile.encoding if profile else None)


def _strip_pinyin(rendered: Rendered, container_span: tuple[int, int] | None) -> tuple[object, int]:
    """Remove mirror pinyin annotations from every line, with one decision made on the body."""
    lines = rendered.lines
    sample = lines[container_span[0] : container_span[1]] if container_span else lines
    decision = normalize.pinyin_decision("\n".join(ln.text for ln in sample))
    if not decision.fired:
        return decision, 0
    removed = 0
    for ln in lines:
        if ln.text:
            ln.text, stats = normalize.strip_pinyin(ln.text, decision)
            removed += stats.removed
            ln.raw, _ = normalize.strip_pinyin(ln.raw, decision)
    return decision, removed


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
    Raises ``DecodeError`` (from decoding) or ``ExtractionError`` (no title, or no article text).
    """
    text, decode = _decode(body, content_type, profile)
    root = parse_html(text)
    prof = compiled(profile) if profile else None
    tz = profile.timezone if profile else "Asia/Shanghai"
    warnings: list[str] = []
    skip: set[etree._Element] = set()
    if prof:
        for xp in prof.exclude:
            skip.update(select(xp, root))
    page_body = body_of(root)
    rendered = render(page_body, frozenset(skip))
    lines = rendered.lines

    container = None
    if prof and prof.body is not None:
        found = [el for el in select(prof.body, root) if el in rendered.spans]
        if found:
            container = found[0]
        else:
            warnings.append("profile selector article.body matched nothing; generic container used")
    tag_title = title_tag(root)
    if container is None:
        found = cms_container(root, rendered)
        if found is None:
            _, hint = find_title(root, rendered, tag_title, None)
            found = density_container(rendered, page_body, hint[1] if hint else None)
        container = found
    cspan = rendered.spans.get(container) if container is not None else None

    decision, removed = _strip_pinyin(rendered, cspan)
    if decision.fired and tag_title:
        tag_title, _ = normalize.strip_pinyin(tag_title, decision)

    # --- title
    title: str | None = None
    tspan: tuple[int, int] | None = None
    if prof and prof.title is not None:
        els = select(prof.title, root)
        if els:
            title = first_clean([text_of(el) for el in els[:1]])
            tspan = rendered.spans.get(els[0])
        else:
            warnings.append("profile selector article.title matched nothing; generic title used")
    if title is None:
        title, tspan = find_title(root, rendered, tag_title, cspan[0] if cspan else None)
    if not title:
        raise ExtractionError(f"{url}: no title found")

    # --- regions: header (title .. container), body edges, trailer (after the container)
    start = tspan[1] if tspan else (cspan[0] if cspan else 0)
    cstart, cend = cspan if cspan else (start, start)
    if tspan and tspan[1] <= cstart:
        header = range(tspan[1], min(cstart, tspan[1] + HEADER_MAX_LINES))
    elif tspan:
        header = range(tspan[1], min(len(lines), tspan[1] + 8))
    else:
        header = range(max(0, cstart - 8), cstart)
    before_title = range(max(0, tspan[0] - 6), tspan[0]) if tspan else range(0)
    trailer = range(cend, min(len(lines), cend + TRAILER_MAX_LINES))
    used: set[int] = set()

    # --- date
    date: str | None = None
    if prof and prof.date is not None:
        els = select(prof.date, root)
        date = date_chain(tz)([text_of(el) for el in els]) if els else None
        if date is not None:
            used.update(_lines_of(els, rendered))
        if date is None:
            warnings.append("profile selector article.date found no date; generic date used")
    if date is None:
        top = range(cstart, min(cend, cstart + 4)) if tspan and tspan[1] <= cstart else range(0)
        tail = [*range(max(cstart, cend - 4), cend), *trailer]
        date, line_no = find_date(
            rendered, [header, top, before_title], tail, meta_values(root), META_DATE_KEYS, tz
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
        els = select(prof.source, root)
        if els:
            found, value = source_value("\x1f".join(squash(text_of(el)) for el in els))
            source = value if found else (_profile_text(els) or None)
            source_done = True
            used.update(_lines_of(els, rendered))
        else:
            warnings.append("profile selector article.source matched nothing; generic source used")
    if not source_done:
        edges = [*range(cstart, min(cend, cstart + 2)), *range(max(cstart, cend - 6), cend)]
        source, line_no = find_source(rendered, header, edges, trailer)
        if line_no is not None and cstart <= line_no < cstart + 6:
            used.add(line_no)

    # --- body, captions, credits
    base = base_url(root, url)
    body_lines, captions, credits = clean_body(lines[cstart:cend], title, base, used, cstart)
    head_credits = zone_credits([lines[i] for i in header], trailer=False)
    tail_credits = (
        zone_credits(lines[cend : cend + TRAILER_MAX_LINES], trailer=True) if cspan else []
    )
    all_credits = [*head_credits, *credits, *tail_credits]
    if prof and prof.credits is not None:
        els = select(prof.credits, root)
        if els:
            picked: list[Credit] = []
            for el in els:
                span = rendered.spans.get(el)
                texts = (
                    [ln for ln in lines[span[0] : span[1]]] if span and span[1] > span[0] else []
                )
                for ln in texts:
                    picked.extend(parse_credit_line(ln.text) or find_labelled_credits(ln.raw))
                if not texts:
                    t = squash(text_of(el))
                    picked.extend(credit_chain([t]) or find_labelled_credits(t))
            all_credits = picked
        else:
            warnings.append(
                "profile selector article.credits matched nothing; generic credits used"
            )
    if prof and prof.captions is not None:
        els = select(prof.captions, root)
        if els:
            texts = [squash(text_of(el)) for el in els]
            texts = [t for t in texts if t]
            by_text = {c.text: c for c in captions}
            captions = [by_text.get(t, Caption(t)) for t in texts]
            drop = set(texts)
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


def _finish(
    url: str,
    title: str,
    source: str | None,
    body_lines: list[str],
    captions: list[Caption],
    credits: tuple[Credit, ...],
    date: str | None,
    decode: DecodeInfo | None,
    decision: object,
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
    script = normalize.detect_script(f"{original.title}\n{original.body_text}")
    if script == "hant":
        s = normalize.to_simplified
        normalized = TextFields(
            title=s(original.title or ""),
            source=s(original.source) if original.source else None,
            body=tuple(s(b) for b in original.body),
            captions=tuple(replace(c, text=s(c.text)) for c in original.captions),
            credits=tuple(Credit(s(c.role), s(c.name)) for c in original.credits),
        )
    else:
        normalized = original
    canon = CANONICAL_XPATH(root)
    canonical = canonicalize_url(canon[0]) if canon and re.match(r"https?://", canon[0]) else None
    return Article(
        url=url,
        original=original,
        normalized=normalized,
        date=date,
        script=script,
        decode=decode,
        mirror_artifact=bool(getattr(decision, "fired", False)),
        pinyin_removed=removed,
        canonical_url=canonical or (canonicalize_url(url) if url else None),
        warnings=tuple(warnings),
    )
