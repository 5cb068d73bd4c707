"""The research commands (``search``, ``show``, ``export``, ``stats``) on the archive the web
tests crawl, through the ``campusnews`` command line.

Expected results are computed from the stored rows with plain substring checks (as in
``test_web_pages``), independently of the search code.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from campusnews.cli import cli
from campusnews.cli import commands as _commands  # noqa: F401  (registers the subcommands)
from tests.web.pages import Row, containing, latest_rows

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rows(crawled_url: str) -> list[Row]:
    return latest_rows(crawled_url)


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _search_json(url: str, *args: str) -> dict[str, Any]:
    result = _run("search", *args, "--json", "--limit", "1000", "--db", url)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _newest_first(rows: list[Row]) -> list[int]:
    dated = sorted((r for r in rows if r.day), key=lambda r: (r.day, r.id), reverse=True)
    return [r.id for r in dated] + sorted((r.id for r in rows if not r.day), reverse=True)


@pytest.mark.parametrize(
    ("query", "needle"), [("党", "党"), ("座谈", "座谈"), ("體育", "体育"), ("学生会", "学生会")]
)
def test_search_exact_results_newest_first(
    crawled_url: str, rows: list[Row], query: str, needle: str
) -> None:
    expected = containing(rows, needle)
    assert expected
    got = _search_json(crawled_url, query)
    assert got["total"] == len(expected)
    assert [h["id"] for h in got["hits"]] == _newest_first(expected)


def test_search_or_exclusion_phrase_and_filters(crawled_url: str, rows: list[Row]) -> None:
    either = {r.id for r in containing(rows, "党")} | {r.id for r in containing(rows, "体育")}
    got = _search_json(crawled_url, "党 OR 體育")
    assert {h["id"] for h in got["hits"]} == either and got["total"] == len(either)

    without = {r.id for r in containing(rows, "学院")} - {r.id for r in containing(rows, "党")}
    got = _search_json(crawled_url, "学院 -党")
    assert {h["id"] for h in got["hits"]} == without and got["total"] == len(without) > 0

    in_site = [r for r in containing(rows, "学生") if r.site == "demo-big5"]
    got = _search_json(crawled_url, "學生", "--site", "demo-big5")
    assert {h["id"] for h in got["hits"]} == {r.id for r in in_site} and in_site


def test_search_relevance_sort_has_scores(crawled_url: str, rows: list[Row]) -> None:
    got = _search_json(crawled_url, "党", "--sort", "relevance")
    scores = [h["score"] for h in got["hits"]]
    assert got["total"] == len(containing(rows, "党"))
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"', "unbalanced quote"),
        ("(党", "unbalanced parentheses"),
        ("NEAR(", "() must contain a word"),
        ("-党", "cannot only exclude"),
        ("'; DROP TABLE articles; --", None),  # just words: searched for, found nowhere
        ("x" * 10_000, "query too long"),
    ],
)
def test_search_hostile_query(crawled_url: str, query: str, message: str | None) -> None:
    result = _run("search", "--db", crawled_url, "--", query)  # "--": a query may start with -
    if message is None:
        assert (result.exit_code, result.output) == (0, "0 articles\n")
        return
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and message in result.output
    assert "Traceback" not in result.output and "sql" not in result.output.lower()


def test_search_text_output(crawled_url: str, rows: list[Row]) -> None:
    expected = containing(rows, "座谈")
    result = _run("search", "座谈", "--limit", "2", "--db", crawled_url)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{len(expected)} articles (showing 1–2)\n")


def test_show_simplified_and_original(crawled_url: str, rows: list[Row]) -> None:
    row = next(r for r in rows if r.site == "demo-big5" and r.title != r.texts[0])
    plain = json.loads(_run("show", str(row.id), "--json", "--db", crawled_url).output)
    original = json.loads(
        _run("show", str(row.id), "--original", "--json", "--db", crawled_url).output
    )
    assert (plain["id"], plain["title"], plain["version_count"]) == (row.id, row.texts[0], 1)
    assert original["title"] == row.title != plain["title"]
    assert plain["body"] == row.texts[1]
    by_url = json.loads(_run("show", plain["url"], "--json", "--db", crawled_url).output)
    assert by_url == plain
    missing = _run("show", "999999", "--db", crawled_url)
    assert missing.exit_code != 0 and "no article" in missing.output


def test_export_csv_and_jsonl_parse_back(crawled_url: str, rows: list[Row], tmp_path: Path) -> None:
    expected = {r.id: r for r in containing(rows, "党")}
    out = tmp_path / "party.csv"
    result = _run("export", str(out), "--query", "党", "--bom", "--db", crawled_url)
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {int(r["id"]) for r in table} == set(expected)
    for r in table:
        row = expected[int(r["id"])]
        assert (r["title"], r["body"], r["site"]) == (row.texts[0], row.texts[1], row.site)
        assert [(c["role"], c["name"]) for c in json.loads(r["credits"])] == row.credits

    out = tmp_path / "party.jsonl"
    assert _run("export", str(out), "--query", "党", "--db", crawled_url).exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == sorted(expected)
    assert all(r["title"] == expected[r["id"]].texts[0] for r in records)


def test_stats_counts_per_site(crawled_url: str, rows: list[Row]) -> None:
    result = _run("stats", "--json", "--db", crawled_url)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    per_site: dict[str, int] = {}
    for r in rows:
        per_site[r.site] = per_site.get(r.site, 0) + 1
    assert {k: s["articles"] for k, s in data["sites"].items()} == per_site
