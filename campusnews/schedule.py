"""When to look at an article again, and when to stop paging a listing: incremental-crawl policy.

Pure functions, no clock of their own (``now`` is passed in). News pages change most in their
first hours (typos fixed, photos added) and hardly ever after a month, so the re-check interval
grows with the article's age:

========================  ==================
article age               re-check at most
========================  ==================
under 2 days              every 6 hours
under 7 days              every day
under 30 days             every 7 days
under 365 days            every 30 days
older                     every 180 days
========================  ==================

The age is counted from the article's own date (``day``) when it has one, else from when we
first saw it. An incremental crawl follows a listing link when the URL is not archived yet or
its article is due; it stops paging a listing after a page that brought no new article
(:func:`keep_paging`), since listings are newest first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

# (age below, re-check interval), youngest first; the last interval applies beyond.
RECHECK_STEPS: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(days=2), timedelta(hours=6)),
    (timedelta(days=7), timedelta(days=1)),
    (timedelta(days=30), timedelta(days=7)),
    (timedelta(days=365), timedelta(days=30)),
)
OLDEST_INTERVAL = timedelta(days=180)


def article_age(now: datetime, day: date | None, first_seen: datetime) -> timedelta:
    """Age from the article's own date (midnight UTC of ``day``), else from ``first_seen``.

    >>> now = datetime(2024, 5, 10, 12, tzinfo=UTC)
    >>> article_age(now, date(2024, 5, 1), now - timedelta(hours=1))
    datetime.timedelta(days=9, seconds=43200)
    >>> article_age(now, None, now - timedelta(hours=3))
    datetime.timedelta(seconds=10800)
    >>> article_age(now, date(2024, 6, 1), now)  # a date in the future counts as brand new
    datetime.timedelta(0)
    """
    born = datetime(day.year, day.month, day.day, tzinfo=UTC) if day is not None else first_seen
    return max(timedelta(0), now - born)


def recheck_interval(age: timedelta) -> timedelta:
    """How long to leave an article of this age alone after we last saw it.

    >>> recheck_interval(timedelta(hours=5))
    datetime.timedelta(seconds=21600)
    >>> recheck_interval(timedelta(days=3))
    datetime.timedelta(days=1)
    >>> recheck_interval(timedelta(days=100))
    datetime.timedelta(days=30)
    >>> recheck_interval(timedelta(days=4000))
    datetime.timedelta(days=180)
    """
    for below, interval in RECHECK_STEPS:
        if age < below:
            return interval
    return OLDEST_INTERVAL


def is_due(now: datetime, *, day: date | None, first_seen: datetime, last_seen: datetime) -> bool:
    """True when an archived article should be fetched again.

    >>> now = datetime(2024, 5, 10, 12, tzinfo=UTC)
    >>> seen = lambda h: now - timedelta(hours=h)
    >>> is_due(now, day=date(2024, 5, 10), first_seen=seen(7), last_seen=seen(7))  # 12 h old
    True
    >>> is_due(now, day=date(2024, 5, 10), first_seen=seen(7), last_seen=seen(1))
    False
    >>> is_due(now, day=date(2023, 1, 1), first_seen=seen(2000), last_seen=seen(24 * 100))
    False
    >>> is_due(now, day=date(2023, 1, 1), first_seen=seen(9000), last_seen=seen(24 * 200))
    True
    """
    age = article_age(now, day, first_seen)
    return now - last_seen >= recheck_interval(age)


def keep_paging(new_on_page: int) -> bool:
    """Whether an incremental crawl reads the next page of a listing after this one.

    Listings are newest first: a page on which every article is already archived means the
    rest are older still, so paging stops there (due re-checks of older articles come from
    the archive, not from deep listing pages).

    >>> keep_paging(3), keep_paging(0)
    (True, False)
    """
    return new_on_page > 0
