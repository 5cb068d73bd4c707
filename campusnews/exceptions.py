"""The few exceptions campusnews raises on purpose.

Each says who raises it and what the caller is expected to do. Everything else is a bug.
"""

from __future__ import annotations


class CampusNewsError(Exception):
    """Base class: the CLI turns any of these into a one-line message and exit code 1."""


class ProfileError(CampusNewsError):
    """A site profile is malformed (raised by ``campusnews.profiles``).

    The message names the file and the offending key; the caller reports it and does not crawl
    that site.
    """

    def __init__(self, path: str, key: str | None, message: str) -> None:
        self.path = path
        self.key = key
        where = f"{path}: {key}" if key else path
        super().__init__(f"{where}: {message}")


class DecodeError(CampusNewsError):
    """Raw bytes could not be turned into text (raised by ``campusnews.normalize.decode``).

    Binary or empty bodies. The crawl records a failure with this message and goes on.
    """


class ExtractionError(CampusNewsError):
    """A page decoded but no article could be read from it (raised by ``campusnews.extract``).

    For example an HTML page with no title or no body text. Recorded as a failure; never
    replaces an earlier good version of the article.
    """


class QueryError(CampusNewsError):
    """A search query is malformed (raised by ``archive.search``). Shown to the user as is."""
