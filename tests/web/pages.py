"""Helpers for the web tests: read result pages, and the expected answers from the raw rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import lxml.html
from sqlalchemy import select

from archive import Archive
from archive.schema import Article, Caption, Credit, Version

ARTICLE_HREF = re.compile(r"^/article/(\d+)$")


@dataclass
class Row:
    """The latest version of one article, as stored (for independent expectations)."""

    id: int
    site: str
    title: str
    day: date | None
    source_norm: str
    texts: list[str] = field(default_factory=list)  # normalized title, body, captions, credits
    credits: list[tuple[str, str]] = field(default_factory=list)  # (role_norm, name_norm)


def latest_rows(url: str) -> list[Row]:
    """Every article's latest version read straight from the tables."""
    with Archive(url, readonly=True) as arc, arc.engine.connect() as conn:
        rows = {
            r.id: Row(
                r.id, r.site, r.title, r.day, r.source_norm or "", [r.title_norm, r.body_norm]
            )
            for r in conn.execute(
                select(
                    Article.id,
                    Article.site,
                    Version.title,
                    Version.title_norm,
                    Version.body_norm,
                    Version.day,
                    Version.source_norm,
                ).join(Version, Version.id == Article.latest_version_id)
            )
        }
        latest = Article.latest_version_id == Caption.version_id
        for art_id, t in conn.execute(
            select(Article.id, Caption.text_norm).join(Caption, latest).order_by(Caption.seq)
        ):
            rows[art_id].texts.append(t)
        latest = Article.latest_version_id == Credit.version_id
        for art_id, role, name in conn.execute(
            select(Article.id, Credit.role_norm, Credit.name_norm).join(Credit, latest)
        ):
            rows[art_id].texts.append(name)
            rows[art_id].credits.append((role, name))
    return list(rows.values())


def containing(rows: list[Row], needle: str) -> list[Row]:
    """Rows whose normalized text contains ``needle`` (a plain substring check)."""
    return [r for r in rows if any(needle in t for t in r.texts)]


@dataclass
class ResultPage:
    total: int
    ids: list[int]
    titles: list[str]
    dates: list[str]
    marks: list[str]
    bars: list[str]  # the <title> of each chart bar, "YYYY-MM: n"
    month_rows: list[tuple[str, int]]
    doc: Any


def result_page(html: bytes) -> ResultPage:
    """What the search page shows, read from its HTML."""
    doc = lxml.html.fromstring(html)
    count = doc.xpath('//p[@id="result-count"]/strong/text()')
    links = doc.xpath('//li[@class="hit"]/a[@class="title"]')
    ids = []
    for a in links:
        m = ARTICLE_HREF.match(a.get("href"))
        assert m, a.get("href")
        ids.append(int(m.group(1)))
    return ResultPage(
        total=int(count[0].replace(",", "")) if count else -1,
        ids=ids,
        titles=[a.text_content() for a in links],
        dates=[d.text_content() for d in doc.xpath('//li[@class="hit"]//span[@class="date"]')],
        marks=[m.text_content() for m in doc.xpath('//p[@class="snippet"]/mark')],
        bars=[t.text_content() for t in doc.xpath('//*[local-name()="g"]/*[local-name()="title"]')],
        month_rows=[
            (tr[0].text_content(), int(tr[1].text_content()))
            for tr in doc.xpath('//table[@class="months"]/tbody/tr')
        ],
        doc=doc,
    )


def months_of(rows: list[Row]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for r in rows:
        if r.day is not None:
            key = r.day.isoformat()[:7]
            counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items())
