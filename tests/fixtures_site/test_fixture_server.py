"""The fixture server over real HTTP: bytes, status, ETag/304, redirects, 404, the request log."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures.server import (
    SITE_KEYS,
    FixtureServer,
    RequestInfo,
    Resource,
    Site,
    build_sites,
    expected_articles,
    listing_paths,
    main,
    special_paths,
)
from tests.fixtures_site._helpers import fetch

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def vsb_server() -> FixtureServer:
    with FixtureServer(build_sites()["demo-vsb"]) as srv:
        yield srv


def test_base_url_is_loopback_with_os_chosen_port(vsb_server: FixtureServer) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", vsb_server.base_url)
    assert not vsb_server.base_url.endswith(":0")


@pytest.mark.parametrize("key", SITE_KEYS)
def test_every_page_is_served_byte_exact(served: dict, sites: dict[str, Site], key: str) -> None:
    srv = served[key]
    for path, res in sites[key].pages.items():
        got = fetch(srv.base_url + path)
        assert got.status == res.status, path
        if res.status == 200:
            assert got.body == res.body, path


@pytest.mark.parametrize("key", SITE_KEYS)
def test_html_content_type_has_no_charset(served: dict, key: str) -> None:
    start = next(iter(listing_paths(key)))
    got = fetch(served[key].base_url + start)
    assert got.status == 200
    assert got.headers["Content-Type"] == "text/html"


def test_etag_is_quoted_sha1_and_last_modified_is_fixed(vsb_server: FixtureServer) -> None:
    first = fetch(vsb_server.base_url + "/xwzx/xxyw.htm")
    second = fetch(vsb_server.base_url + "/xwzx/xxyw.htm")
    assert first.headers["ETag"] == '"' + hashlib.sha1(first.body).hexdigest() + '"'
    assert first.headers["Last-Modified"] == second.headers["Last-Modified"]
    assert first.headers["Last-Modified"].endswith(" GMT")


def test_if_none_match_gives_304_without_body(vsb_server: FixtureServer) -> None:
    url = vsb_server.base_url + "/xwzx/xxyw.htm"
    etag = fetch(url).headers["ETag"]
    got = fetch(url, {"If-None-Match": etag})
    assert (got.status, got.body) == (304, b"")
    assert got.headers["ETag"] == etag
    assert fetch(url, {"If-None-Match": '"0000"'}).status == 200


def test_if_modified_since(vsb_server: FixtureServer) -> None:
    url = vsb_server.base_url + "/xwzx/xxyw.htm"
    last = fetch(url).headers["Last-Modified"]
    assert fetch(url, {"If-Modified-Since": last}).status == 304
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}).status == 200
    assert fetch(url, {"If-Modified-Since": "not a date"}).status == 200


def test_unknown_path_is_404_and_robots_allows_all(vsb_server: FixtureServer) -> None:
    assert fetch(vsb_server.base_url + "/no/such/page.htm").status == 404
    robots = fetch(vsb_server.base_url + "/robots.txt")
    assert (robots.status, robots.body) == (200, b"User-agent: *\nAllow: /\n")
    assert robots.headers["Content-Type"] == "text/plain"


def test_head_answers_headers_only(vsb_server: FixtureServer) -> None:
    got = fetch(vsb_server.base_url + "/xwzx/xxyw.htm", method="HEAD")
    assert got.status == 200 and got.body == b""
    assert int(got.headers["Content-Length"]) > 1000


def test_redirect_and_listing_404_on_webplus(served: dict) -> None:
    srv = served["demo-webplus"]
    sp = special_paths("demo-webplus")
    got = fetch(srv.base_url + sp["redirect"]["from"])
    assert got.status == 301
    assert got.headers["Location"] == sp["redirect"]["to"]
    assert fetch(srv.base_url + sp["redirect"]["to"]).status == 200
    assert fetch(srv.base_url + sp["listing_404"]).status == 404


def test_request_log_records_every_status_in_order(vsb_server: FixtureServer) -> None:
    vsb_server.clear_requests()
    url = vsb_server.base_url + "/xwzx/xxyw.htm"
    etag = fetch(url).headers["ETag"]
    fetch(url, {"If-None-Match": etag})
    fetch(vsb_server.base_url + "/missing")
    log = vsb_server.requests
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", "/xwzx/xxyw.htm", 200),
        ("GET", "/xwzx/xxyw.htm", 304),
        ("GET", "/missing", 404),
    ]
    assert log[1].headers["If-None-Match"] == etag
    assert log[0].time <= log[1].time <= log[2].time <= time.time()
    vsb_server.clear_requests()
    assert vsb_server.requests == []


def test_set_page_remove_page_and_callables_take_effect_live(vsb_server: FixtureServer) -> None:
    site = vsb_server.site
    site.set_page("/new.htm", Resource(b"<p>new</p>"))
    assert fetch(vsb_server.base_url + "/new.htm").body == b"<p>new</p>"
    site.remove_page("/new.htm")
    assert fetch(vsb_server.base_url + "/new.htm").status == 404
    calls: list[RequestInfo] = []

    def flaky(info: RequestInfo) -> Resource:
        calls.append(info)
        return Resource(b"busy", status=503) if len(calls) == 1 else Resource(b"ok")

    site.set_page("/flaky.htm", flaky)
    assert fetch(vsb_server.base_url + "/flaky.htm").status == 503
    assert fetch(vsb_server.base_url + "/flaky.htm").body == b"ok"
    assert [c.path for c in calls] == ["/flaky.htm", "/flaky.htm"]
    site.set_page("/moved", Resource(status=302, headers={"Location": "/xwzx/xxyw.htm"}))
    got = fetch(vsb_server.base_url + "/moved")
    assert (got.status, got.headers["Location"]) == (302, "/xwzx/xxyw.htm")


def test_query_string_paths_and_percent_encoded_requests(served: dict) -> None:
    vsb, big5 = served["demo-vsb"], served["demo-big5"]
    alias = special_paths("demo-vsb")["alias"]
    assert (
        fetch(vsb.base_url + alias["alias"]).body == fetch(vsb.base_url + alias["canonical"]).body
    )
    path = expected_articles("demo-big5")[0]["path"]  # /p/406-1000-NNNN,r11.php?Lang=zh-tw
    plain = fetch(big5.base_url + path)
    encoded = fetch(big5.base_url + path.replace(",", "%2C"))
    assert (plain.status, encoded.status) == (200, 200)
    assert encoded.body == plain.body


def test_build_sites_is_fresh_and_deterministic() -> None:
    a, b = build_sites(), build_sites()
    assert a["demo-vsb"] is not b["demo-vsb"]
    a["demo-vsb"].remove_page("/xwzx/xxyw.htm")
    assert "/xwzx/xxyw.htm" in b["demo-vsb"].pages
    for key in SITE_KEYS:
        assert {p: r.body for p, r in build_sites()[key].pages.items()} == {
            p: r.body for p, r in b[key].pages.items()
        }


DIGEST = """
import hashlib

def digest(sites):
    h = hashlib.sha1()
    for key in sorted(sites):
        for path, res in sorted(sites[key].pages.items()):
            h.update(path.encode() + b"\\0" + res.body)
    return h.hexdigest()
"""


def test_build_is_deterministic_across_processes(sites: dict[str, Site]) -> None:
    # Another interpreter, another hash seed: the bytes must not depend on either.
    code = DIGEST + "from fixtures.server import build_sites\nprint(digest(build_sites()))\n"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=REPO,
    )  # fmt: skip
    scope: dict[str, object] = {}
    exec(DIGEST, scope)  # the same function here, on this process's build
    assert done.stdout.strip() == scope["digest"](sites)  # type: ignore[operator]


def test_cli_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--site" in out and "Example" in out
