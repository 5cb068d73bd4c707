"""Extraction where the archive writes (``campusnews.pagework``), and the first-crawl shortcut
of the conditional GET.

The spider hands article pages over unread; the archive writer (its thread or its child
process) extracts them just before storing. These tests feed real fixture pages through
``prepare``/``store_work`` and through a writer process, and require exactly what
``campusnews.extract.extract`` gives for the same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

import campusnews.pagework as pagework
from archive import Archive
from campusnews.archive_writer import ArchiveWriter
from campusnews.extract import extract
from campusnews.items import CapturedPage, Failure
from campusnews.middlewares import ConditionalGet
from campusnews.pagework import PageWork, WorkDone, article_record, prepare, store_work
from campusnews.profiles import get_profile
from fixtures.server import build_sites, expected_articles
from tests.scale.test_archive_writer import Reactor, _results

BASE = "http://127.0.0.1:8000"
SITE = "demo-vsb"
FETCHED = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)


@cache
def _sites() -> dict[str, Any]:
    return build_sites()


def _item(path: str, body: bytes | None = None, **changes: Any) -> CapturedPage:
    body = _sites()[SITE].pages[path].body if body is None else body
    fields: dict[str, Any] = dict(
        site=SITE, kind="article", url=BASE + path, final_url=BASE + path, status=200,
        headers=[("Content-Type", "text/html")], body=body, fetched_at=FETCHED,
        content_type="text/html", extract_body=body,
    )  # fmt: skip
    fields.update(changes)
    return CapturedPage(**fields)


def _paths(n: int) -> list[str]:
    return [e["path"] for e in expected_articles(SITE)[:n]]


def test_prepare_reads_the_article_exactly_as_extract_does() -> None:
    profile = get_profile(SITE)
    for path in _paths(5):
        item = _item(path)
        done = prepare(PageWork(item, run_id=7), profile)
        page = done.page
        article = extract(BASE + path, item.body or b"", content_type="text/html", profile=profile)
        assert page.article == article_record(SITE, BASE + path, article)
        assert (done.failure, done.crash) == (None, None)
        assert (done.captions, done.credits) == (len(article.captions), len(article.credits))
        assert page.capture is not None and page.capture.run_id == 7
        # how the bytes were decoded goes with the capture (the fixture is GB18030 declared
        # gb2312)
        assert (page.capture.encoding, page.capture.declared_charset) == ("gb18030", "gb2312")
        assert item.article is None and item.failure is None  # the crawl's item is untouched


def test_pages_that_cannot_be_read_are_failures_with_their_codes() -> None:
    empty = b"<html><head><title></title></head><body></body></html>"
    no_body = "<html><head><title>学术论坛</title></head><body></body></html>".encode()
    results = {
        name: prepare(PageWork(_item(_paths(1)[0], body), None), None)
        for name, body in (("empty", empty), ("no_body", no_body))
    }
    for name, done in results.items():
        page = done.page
        assert page.article is None, name
        assert page.failure is not None and done.failure is not None
        assert (page.failure.reason, page.failure.http_status) == (done.failure.reason, 200)
    assert results["empty"].page.failure.reason == "no_title"  # type: ignore[union-attr]
    assert results["no_body"].page.failure.reason == "no_body"  # type: ignore[union-attr]
    # a failure the crawl already knows is kept, and nothing is read
    http = _item(_paths(1)[0], failure=Failure("http_error", "HTTP 500", 500), status=500)
    done = prepare(PageWork(http, None), None)
    assert done.page.failure is not None and done.page.failure.reason == "http_error"
    assert done.page.article is None and done.failure == http.failure


def test_an_extractor_bug_costs_one_page_and_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad, good = _paths(2)
    real_extract = pagework.extract

    def buggy(url: str, body: bytes, **kw: Any) -> Any:
        if url.endswith(bad):
            raise ZeroDivisionError("division by zero")
        return real_extract(url, body, **kw)

    monkeypatch.setattr(pagework, "extract", buggy)
    with Archive(f"sqlite:///{tmp_path / 'a.db'}") as arc:
        done = store_work(arc, [PageWork(_item(bad), None), PageWork(_item(good), None)],
                          get_profile(SITE))  # fmt: skip
        assert [d.result.outcome for d in done] == ["failed", "new"]
        assert done[0].failure == Failure("extraction", "ZeroDivisionError: division by zero", 200)
        assert done[0].crash is not None and "ZeroDivisionError" in done[0].crash
        assert "in buggy" in done[0].crash  # the traceback, for the crawl's log
        [failure] = arc.failures(SITE)
        assert (failure["url"], failure["reason"]) == (BASE + bad, "extraction")
        assert arc.article_id_for_url(BASE + good) is not None
        assert len(arc.captures_for_url(BASE + bad)) == 1  # the capture is kept


def test_the_writer_process_extracts_and_stores_what_the_thread_does(tmp_path: Path) -> None:
    paths = _paths(6)
    outcomes = {}
    for mode in ("thread", "process"):
        reactor = Reactor()
        with Archive(f"sqlite:///{tmp_path / mode}.db") as arc:
            writer = ArchiveWriter(arc, batch_size=4, batch_delay=0.05, capacity=8,
                                   process=mode == "process", profile=get_profile(SITE),
                                   call_from_thread=reactor.call_from_thread)  # fmt: skip
            writer.start()
            # the second fetch of the first page is an unchanged revisit
            works = [PageWork(_item(p), None) for p in [*paths, paths[0]]]
            done = _results([writer.submit(w) for w in works])
            closed = writer.close()
            reactor.until(lambda c=closed: c.called)
            assert all(isinstance(d, WorkDone) for d in done)
            outcomes[mode] = [(d.result.outcome, d.captions, d.credits) for d in done]
            titles = [arc.get_article(BASE + p)["version"]["title"] for p in paths]  # type: ignore[index]
        assert titles == [e["title"] for e in expected_articles(SITE)[:6]]
    assert outcomes["process"] == outcomes["thread"]
    assert [o for o, _, _ in outcomes["process"]] == ["new"] * 6 + ["unchanged"]
    # captions of the six new articles (the pipeline counts them for new and changed only)
    assert sum(c for _, c, _ in outcomes["process"][:6]) == sum(
        len(e["captions"]) for e in expected_articles(SITE)[:6]
    )


def test_the_conditional_get_asks_nothing_on_a_first_crawl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    path = _paths(1)[0]

    def middleware() -> ConditionalGet:
        crawler = get_crawler(settings_dict={"CAMPUSNEWS_DB": db})
        mw = ConditionalGet(crawler)
        mw.open(type("Spider", (), {"site_key": SITE})())
        return mw

    def request() -> Request:
        return Request(BASE + path, meta={"campusnews_kind": "article"})

    first = middleware()
    assert first.site_known is False
    monkeypatch.setattr(first.archive, "article_id_for_url", lambda url: pytest.fail(url))
    req = request()
    first.process_request(req)
    assert b"If-None-Match" not in req.headers and b"If-Modified-Since" not in req.headers
    first.close()

    with Archive(db) as arc:  # one article of the site archived, with validators
        item = _item(path, headers=[("ETag", '"v1"'), ("Last-Modified", "Sun, 01 Nov 2026")])
        store_work(arc, [PageWork(item, None)], get_profile(SITE))
    second = middleware()
    assert second.site_known is True
    req = request()
    second.process_request(req)
    assert req.headers[b"If-None-Match"] == b'"v1"'
    assert req.headers[b"If-Modified-Since"] == b"Sun, 01 Nov 2026"
    second.close()
