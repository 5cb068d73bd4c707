"""Archive statistics on the hand-written search archive, exact."""

from __future__ import annotations

import json

from archive import Archive
from archive.stats import stats
from tests.archive.test_search import ARTICLES


def test_stats_all_sites(archive: Archive) -> None:
    for a in ARTICLES:
        archive.store_article(a)
    got = stats(archive)
    json.dumps(got)  # JSON-ready
    assert got == {
        "articles": 6,
        "date_range": ["2020-03-01", "2021-12-01"],
        "sites": {
            "ntu": {
                "articles": 2,
                "date_range": ["2021-06-20", "2021-12-01"],
                "undated": 0,
                "coverage": {
                    "date": 1.0,
                    "source": 1.0,
                    "captions": 0.5,
                    "credits": 1.0,
                    "body": 1.0,
                },
            },
            "sdu": {
                "articles": 4,
                "date_range": ["2020-03-01", "2021-01-10"],
                "undated": 1,
                "coverage": {
                    "date": 0.75,
                    "source": 0.5,
                    "captions": 0.5,
                    "credits": 1.0,
                    "body": 1.0,
                },
            },
        },
        "per_month": [
            ["2020-03", 1],
            ["2020-04", 1],
            ["2021-01", 1],
            ["2021-06", 1],
            ["2021-12", 1],
        ],
        "per_site_month": {
            "ntu": [["2021-06", 1], ["2021-12", 1]],
            "sdu": [["2020-03", 1], ["2020-04", 1], ["2021-01", 1]],
        },
        "top_sources": [["党委宣传部", 1], ["图书馆", 1], ["新闻中心", 1], ["秘书室", 1]],
        "top_units": [["党委宣传部", 1], ["组织部", 1]],
        "top_authors": [["张三", 1], ["张三丰", 1], ["李四", 1], ["王小明", 1], ["陈大文", 1]],
    }


def test_stats_one_site_and_top(archive: Archive) -> None:
    for a in ARTICLES:
        archive.store_article(a)
    got = stats(archive, "ntu", top=1)
    assert got["articles"] == 2
    assert list(got["sites"]) == ["ntu"]
    assert got["per_month"] == [["2021-06", 1], ["2021-12", 1]]
    assert got["top_sources"] == [["图书馆", 1]]
    assert got["top_authors"] == [["王小明", 1]]
    assert got["top_units"] == []


def test_stats_empty_archive(archive: Archive) -> None:
    assert stats(archive) == {
        "articles": 0,
        "date_range": None,
        "sites": {},
        "per_month": [],
        "per_site_month": {},
        "top_sources": [],
        "top_units": [],
        "top_authors": [],
    }
