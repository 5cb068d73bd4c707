"""Turn a failed request into a recorded reason: a short stable code, prose, HTTP status.

The codes are what ``campusnews failures`` shows and what ``recrawl --failed`` retries; the
codes of pages that could not be read are given by ``campusnews.pagework.extraction_reason``.
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure as TwistedFailure

_BY_TYPE: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, TimeoutError, TCPTimedOutError), "timeout"),
    ((DownloadConnectionRefusedError, ConnectionRefusedError), "connection_refused"),
    ((CannotResolveHostError, DNSLookupError), "dns"),
    ((DownloadCancelledError,), "too_large"),
    ((ResponseDataLossError,), "truncated"),
)


def describe_failure(failure: TwistedFailure) -> tuple[str, str, int | None]:
    """``(reason, detail, http_status)`` for a request's errback failure."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return "http_error", f"HTTP {status}", status
    if isinstance(exc, IgnoreRequest) and "redirect" in str(exc).lower():
        return "redirect_loop", str(exc), None
    if isinstance(exc, IgnoreRequest) and "robots.txt" in str(exc).lower():
        return "robots", str(exc), None
    for types, reason in _BY_TYPE:
        if isinstance(exc, types):
            return reason, str(exc) or type(exc).__name__, None
    if isinstance(exc, IgnoreRequest):
        return "ignored", str(exc) or "request ignored (robots.txt or offsite)", None
    return "network", f"{type(exc).__name__}: {exc}", None
