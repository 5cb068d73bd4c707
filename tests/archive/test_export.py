"""CSV and JSONL exports, parsed back and compared with the archive."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from archive import Archive
from archive.export import COLUMNS, export_rows
from archive.search import reindex
from campusnews.exceptions import QueryError
from tests.archive.test_search import ARTICLES


@pytest.fixture
def arc(archive: Archive) -> Archive:
    for a in ARTICLES:
        archive.store_article(a)
    reindex(archive)
    return archive


def _expected(arc: Archive, article_id: int, *, original: bool) -> dict[str, Any]:
    """What an export row must say about one article, built from ``get_article``."""
    art = arc.get_article(article_id)
    assert art is not None
    v = art["version"]
    sfx = "" if original else "_norm"
    return {
        "id": art["id"],
        "site": art["site"],
        "url": art["url"],
        "date": v["date"],
        "title": v["title" + sfx],
        "source": v["source" + sfx],
        "body": v["body" + sfx],
        "captions": [{"text": c["text" + sfx], "image_url": c["image_url"]} for c in v["captions"]],
        "credits": [{"role": c["role" + sfx], "name": c["name" + sfx]} for c in v["credits"]],
        "first_seen": art["first_seen"].isoformat(),
        "last_seen": art["last_seen"].isoformat(),
        "version_count": art["version_count"],
        "script": v["script"],
    }


FLAT_1 = {  # article 1's credits spread over the flat columns
    "author": "张三",
    "editor": "",
    "chief_editor": "赵六",
    "reviewer": "",
    "photographer": "王五",
    "unit": "党委宣传部",
    "reporter": "",
}


def test_jsonl_round_trip(arc: Archive) -> None:
    out = io.StringIO()
    counts: list[int] = []
    assert export_rows(arc, "jsonl", out, progress=counts.append) == 6
    assert counts == [6]
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in records] == [1, 2, 3, 4, 5, 6]
    for rec in records:
        assert list(rec) == list(COLUMNS)
        flat = {k: rec.pop(k) for k in FLAT_1}
        assert rec == _expected(arc, rec["id"], original=False)
        if rec["id"] == 1:
            assert flat == FLAT_1
        if rec["id"] == 3:
            assert flat["author"] == "陈大文"
            assert flat["photographer"] == "林小华"


def test_csv_round_trip_with_bom_in_bytes(arc: Archive) -> None:
    out = io.BytesIO()
    assert export_rows(arc, "csv", out, bom=True, original=True) == 6
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [int(r["id"]) for r in rows] == [1, 2, 3, 4, 5, 6]
    for row in rows:
        expected = _expected(arc, int(row["id"]), original=True)
        got = {k: row[k] for k in expected}
        got["captions"] = json.loads(row["captions"])
        got["credits"] = json.loads(row["credits"])
        expected = {
            k: ("" if v is None else str(v)) if k not in ("captions", "credits") else v
            for k, v in expected.items()
        }
        assert got == expected
    three = rows[2]
    assert (three["title"], three["author"], three["photographer"]) == (
        "學校舉行畢業典禮",
        "陳大文",
        "林小華",
    )
    # Newlines inside the body survive the CSV quoting.
    assert rows[0]["body"].count("\n") == 1


def test_export_selection_is_the_search_selection(arc: Archive) -> None:
    def ids(**kw: Any) -> list[int]:
        out = io.StringIO()
        n = export_rows(arc, "jsonl", out, **kw)
        got = [json.loads(line)["id"] for line in out.getvalue().splitlines()]
        assert n == len(got)
        return got

    assert ids(query="疫情") == [1, 4, 5]
    assert ids(query='疫情 -"防控 工作"') == [1, 4]
    assert ids(site="ntu") == [3, 4]
    assert ids(query="校", since="2021-01-01") == [3, 6]
    assert ids(author="張三") == [1, 5]
    assert ids(query="火星") == []


def test_export_streams_in_batches(arc: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    import archive.export

    monkeypatch.setattr(archive.export, "BATCH", 4)
    counts: list[int] = []
    out = io.StringIO()
    assert export_rows(arc, "csv", out, progress=counts.append) == 6
    assert counts == [4, 6]
    assert len(list(csv.reader(io.StringIO(out.getvalue())))) == 7


def test_export_errors(arc: Archive) -> None:
    out = io.StringIO()
    with pytest.raises(ValueError, match="bom is for CSV"):
        export_rows(arc, "jsonl", out, bom=True)
    with pytest.raises(ValueError, match="format must be"):
        export_rows(arc, "xml", out)  # type: ignore[arg-type]
    with pytest.raises(QueryError):
        export_rows(arc, "csv", out, query='"疫情')
    assert out.getvalue() == ""
