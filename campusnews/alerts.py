"""Layout-change alerts: a field's coverage in this run against the site's previous runs.

After each run the archive measures, over the versions the run stored (new and changed
articles), the share that has a date, a source, captions, credits and a non-empty body
(:meth:`archive.Archive.run_coverage`); the share is kept in ``runs.stats["coverage"]``. A
field whose share fell by ``CAMPUSNEWS_ALERT_DROP`` (default 0.5) *relative* to the mean of the
site's last five ok runs is an alert — e.g. dates on 100 % of articles before and on 40 % now.
A relative drop also catches fields that were never universal (captions on 30 % → 10 %).
Runs that stored fewer than ``CAMPUSNEWS_ALERT_MIN_ARTICLES`` (default 3) versions are too
small to judge, as current run or as baseline. Alerts go into ``runs.alerts``, the summary
line, and with ``crawl --fail-on-alert`` the exit code (3).

The idea is Spidermon's field-coverage monitor, done over the archive's own run history.
"""

from __future__ import annotations

import os
from typing import Any

FIELDS = ("date", "source", "captions", "credits", "body")
DEFAULT_DROP = 0.5
DEFAULT_MIN_ARTICLES = 3
BASELINE_RUNS = 5


def alert_settings(settings: Any) -> tuple[float, int]:
    """``(drop, min_articles)`` from Scrapy settings, else the environment, else defaults."""
    drop = settings.get("CAMPUSNEWS_ALERT_DROP") or os.environ.get("CAMPUSNEWS_ALERT_DROP")
    least = settings.get("CAMPUSNEWS_ALERT_MIN_ARTICLES") or os.environ.get(
        "CAMPUSNEWS_ALERT_MIN_ARTICLES"
    )
    return (
        float(drop) if drop not in (None, "") else DEFAULT_DROP,
        int(least) if least not in (None, "") else DEFAULT_MIN_ARTICLES,
    )


def coverage_alerts(
    current: dict[str, Any],
    previous: list[dict[str, Any]],
    drop: float = DEFAULT_DROP,
    min_articles: int = DEFAULT_MIN_ARTICLES,
) -> list[dict[str, Any]]:
    """Alerts for fields whose coverage fell, ``previous`` being earlier runs newest first.

    >>> before = [{"n": 10, "date": 1.0, "source": 0.5, "captions": 0.3, "credits": 0.0,
    ...            "body": 1.0}]
    >>> now = {"n": 6, "date": 0.0, "source": 0.5, "captions": 0.2, "credits": 0.0, "body": 1.0}
    >>> [a["message"] for a in coverage_alerts(now, before)]
    ['date coverage 100% → 0% (6 articles)']
    >>> coverage_alerts({**now, "n": 2}, before)  # too few articles to judge
    []
    """
    n = int(current.get("n") or 0)
    if n < min_articles:
        return []
    base_runs = [p for p in previous if int(p.get("n") or 0) >= min_articles][:BASELINE_RUNS]
    if not base_runs:
        return []
    alerts = []
    for field in FIELDS:
        values = [p[field] for p in base_runs if p.get(field) is not None]
        now = current.get(field)
        if not values or now is None:
            continue
        baseline = sum(values) / len(values)
        if baseline > 0 and now < baseline * (1 - drop):
            alerts.append(
                {
                    "field": field,
                    "baseline": round(baseline, 4),
                    "current": now,
                    "n": n,
                    "message": f"{field} coverage {baseline:.0%} → {now:.0%} ({n} articles)",
                }
            )
    return alerts
