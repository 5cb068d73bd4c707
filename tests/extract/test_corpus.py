"""The labelled real-page corpus: per-field floors at the level extraction reaches today.

Floors are the measured scores (bench/evaluate.py, generic extraction without profiles),
truncated to three decimals. Raise them when extraction improves; never lower them.
"""

from __future__ import annotations

import pytest

from tests.extract._shared import shared_file

pytestmark = pytest.mark.corpus

# group -> field -> floor (must_not is a ceiling: share of pages leaking a must-not snippet)
FLOORS = {
    "campus": {
        "title": 1.0,
        "date": 1.0,
        "source": 1.0,
        "credits": 1.0,
        "captions": 0.966,
        "body": 0.998,
    },
    "other": {
        "title": 1.0,
        "date": 1.0,
        "source": 1.0,
        "credits": 1.0,
        "captions": 0.904,
        "body": 0.945,
    },
    "overall": {
        "title": 1.0,
        "date": 1.0,
        "source": 1.0,
        "credits": 1.0,
        "captions": 0.941,
        "body": 0.976,
    },
}
MUST_NOT_CEILING = {"campus": 0.0, "other": 0.048, "overall": 0.020}


@pytest.fixture(scope="module")
def report():
    labels = shared_file("corpus", "labels.jsonl")
    from bench.evaluate import evaluate

    return evaluate(["campusnews"], labels.parent)["campusnews"]


@pytest.mark.parametrize("group", sorted(FLOORS))
def test_field_floors(report, group):
    got = report[group]
    for field, floor in FLOORS[group].items():
        assert got[field] >= floor - 1e-9, f"{group} {field}: {got[field]:.3f} < {floor}"
    assert got["must_not"] <= MUST_NOT_CEILING[group] + 1e-3


def test_no_page_fails_to_extract(report):
    assert [p["file"] for p in report["pages"] if p["error"]] == []


def test_no_caption_or_credit_line_left_in_campus_bodies(report):
    from bench.scoring import load_labels

    labels = {lab["file"]: lab for lab in load_labels(shared_file("corpus", "labels.jsonl").parent)}
    for page in report["pages"]:
        lab, pred = labels[page["file"]], page["pred"]
        body_lines = set(pred["body"].split("\n"))
        assert not body_lines & set(lab["captions"]), page["file"]
        for c in pred["credits"]:
            assert f"{c['role']}：{c['name']}" not in pred["body"], page["file"]
