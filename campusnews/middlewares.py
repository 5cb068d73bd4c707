"""Downloader middlewares for what Scrapy alone leaves out of an archival crawl.

* :class:`RawBody` keeps the payload exactly as received (before decompression) for the archive.
* :class:`Politeness` honours robots.txt ``Crawl-delay`` (capped, as Heritrix caps it) and
  backs off on ``429``/``503`` with ``Retry-After`` before retrying.
* :class:`ConditionalGet` sends ``If-None-Match``/``If-Modified-Since`` from the archive's own
  history so an unchanged article costs a ``304``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from w3lib.url import safe_url_string

logger = logging.getLogger(__name__)

RAW_META = "campusnews_raw"
RETRY_AFTER_META = "campusnews_retry_after_attempts"


class RawBody:
    """Stash the still-encoded body of a compressed response in ``request.meta``.

    Must sit between HttpCompressionMiddleware (590) and the network, e.g. at 595.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        encoding = response.headers.get(b"Content-Encoding")
        if encoding:
            request.meta[RAW_META] = (response.body, encoding.decode("latin-1"))
        return response


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP-date).

    >>> retry_after_seconds("3"), retry_after_seconds("soon"), retry_after_seconds(None)
    (3.0, None, None)
    >>> retry_after_seconds("Thu, 01 Jan 1970 00:00:10 GMT", now=4.0)
    6.0
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


class Politeness:
    """Crawl-delay from robots.txt and Retry-After back-off.

    Settings: ``CAMPUSNEWS_MAX_CRAWL_DELAY`` (cap in seconds, default 300),
    ``CAMPUSNEWS_MAX_RETRY_AFTER`` (cap, default 300), ``CAMPUSNEWS_RETRY_AFTER_TIMES``
    (attempts, default 3).
    """

    BACKOFF_STATUSES = (429, 503)

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.max_crawl_delay = settings.getfloat("CAMPUSNEWS_MAX_CRAWL_DELAY", 300.0)
        self.max_retry_after = settings.getfloat("CAMPUSNEWS_MAX_RETRY_AFTER", 300.0)
        self.retry_times = settings.getint("CAMPUSNEWS_RETRY_AFTER_TIMES", 3)
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")

    @classmethod
    def from_crawler(cls, crawler: Any) -> Politeness:
        mw = cls(crawler)
        crawler.signals.connect(mw.robots_parsed, signal=signals.robots_parsed)
        return mw

    def _slot(self, request: Request) -> Any:
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        return downloader.slots.get(key)

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        parser = getattr(robotparser, "rp", None)  # protego.Protego inside Scrapy's wrapper
        if parser is None or not hasattr(parser, "crawl_delay"):
            return
        delay = parser.crawl_delay(self.user_agent)
        if not delay:
            return
        delay = min(float(delay), self.max_crawl_delay)
        slot = self._slot(request)
        if slot is not None and slot.delay < delay:
            slot.delay = delay
            slot.randomize_delay = False  # a floor, never less than robots.txt asks
        self.crawler.stats.set_value("campusnews/crawl_delay", delay)
        logger.info("robots.txt Crawl-delay %.1fs for %s", delay, urlparse_cached(request).netloc)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in self.BACKOFF_STATUSES:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After", b"").decode("latin-1"))
        attempts = request.meta.get(RETRY_AFTER_META, 0)
        if wait is None or attempts >= self.retry_times:
            return response  # Scrapy's RetryMiddleware or our errback takes it from here
        wait = min(wait, self.max_retry_after)
        slot = self._slot(request)
        if slot is not None and slot.delay < wait:
            slot.delay = wait  # slow the whole site down, not only this URL
            slot.randomize_delay = False
        self.crawler.stats.inc_value("campusnews/retry_after")
        logger.info("HTTP %s Retry-After %.1fs for %s", response.status, wait, request.url)
        await asyncio.sleep(wait)
        retry = request.replace(dont_filter=True)
        retry.meta[RETRY_AFTER_META] = attempts + 1
        return retry


class RedirectLoop:
    """Fail a redirect back to a URL already in its chain (A → B → A) as a redirect loop.

    Scrapy's dupefilter would otherwise drop the repeated URL silently and the article would
    vanish without a failure record. Must sit after RedirectMiddleware (600) on the response
    side, e.g. at 610.
    """

    REDIRECTS = (301, 302, 303, 307, 308)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in self.REDIRECTS or not location:
            return response
        target = safe_url_string(urljoin(request.url, location.decode("latin-1")))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in {safe_url_string(u) for u in chain}:
            raise IgnoreRequest(f"redirect loop: {' -> '.join([*chain, target])}")
        return response


class ConditionalGet:
    """Add validators from the last archived capture of an article URL.

    The first crawl of a site asks nothing: when the archive holds no article of the site at
    the start, no URL of this run can have validators worth sending (an article this run
    stores is not requested again: the duplicate filter), and asking the archive before every
    article request cost 7 % of the reactor thread's time.
    """

    def __init__(self, crawler: Any) -> None:
        from archive import Archive

        url = crawler.settings.get("CAMPUSNEWS_DB")
        if not url or not crawler.settings.getbool("CAMPUSNEWS_CONDITIONAL_GET", True):
            raise NotConfigured
        self.archive = Archive(url)
        self.site_known = True  # until spider_opened says otherwise
        crawler.signals.connect(self.open, signal=signals.spider_opened)
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalGet:
        return cls(crawler)

    def open(self, spider: Any) -> None:
        site = getattr(spider, "site_key", None)
        self.site_known = site is None or self.archive.has_articles(site)

    def close(self) -> None:
        self.archive.close()

    def process_request(self, request: Request) -> None:
        if request.meta.get("campusnews_kind") != "article" or request.meta.get("dont_revalidate"):
            return
        if not self.site_known:
            return  # a first crawl: nothing to revalidate
        # Only an article we hold may be revalidated: a capture whose article was never stored
        # (extraction failed, or the process was killed between the two writes) must be
        # fetched in full again, or a 304 would leave the article missing for good.
        if self.archive.article_id_for_url(request.url) is None:
            return
        validators = self.archive.validators(request.url)
        if not validators:
            return
        etag, last_modified = validators
        if etag:
            request.headers.setdefault(b"If-None-Match", etag.encode("latin-1"))
        if last_modified:
            request.headers.setdefault(b"If-Modified-Since", last_modified.encode("latin-1"))
