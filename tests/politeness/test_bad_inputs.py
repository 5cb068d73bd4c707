"""Every bad input is a recorded failure (reason, attempts) and never replaces a good version."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from archive import Archive
from fixtures.server import RequestInfo, Resource
from tests.ops import kit

pytestmark = pytest.mark.slow

BINARY = bytes(range(256)) * 8 + b"\x89PNG\r\n\x1a\n" + bytes(200)


def _sleepy(_info: RequestInfo) -> Resource:
    time.sleep(2.5)  # longer than DOWNLOAD_TIMEOUT=1
    return Resource(b"<html><body>too late</body></html>")


def _bad_pages(tiny: kit.TinySite) -> dict[int, object]:
    """Article number → what the page turns into on the second crawl."""
    a6 = tiny.articles[0]
    no_title = tiny.article_html(a6).replace(f"<title>{a6.title}</title>".encode(), b"")
    no_title = no_title.replace(f'<h1 class="title">{a6.title}</h1>'.encode(), b"")
    big = b"<html><body>" + b"<p>" + "很长的页面。".encode() * 4000 + b"</p></body></html>"
    return {
        1: Resource(b"<h1>Internal Server Error</h1>", status=500),
        2: _sleepy,
        3: Resource(b"", status=302, headers={"Location": "/moved/3.htm"}),
        4: Resource(big),
        5: Resource(BINARY, headers={"Content-Type": "application/octet-stream"}),
        6: Resource(no_title),
        7: Resource(
            b'<html><head><meta charset="utf-8"><title>t</title></head><body>'
            b'<h1 class="title">\xe7\xa9\xba</h1><div class="content"></div></body></html>'
        ),
    }


EXPECTED = {  # article number → (reason, http status)
    1: ("http_error", 500),
    2: ("timeout", None),
    3: ("redirect_loop", None),
    4: ("too_large", None),
    5: ("undecodable", 200),
    6: ("no_title", 200),
    7: ("no_body", 200),
}


def test_bad_inputs_are_recorded_and_keep_the_good_version(profiles_dir: Path, db: Path) -> None:
    tiny = kit.tiny_site(7, per_page=7)
    server = kit.serve(tiny)
    settings = ["--set", "DOWNLOAD_TIMEOUT=1", "--set", "DOWNLOAD_MAXSIZE=20000",
                "--set", "RETRY_TIMES=1"]  # fmt: skip
    try:
        good = kit.crawl(server, db, profiles_dir, *settings)
        assert good.returncode == 0, good.stdout + good.stderr
        assert good.summary()["new"] == "7"
        for n, page in _bad_pages(tiny).items():
            tiny.site.set_page(f"/a/{n}.htm", page)  # type: ignore[arg-type]
        tiny.site.set_page("/moved/3.htm", Resource(b"", 302, {"Location": "/a/3.htm"}))
        bad = kit.crawl(server, db, profiles_dir, *settings)
        base = server.base_url
    finally:
        server.stop()
    assert bad.returncode == 0, bad.stdout + bad.stderr  # listings fine: the run itself is ok
    assert bad.summary()["failed"] == "7"
    with Archive(f"sqlite:///{db}") as arc:
        failures = {f["url"]: f for f in arc.failures("tiny-news")}
        got = {
            int(url.rsplit("/", 1)[1].split(".")[0]): (f["reason"], f["http_status"])
            for url, f in failures.items()
        }
        assert got == EXPECTED
        assert {f["attempts"] for f in failures.values()} == {1}
        for n in EXPECTED:
            art = arc.get_article(f"{base}/a/{n}.htm")
            assert art is not None and art["version_count"] == 1, n
            assert art["version"]["title"] == kit.make_article(n).title
        assert arc.integrity_check() == "ok"
    # The 500 was retried (RETRY_TIMES=1) within the run: two requests, one failure attempt.
    assert [r.status for r in server.requests if r.path == "/a/1.htm"][-2:] == [500, 500]


def test_connection_refused_is_recorded(profiles_dir: Path, db: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/a/1.htm"
    run = kit.run(kit.command("recrawl", url, "--db", str(db), "--set", "RETRY_TIMES=0"),
                  profiles_dir)  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert "recrawled 1 URL(s): 0 failure(s) cleared, 1 still failing" in run.stdout
    with Archive(f"sqlite:///{db}") as arc:
        [f] = arc.failures()
        assert (f["url"], f["reason"], f["attempts"], f["site"]) == (
            url, "connection_refused", 1, "127.0.0.1",
        )  # fmt: skip
        assert [(r["mode"], r["status"]) for r in arc.runs()] == [("recrawl", "failed")]
