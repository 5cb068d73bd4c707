"""The search form's parameters, read from a query string and bounded (pure, no Flask).

Every limit the web front end enforces on user input lives here, so the views never pass an
unbounded value to the archive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from archive.query import MAX_QUERY_CHARS

MAX_FIELD_CHARS = 200  # site, author, unit, source
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000
SORTS = ("relevance", "date")
FILTERS = ("site", "since", "until", "author", "unit", "source")


class BadInput(ValueError):
    """A query string the search page refuses; the message is shown to the user (400)."""


@dataclass(frozen=True, slots=True)
class SearchParams:
    """One search as typed in the form. Empty strings mean "not given"."""

    q: str = ""
    site: str = ""
    since: str = ""
    until: str = ""
    author: str = ""
    unit: str = ""
    source: str = ""
    sort: str = ""
    page: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @property
    def active(self) -> bool:
        """True when there is something to search for (a query or a filter)."""
        return bool(self.q.strip()) or any(getattr(self, f) for f in FILTERS)

    @property
    def effective_sort(self) -> str:
        """The sort actually used: date unless relevance is asked for (and there is a query)."""
        if self.sort in SORTS:
            return self.sort if self.q.strip() else "date"
        return "date"

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def filters(self) -> dict[str, Any]:
        """Keyword filters for ``archive.search.search`` and ``export_rows`` (given ones only)."""
        return {f: getattr(self, f) for f in FILTERS if getattr(self, f)}

    def args(self, **changes: Any) -> dict[str, str]:
        """Query-string arguments reproducing this search (defaults left out), with changes.

        >>> SearchParams(q="校", page=3).args(page=4)
        {'q': '校', 'page': '4'}
        """
        values = asdict(replace(self, **changes))
        out = {}
        for key, value in values.items():
            if (key == "page" and value == 1) or (key == "size" and value == DEFAULT_PAGE_SIZE):
                continue
            if value not in ("", None):
                out[key] = str(value)
        return out


def parse_params(args: Mapping[str, str]) -> SearchParams:
    """Read and bound the search parameters; raise :class:`BadInput` with a readable reason.

    >>> parse_params({"q": " 校 ", "page": "2", "size": "50", "sort": "date"}).offset
    50
    >>> parse_params({"size": "1000"})
    Traceback (most recent call last):
    ...
    campusnews.web._params.BadInput: page size must be between 1 and 100
    """
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise BadInput(f"the query is {len(q)} characters long; at most {MAX_QUERY_CHARS} please")
    fields = {}
    for name in ("site", "author", "unit", "source"):
        value = args.get(name, "").strip()
        if len(value) > MAX_FIELD_CHARS:
            raise BadInput(f"{name} is longer than {MAX_FIELD_CHARS} characters")
        fields[name] = value
    for name in ("since", "until"):
        value = args.get(name, "").strip()
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise BadInput(
                    f"{name} must be a date like 2024-03-01, not {value[:40]!r}"
                ) from None
        fields[name] = value
    sort = args.get("sort", "").strip()
    if sort and sort not in SORTS:
        raise BadInput("sort must be 'relevance' or 'date'")
    page = _int(args, "page", 1)
    size = _int(args, "size", DEFAULT_PAGE_SIZE)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadInput(f"page size must be between 1 and {MAX_PAGE_SIZE}")
    if page < 1 or (page - 1) * size > MAX_OFFSET:
        raise BadInput(
            f"page {page} is out of range: results can be paged up to the {MAX_OFFSET:,}th;"
            " narrow the search or download the whole result set"
        )
    return SearchParams(q=q.strip(), sort=sort, page=page, size=size, **fields)


def _int(args: Mapping[str, str], name: str, default: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise BadInput(f"{name} must be a whole number")
    return int(raw)
