"""Pure policies: exit codes for schedulers, re-check intervals, coverage alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from campusnews.alerts import coverage_alerts
from campusnews.cli.crawl import EXIT_ALERT, EXIT_FAILED, EXIT_LOCKED, EXIT_OK, exit_code
from campusnews.runner import CrawlResult, CrawlSpec
from campusnews.schedule import is_due, keep_paging


def _result(status: str, alerts: list[str] | None = None) -> CrawlResult:
    stats = {"campusnews/status": status, "campusnews/alerts": alerts or []}
    return CrawlResult(CrawlSpec(site="s"), "s", status, stats, 1.0)


@pytest.mark.parametrize(
    ("statuses", "fail_on_alert", "code"),
    [
        ([("ok", None)], False, EXIT_OK),
        ([("ok", ["date coverage 100% → 0% (9 articles)"])], False, EXIT_OK),
        ([("ok", ["date coverage 100% → 0% (9 articles)"])], True, EXIT_ALERT),
        ([("ok", None), ("locked", None)], True, EXIT_LOCKED),
        ([("ok", ["x"]), ("locked", None)], True, EXIT_ALERT),
        ([("failed", None), ("locked", None), ("ok", ["x"])], True, EXIT_FAILED),
        ([("interrupted", None)], False, EXIT_FAILED),
        ([], False, EXIT_FAILED),
    ],
)
def test_exit_code_most_serious_wins(
    statuses: list[tuple[str, list[str] | None]], fail_on_alert: bool, code: int
) -> None:
    assert exit_code([_result(s, a) for s, a in statuses], fail_on_alert) == code
    assert (EXIT_OK, EXIT_FAILED, EXIT_ALERT, EXIT_LOCKED) == (0, 1, 3, 75)


def test_locked_result_summary_names_the_holder() -> None:
    holder = {"campusnews/locked_by": "pid 7 on h (run 3), heartbeat 2s ago"}
    r = CrawlResult(CrawlSpec(site="s"), "s", "locked", holder, 0.1)
    assert (
        r.summary() == "s: locked (being crawled by pid 7 on h (run 3), heartbeat 2s ago); skipped"
    )


def test_recheck_policy_newer_articles_more_often() -> None:
    now = datetime(2024, 5, 10, 12, tzinfo=UTC)
    seen = now - timedelta(days=2)
    due = {
        age: is_due(now, day=(now - timedelta(days=age)).date(), first_seen=seen, last_seen=seen)
        for age in (1, 5, 20, 200, 2000)
    }
    assert due == {1: True, 5: True, 20: False, 200: False, 2000: False}
    # Without a date of its own, the age counts from when we first saw it.
    assert is_due(now, day=None, first_seen=now - timedelta(hours=30),
                  last_seen=now - timedelta(hours=7))  # fmt: skip
    assert not is_due(now, day=date(2024, 5, 10), first_seen=now, last_seen=now)
    assert (keep_paging(1), keep_paging(0)) == (True, False)


def test_alert_baseline_is_the_mean_of_recent_big_enough_runs() -> None:
    runs = [
        {"n": 10, "date": 1.0, "source": 0.8, "captions": 0.4, "credits": 0.5, "body": 1.0},
        {"n": 1, "date": 0.0, "source": 0.0, "captions": 0.0, "credits": 0.0, "body": 0.0},
        {"n": 10, "date": 1.0, "source": 0.4, "captions": 0.2, "credits": 0.5, "body": 1.0},
    ]
    now = {"n": 5, "date": 1.0, "source": 0.2, "captions": 0.2, "credits": 0.5, "body": 1.0}
    got = coverage_alerts(now, runs, drop=0.5, min_articles=3)
    assert [(a["field"], a["baseline"], a["current"]) for a in got] == [("source", 0.6, 0.2)]
    assert coverage_alerts(now, runs, drop=0.7, min_articles=3) == []
    assert coverage_alerts(now, [], drop=0.5) == []
