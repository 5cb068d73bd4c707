"""The web view over HTTP (Flask's test client), on an archive filled by a real crawl.

Expected results are computed from the stored rows with plain substring checks on the
normalized text, independently of the search code; a few literal titles are pinned too.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import lxml.html
import pytest
from flask.testing import FlaskClient
from sqlalchemy.exc import DBAPIError
from warcio.archiveiterator import ArchiveIterator

from archive import Archive
from archive.export import COLUMNS, export_rows
from archive.search import AUTHOR_ROLES
from campusnews.normalize.script import to_simplified
from campusnews.web import create_app
from campusnews.web._state import EXTENSION_KEY
from campusnews.web._stream import stream_export
from campusnews.web.app import SECURITY_HEADERS
from tests.web.pages import Row, containing, latest_rows, months_of, result_page

pytestmark = pytest.mark.slow

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
    " base-uri 'none'; frame-ancestors 'none'"
)


@pytest.fixture(scope="module")
def rows(crawled_url: str) -> list[Row]:
    return latest_rows(crawled_url)


@pytest.fixture(scope="module")
def client(crawled_url: str) -> Iterator[FlaskClient]:
    app = create_app(crawled_url)
    try:
        yield app.test_client()
    finally:
        app.extensions[EXTENSION_KEY].close()


def _ids(rows: list[Row]) -> set[int]:
    return {r.id for r in rows}


# -- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "needle", "pinned"),
    [
        (
            "党",
            "党",
            [
                "经济管理学院开展“青春心向党”主题党日活动",
                "數學與統計學院開展「踐行初心使命」主題黨日活動",
            ],
        ),
        (
            "座谈",
            "座谈",
            ["法学院举行2024届毕业生座谈会", "材料科學與工程學院舉行2024屆畢業生座談會"],
        ),
        ("體育", "体育", ["体育学院举办第17届社团文化节", "體育學院舉行2024屆畢業生座談會"]),
    ],
    ids=["one-char", "two-char", "traditional"],
)
def test_query_results_exact(
    client: FlaskClient, rows: list[Row], query: str, needle: str, pinned: list[str]
) -> None:
    expected = containing(rows, needle)
    assert 0 < len(expected) <= 100
    resp = client.get("/", query_string={"q": query, "size": 100})
    assert resp.status_code == 200
    page = result_page(resp.data)
    assert page.total == len(expected)
    assert sorted(page.ids) == sorted(_ids(expected))
    assert sorted(page.titles) == sorted(r.title for r in expected)
    for title in pinned:
        assert title in page.titles
    # Only the matches are marked, in whichever script the article was published.
    assert page.marks and {to_simplified(m) for m in page.marks} == {needle}


def test_chart_and_month_table_count_every_dated_match(
    client: FlaskClient, rows: list[Row]
) -> None:
    expected = months_of(containing(rows, "党"))
    page = result_page(client.get("/?q=党").data)
    assert page.month_rows == expected
    shown = {b.split(": ")[0]: int(b.split(": ")[1]) for b in page.bars}
    assert {m: n for m, n in shown.items() if n} == dict(expected)
    # Empty months between the first and the last are drawn as zero-height bars.
    assert list(shown) == sorted(shown) and len(shown) >= len(expected)
    assert page.doc.xpath('count(//*[local-name()="svg"])') == 1


def test_site_and_date_filters(client: FlaskClient, rows: list[Row]) -> None:
    in_site = [r for r in containing(rows, "学生") if r.site == "demo-big5"]
    page = result_page(
        client.get("/", query_string={"q": "學生", "site": "demo-big5", "size": 100}).data
    )
    assert page.total == len(in_site) > 0
    assert sorted(page.ids) == sorted(_ids(in_site))

    lo, hi = "2024-04-01", "2024-04-30"
    in_april = [r for r in containing(rows, "党") if r.day and lo <= r.day.isoformat() <= hi]
    page = result_page(
        client.get("/", query_string={"q": "党", "since": lo, "until": hi, "size": 100}).data
    )
    assert page.total == len(in_april) > 0
    assert sorted(page.ids) == sorted(_ids(in_april))
    assert [m for m, _ in page.month_rows] == ["2024-04"]


def test_source_and_author_filters_without_query(client: FlaskClient, rows: list[Row]) -> None:
    source = max(
        {r.source_norm for r in rows if r.source_norm},
        key=lambda s: sum(r.source_norm == s for r in rows),
    )
    expected = [r for r in rows if source in r.source_norm]
    page = result_page(client.get("/", query_string={"source": source, "size": 100}).data)
    assert page.total == len(expected) > 0
    assert sorted(page.ids) == sorted(_ids(expected))

    _, name = next(c for r in rows for c in r.credits if c[0] in AUTHOR_ROLES)
    expected = [r for r in rows if any(ro in AUTHOR_ROLES and name in n for ro, n in r.credits)]
    page = result_page(client.get("/", query_string={"author": name, "size": 100}).data)
    assert page.total == len(expected) > 0
    assert sorted(page.ids) == sorted(_ids(expected))


def test_sort_by_date_and_paging(client: FlaskClient, rows: list[Row]) -> None:
    expected = _ids(containing(rows, "学"))
    seen: list[int] = []
    dates: list[str] = []
    page_no = 1
    while True:
        page = result_page(
            client.get(
                "/", query_string={"q": "学", "sort": "date", "size": 10, "page": page_no}
            ).data
        )
        assert page.total == len(expected)
        if not page.ids:
            break
        seen += page.ids
        dates += page.dates
        page_no += 1
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert page_no - 1 == -(-len(expected) // 10)
    days = [d[:10] for d in dates if d != "undated"]
    assert days == sorted(days, reverse=True)


def test_csv_download_parses_back(client: FlaskClient, rows: list[Row]) -> None:
    expected = containing(rows, "党")
    resp = client.get("/export.csv", query_string={"q": "党"})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="campusnews-search.csv"'
    text = resp.data.decode("utf-8")
    assert text.startswith("\ufeff")  # for Excel
    reader = csv.DictReader(io.StringIO(text[1:]))
    got = list(reader)
    assert tuple(reader.fieldnames or ()) == COLUMNS
    assert sorted(int(r["id"]) for r in got) == sorted(_ids(expected))
    by_id = {r.id: r for r in expected}
    for r in got:
        assert r["title"] == by_id[int(r["id"])].texts[0]  # normalized title


def test_jsonl_download(client: FlaskClient, rows: list[Row]) -> None:
    expected = [r for r in containing(rows, "座谈") if r.site == "demo-big5"]
    resp = client.get("/export.jsonl", query_string={"q": "座谈", "site": "demo-big5"})
    lines = [json.loads(x) for x in resp.data.decode("utf-8").splitlines()]
    assert sorted(x["id"] for x in lines) == sorted(_ids(expected))


# -- limits and errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        ({"q": "校" * 501}, 400, "the query is 501 characters long; at most 500 please"),
        ({"q": "校", "size": "101"}, 400, "page size must be between 1 and 100"),
        ({"q": "校", "page": "502"}, 400, "page 502 is out of range"),
        ({"q": '"校'}, 400, "unbalanced quote"),
        ({"q": "校", "since": "2024-13-01"}, 400, "since must be a date like 2024-03-01"),
        ({"q": "校", "sort": "random"}, 400, "sort must be 'relevance' or 'date'"),
    ],
    ids=["query-length", "page-size", "offset", "malformed", "bad-date", "bad-sort"],
)
def test_refused_input_gets_a_friendly_page(
    client: FlaskClient, args: dict[str, str], status: int, message: str
) -> None:
    resp = client.get("/", query_string=args)
    assert resp.status_code == status
    body = lxml.html.fromstring(resp.data).text_content()
    assert message in body
    assert "Traceback" not in body


def test_limits_just_inside_are_served(client: FlaskClient) -> None:
    assert client.get("/", query_string={"q": "校" * 500}).status_code == 200
    assert client.get("/", query_string={"q": "校", "size": 100, "page": 101}).status_code == 200


def test_unknown_pages_are_404_pages(client: FlaskClient) -> None:
    for path in ("/article/999999", "/article/1/capture/999999.warc.gz", "/nowhere", "/export.xml"):
        resp = client.get(path)
        assert resp.status_code == 404, path
        assert b"There is no such page" in resp.data


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for path in ("/", "/?q=党", "/sites", "/article/1", "/nowhere", "/static/style.css"):
        with client.get(path) as resp:
            assert resp.headers["Content-Security-Policy"] == CSP, path
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
            assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert SECURITY_HEADERS["Content-Security-Policy"] == CSP


def test_pages_have_no_script_and_no_external_asset(client: FlaskClient) -> None:
    for path in ("/?q=党", "/sites", "/article/1"):
        doc = lxml.html.fromstring(client.get(path).data)
        assert doc.xpath("//script") == []
        for el in doc.xpath("//link[@href]"):
            assert el.get("href").startswith(("/static/", "data:")), el.get("href")


def test_archive_is_opened_read_only(client: FlaskClient) -> None:
    arc: Archive = client.application.extensions[EXTENSION_KEY]
    assert arc.readonly is True
    with pytest.raises(DBAPIError, match=r"(?i)read.?only|attempt to write"):
        arc.start_run("web", "full")


# -- article, captures, sites -----------------------------------------------------------------


def _big5_article(rows: list[Row]) -> Row:
    return next(r for r in rows if r.site == "demo-big5" and "座谈" in r.texts[1])


def test_article_page_in_both_scripts(
    client: FlaskClient, crawled_url: str, rows: list[Row]
) -> None:
    row = _big5_article(rows)
    with Archive(crawled_url, readonly=True) as arc:
        art = arc.get_article(row.id)
    assert art is not None
    v = art["version"]
    doc = lxml.html.fromstring(client.get(f"/article/{row.id}").data)
    assert doc.xpath('string(//h1[@id="article-title"])') == v["title_norm"]
    paras = [p.text_content() for p in doc.xpath('//div[@class="body"]/p')]
    assert paras == [p for p in v["body_norm"].split("\n") if p.strip()]
    assert [li.text_content() for li in doc.xpath('//section[@class="captions"]//li')] == [
        c["text_norm"] for c in v["captions"]
    ]
    roles = [dt.text_content() for dt in doc.xpath('//section[@class="credits"]//dt')]
    assert roles == list(dict.fromkeys(c["role_norm"] for c in v["credits"]))
    link = doc.xpath('//dd[@class="url"]/a')[0]
    assert link.get("href") == art["url"]
    assert link.get("rel") == "noopener noreferrer nofollow"

    doc = lxml.html.fromstring(client.get(f"/article/{row.id}?original=1").data)
    assert doc.xpath('string(//h1[@id="article-title"])') == v["title"]
    assert v["title"] != v["title_norm"]  # a Traditional page: the switch shows something else
    assert [li.text_content() for li in doc.xpath('//section[@class="captions"]//li')] == [
        c["text"] for c in v["captions"]
    ]


def test_capture_download_is_a_warc_of_the_stored_bytes(
    client: FlaskClient, crawled_url: str, rows: list[Row]
) -> None:
    row = _big5_article(rows)
    with Archive(crawled_url, readonly=True) as arc:
        art = arc.get_article(row.id)
        assert art is not None
        cap = arc.captures_for_url(art["url"])[0]
        stored = arc.payload(cap["payload_digest"])
    doc = lxml.html.fromstring(client.get(f"/article/{row.id}").data)
    hrefs = doc.xpath('//section[@class="captures"]//a/@href')
    assert f"/article/{row.id}/capture/{cap['id']}.warc.gz" in hrefs
    resp = client.get(f"/article/{row.id}/capture/{cap['id']}.warc.gz")
    assert resp.status_code == 200
    records: list[tuple[str, Any]] = []
    for rec in ArchiveIterator(io.BytesIO(resp.data)):
        body = rec.content_stream().read() if rec.rec_type == "response" else None
        records.append((rec.rec_type, body))
    assert [t for t, _ in records] == ["warcinfo", "request", "response"]
    assert records[2][1] == stored


def test_sites_page(client: FlaskClient, rows: list[Row]) -> None:
    doc = lxml.html.fromstring(client.get("/sites").data)
    names = [h.text_content() for h in doc.xpath('//section[@class="site"]/h2')]
    assert names == sorted({r.site for r in rows})
    text = doc.text_content()
    for site in names:
        n = sum(r.site == site for r in rows)
        assert f"{n} (" in text
    statuses = doc.xpath('//span[contains(@class, "status-")]/text()')
    assert statuses == ["ok"] * len(names)


# -- streamed export --------------------------------------------------------------------------


def test_streamed_export_equals_export_rows(crawled_url: str) -> None:
    with Archive(crawled_url, readonly=True) as arc:
        out = io.StringIO()
        n = export_rows(arc, "csv", out, query="学", bom=True)
        streamed = b"".join(stream_export(arc, "csv", "学"))
    assert n > 0
    assert streamed.decode("utf-8") == out.getvalue()


def test_export_worker_stops_when_the_download_is_abandoned(
    crawled_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tiny chunks and a one-chunk queue, so the worker is blocked when the client goes away.
    monkeypatch.setattr("campusnews.web._stream.QUEUE_CHUNKS", 1)
    monkeypatch.setattr("campusnews.web._stream.CHUNK_CHARS", 1000)
    with Archive(crawled_url, readonly=True) as arc:
        chunks = stream_export(arc, "jsonl", None, site="demo-vsb")
        assert next(chunks).startswith(b'{"id": ')
        chunks.close()
        deadline = time.monotonic() + 10
        while any(t.name == "campusnews-export" for t in threading.enumerate()):
            assert time.monotonic() < deadline, "export worker still running"
            time.sleep(0.05)
