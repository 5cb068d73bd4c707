"""The campusnews archive: captures, articles and their versions, runs and failures.

A library on SQLAlchemy 2 that knows nothing of Scrapy; the crawler's pipeline and the CLI are
thin shells over :class:`Archive`. One database URL picks SQLite (default, one file) or
PostgreSQL.
"""

from archive.core import Archive
from archive.db import DEFAULT_URL
from archive.records import (
    ArticleIn,
    CaptionIn,
    CaptureIn,
    CaptureResult,
    CreditIn,
    Outcome,
    StoreResult,
)

__all__ = [
    "DEFAULT_URL",
    "Archive",
    "ArticleIn",
    "CaptionIn",
    "CaptureIn",
    "CaptureResult",
    "CreditIn",
    "Outcome",
    "StoreResult",
]
