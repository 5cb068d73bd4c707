"""``campusnews serve`` and the error pages, on a tiny archive (no crawl)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from click.testing import CliRunner

from archive import Archive, ArticleIn
from campusnews.cli import cli
from campusnews.cli import commands as _commands  # noqa: F401  (registers the subcommands)
from campusnews.web import create_app
from campusnews.web._state import EXTENSION_KEY


def _article(n: int) -> ArticleIn:
    return ArticleIn(
        site="tiny",
        url=f"https://news.example.edu.cn/{n}.htm",
        canonical_url=f"https://news.example.edu.cn/{n}.htm",
        title=f"学校新闻{n}",
        title_norm=f"学校新闻{n}",
        date=f"2024-0{n}-01",
        source="党委宣传部",
        source_norm="党委宣传部",
        body="学校召开会议。",
        body_norm="学校召开会议。",
        captions=[],
        credits=[],
        script="hans",
    )


@pytest.fixture
def tiny_db(tmp_path: Path) -> Path:
    db = tmp_path / "tiny.db"
    with Archive(f"sqlite:///{db}") as arc:
        for n in (1, 2, 3):
            arc.store_article(_article(n))
    return db


@pytest.fixture
def client(tiny_db: Path) -> Iterator[Any]:
    app = create_app(f"sqlite:///{tiny_db}")
    try:
        yield app.test_client()
    finally:
        app.extensions[EXTENSION_KEY].close()


def test_serve_binds_localhost_by_default(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    def fake_run_simple(host: str, port: int, app: Any, **kw: Any) -> None:
        calls.append((host, port, kw))
        arc: Archive = app.extensions[EXTENSION_KEY]
        assert arc.readonly is True
        assert app.test_client().get("/?q=学校").status_code == 200

    monkeypatch.setattr("werkzeug.serving.run_simple", fake_run_simple)
    result = CliRunner().invoke(cli, ["serve", "--db", str(tiny_db)])
    assert result.exit_code == 0, result.output
    assert calls == [
        ("127.0.0.1", 8000, {"threaded": True, "use_reloader": False, "use_debugger": False})
    ]
    assert "on http://127.0.0.1:8000/" in result.output

    monkeypatch.setenv("CAMPUSNEWS_DB", str(tiny_db))
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "9001"])
    assert result.exit_code == 0, result.output
    assert calls[-1][:2] == ("0.0.0.0", 9001)


def test_serve_refuses_a_missing_sqlite_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert f"no archive at {tmp_path / 'none.db'}" in result.output
    assert not (tmp_path / "none.db").exists()


def test_serve_help_ends_with_an_example() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    text = result.output.split("Options:")[0].rstrip()
    assert text.endswith(
        "Example:\n    campusnews serve --db archive.db --port 8000   # then open http://127.0.0.1:8000/"
    )


def test_an_internal_error_shows_no_traceback(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("secret detail /etc/passwd")

    monkeypatch.setattr("campusnews.web.search.search", boom)
    resp = client.get("/?q=学校")
    assert resp.status_code == 500
    text = lxml.html.fromstring(resp.data).text_content()
    assert "Something went wrong" in text
    assert "secret detail" not in text and "Traceback" not in text
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_empty_search_form_and_nothing_to_download(client: Any) -> None:
    doc = lxml.html.fromstring(client.get("/").data)
    assert doc.xpath('//input[@name="q"]/@value') == [""]
    assert doc.xpath('//p[@id="result-count"]') == []
    assert doc.xpath('//select[@name="site"]/option/@value') == ["", "tiny"]
    resp = client.get("/export.csv")
    assert resp.status_code == 400
    assert b"Type a query or choose a filter first." in resp.data


def test_filter_only_search_lists_by_date(client: Any) -> None:
    doc = lxml.html.fromstring(client.get("/?site=tiny").data)
    titles = doc.xpath('//li[@class="hit"]/a[@class="title"]/text()')
    assert titles == ["学校新闻3", "学校新闻2", "学校新闻1"]
    assert "sorted by date" in doc.xpath('string(//p[@id="result-count"])')
    assert doc.xpath('//table[@class="months"]/tbody/tr/td/text()') == [
        "2024-01", "1", "2024-02", "1", "2024-03", "1",
    ]  # fmt: skip
