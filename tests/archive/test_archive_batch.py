"""``Archive.store_batch``: many pages in one transaction, same results as one write each,
and one bad page never loses the others."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from archive import Archive
from archive.pages import ARCHIVE_ERROR, FailureIn, PageIn
from archive.schema import Article, ArticleUrl, Capture, Failure, Version
from tests.archive.archive_factories import HTML, SITE, article, capture

LISTING = "https://news.demo.edu.cn/xwzx.htm"


def _page(n: int, minutes: int, **changes: Any) -> PageIn:
    a = article(n, **changes)
    body = (HTML + a.body).encode("gb18030")
    return PageIn(SITE, a.url, capture=capture(a.url, body, minutes=minutes), article=a)


def _pages() -> list[PageIn]:
    """Every kind of page, including repeats of one URL inside the batch."""
    mirror = article(1, url="https://mirror.demo.edu.cn/1.htm", canonical_url="https://m/1")
    failed = FailureIn("http_error", "HTTP 500", 500)
    return [
        _page(1, 0),
        _page(2, 1),
        PageIn(SITE, LISTING, "listing", failure=FailureIn("timeout", "30 s")),
        _page(2, 2),  # same content again: unchanged, identical-payload revisit
        _page(3, 3),
        _page(3, 4, body="第一段，論壇3開幕。\n第二段，已更正。"),  # changed
        PageIn(SITE, mirror.url, capture=capture(mirror.url, b"m", minutes=5), article=mirror),
        PageIn(SITE, article(4).url, capture=capture(article(4).url, minutes=6), failure=failed),
        PageIn(SITE, article(4).url, failure=failed),  # a repeat counts an attempt
        PageIn(
            SITE,
            article(1).url,
            capture=capture(article(1).url, status=304, minutes=7),
            not_modified=True,
        ),
        PageIn(
            SITE,
            article(9).url,
            capture=capture(article(9).url, status=304, minutes=8),
            not_modified=True,
        ),  # never archived: not_modified_unknown
        PageIn(SITE, LISTING, "listing", capture=capture(LISTING, b"<ul/>", minutes=9)),
    ]


def _one_at_a_time(arc: Archive, pages: list[PageIn]) -> list[str]:
    """The same pages through the single-record methods, as the crawl used to write them."""
    outcomes = []
    for p in pages:
        cid = arc.record_capture(p.capture).capture_id if p.capture is not None else None
        if p.failure is not None:
            f = p.failure
            arc.record_failure(p.site, p.url, f.reason, f.detail, http_status=f.http_status)
            outcomes.append("failed")
        elif p.not_modified:
            if arc.touch_article(p.url) is None:
                arc.record_failure(p.site, p.url, "not_modified_unknown", "", http_status=304)
                outcomes.append("failed")
            else:
                outcomes.append("unchanged")
        elif p.article is not None:
            outcomes.append(arc.store_article(p.article, cid).outcome)
            arc.clear_failure(p.url)
        else:
            arc.clear_failure(p.url)
            outcomes.append("listing")
    return outcomes


def _state(arc: Archive) -> dict[str, Any]:
    """Everything the writes decide, without the clock's own times."""
    with arc.session() as s:
        return {
            "articles": s.execute(
                select(
                    Article.id,
                    Article.canonical_url,
                    Article.first_seen,
                    Article.version_count,
                    Article.latest_version_id,
                ).order_by(Article.id)
            ).all(),
            "urls": s.execute(select(ArticleUrl.url, ArticleUrl.article_id).order_by("url")).all(),
            "versions": s.execute(
                select(
                    Version.id,
                    Version.article_id,
                    Version.seq,
                    Version.content_hash,
                    Version.capture_id,
                ).order_by(Version.id)
            ).all(),
            "captures": s.execute(
                select(
                    Capture.id,
                    Capture.url,
                    Capture.payload_digest,
                    Capture.revisit_profile,
                    Capture.refers_to_capture_id,
                ).order_by(Capture.id)
            ).all(),
            "failures": s.execute(
                select(
                    Failure.url, Failure.reason, Failure.attempts, Failure.resolved_at.is_(None)
                ).order_by(Failure.url)
            ).all(),
            "index": s.execute(text("SELECT article_id, version_id FROM search_indexed")).all(),
        }


def test_a_batch_writes_what_single_writes_write(tmp_path: Path) -> None:
    pages = _pages()
    with Archive(f"sqlite:///{tmp_path / 'batch.db'}") as batched, \
         Archive(f"sqlite:///{tmp_path / 'single.db'}") as single:  # fmt: skip
        results = batched.store_batch(pages)
        expected = _one_at_a_time(single, pages)
        assert [r.outcome for r in results] == expected
        assert _state(batched) == _state(single)
        assert batched.integrity_check() == "ok"


def test_outcomes_and_counts(archive: Archive) -> None:
    results = archive.store_batch(_pages())
    assert [r.outcome for r in results] == [
        "new", "new", "failed", "unchanged", "new", "changed", "alias",
        "failed", "failed", "unchanged", "failed", "listing",
    ]  # fmt: skip
    assert [r.capture is not None for r in results].count(True) == 10
    assert results[10].failure == FailureIn(
        "not_modified_unknown", "HTTP 304 for a URL with no archived article", 304
    )
    counts = archive.site_counts()[SITE]
    assert (counts["articles"], counts["versions"], counts["aliases"]) == (3, 4, 2)
    # The listing's failure was resolved by its later fetch in the same batch.
    assert sorted((f["url"], f["attempts"]) for f in archive.failures()) == [
        (article(4).url, 2),
        (article(9).url, 1),
    ]
    assert archive.integrity_check() == "ok"


def test_one_bad_page_loses_nothing_else(archive: Archive) -> None:
    bad = _page(5, 3, title=None)  # NOT NULL in the database: this page alone cannot be stored
    pages = [_page(1, 0), _page(2, 1), bad, _page(3, 4)]
    results = archive.store_batch(pages)
    assert [r.outcome for r in results] == ["new", "new", "failed", "new"]
    assert [r.error is None for r in results] == [True, True, False, True]
    assert results[2].failure is not None and results[2].failure.reason == ARCHIVE_ERROR
    assert results[2].capture is not None  # the fetch itself is still in the crawl log
    (failure,) = archive.failures()
    assert (failure["url"], failure["reason"], failure["http_status"]) == (
        bad.url,
        ARCHIVE_ERROR,
        200,
    )
    assert {u for u in (p.url for p in pages) if archive.article_id_for_url(u)} == {
        article(1).url, article(2).url, article(3).url
    }  # fmt: skip
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Capture)) == 4


def test_bad_capture_is_recorded_as_a_failure_without_it(archive: Archive) -> None:
    naive = replace(
        capture(article(6).url), fetched_at=capture("x").fetched_at.replace(tzinfo=None)
    )
    bad = PageIn(SITE, article(6).url, capture=naive, article=article(6))
    results = archive.store_batch([_page(1, 0), bad])
    assert [r.outcome for r in results] == ["new", "failed"]
    assert results[1].capture is None and "timezone-aware" in (results[1].error or "")
    assert [f["reason"] for f in archive.failures()] == [ARCHIVE_ERROR]


def test_empty_batch(archive: Archive) -> None:
    assert archive.store_batch([]) == []
