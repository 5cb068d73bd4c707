"""The one spider: listing pages → article pages, for a site profile or a bare listing URL.

It only navigates. Which links are articles and which are further listing pages is decided by
``campusnews.extract.extract_listing``; the fields of an article by ``campusnews.extract.extract``.
Every fetch, good or bad, leaves as a :class:`~campusnews.items.CapturedPage` so the archive
can record it; nothing is dropped here.

    scrapy crawl campus -a site=demo-vsb -a base_url=http://127.0.0.1:8000
    scrapy crawl campus -a url=https://news.example.edu.cn/xwzx.htm
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure as TwistedFailure

from campusnews.crawlerrors import describe_failure
from campusnews.exceptions import CampusNewsError
from campusnews.extract import extract, extract_listing
from campusnews.items import CapturedPage, Failure
from campusnews.profiles import Profile, get_profile

ARTICLE = "article"
LISTING = "listing"


def _headers(headers: Any) -> list[tuple[str, str]]:
    """Scrapy ``Headers`` → ordered ``(name, value)`` text pairs (latin-1, as HTTP is)."""
    out: list[tuple[str, str]] = []
    for name, values in headers.items():
        for value in values:
            out.append((name.decode("latin-1"), value.decode("latin-1")))
    return out


class CampusSpider(scrapy.Spider):
    name = "campus"

    def __init__(
        self,
        site: str | None = None,
        url: str | None = None,
        base_url: str | None = None,
        max_pages: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not site and not url:
            raise ValueError("give a site profile (-a site=KEY) or a listing URL (-a url=...)")
        self.profile: Profile | None = get_profile(site) if site else None
        if self.profile is not None:
            self.base_url = (base_url or self.profile.base_url).rstrip("/")
            self.site_key = self.profile.key
            self.start_listing_urls = self.profile.absolute_start_urls(self.base_url)
            default_max = self.profile.crawl.max_pages
        else:
            assert url is not None
            self.base_url = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
            self.site_key = urlsplit(url).hostname or "unknown"
            self.start_listing_urls = [url]
            default_max = 0
        self.max_pages = int(max_pages) if max_pages not in (None, "") else default_max
        self.netloc = urlsplit(self.base_url).netloc
        self.allowed_domains = [urlsplit(self.base_url).hostname or ""]

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> CampusSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.profile is not None:
            # Per-site politeness from the profile (settings are still mutable here).
            crawl = spider.profile.crawl
            crawler.settings.set("DOWNLOAD_DELAY", crawl.delay, priority="spider")
            crawler.settings.set(
                "CONCURRENT_REQUESTS_PER_DOMAIN", crawl.concurrency, priority="spider"
            )
            crawler.settings.set("ROBOTSTXT_OBEY", crawl.obey_robots, priority="spider")
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_listing_urls:
            yield self._listing_request(url, page=1)

    # -- navigation ---------------------------------------------------------------------

    def _listing_request(self, url: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.on_error,
            cb_kwargs={"page": page},
            meta={"campusnews_kind": LISTING},
        )

    def _same_site(self, url: str) -> bool:
        return urlsplit(url).netloc == self.netloc

    def parse_listing(self, response: Response, page: int = 1) -> Iterator[Any]:
        capture = self._capture(response, LISTING)
        try:
            links = extract_listing(
                response.url,
                response.body,
                content_type=self._content_type(response),
                profile=self.profile,
            )
        except CampusNewsError as e:
            capture.failure = Failure("undecodable", str(e), response.status)
            yield capture
            return
        yield capture
        for url in links.articles:
            if self._same_site(url):
                yield scrapy.Request(
                    url,
                    callback=self.parse_article,
                    errback=self.on_error,
                    meta={"campusnews_kind": ARTICLE, "handle_httpstatus_list": [304]},
                )
        if self.max_pages and page >= self.max_pages:
            return
        for url in links.next_pages:
            if self._same_site(url):
                yield self._listing_request(url, page + 1)

    def parse_article(self, response: Response) -> Iterator[CapturedPage]:
        capture = self._capture(response, ARTICLE)
        if response.status == 304:  # unchanged since our last capture: a revisit, no extraction
            capture.not_modified = True
            yield capture
            return
        try:
            capture.article = extract(
                response.url,
                response.body,
                content_type=self._content_type(response),
                profile=self.profile,
            )
        except CampusNewsError as e:
            capture.failure = Failure(type(e).__name__, str(e), response.status)
        except Exception as e:  # noqa: BLE001 — a bug on hostile input must not lose the capture
            self.logger.exception("extraction crashed on %s", response.url)
            capture.failure = Failure("extraction", f"{type(e).__name__}: {e}", response.status)
        yield capture

    def on_error(self, failure: TwistedFailure) -> Iterator[CapturedPage]:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("campusnews_kind", ARTICLE)
        reason, detail, status = describe_failure(failure)
        page = CapturedPage(
            site=self.site_key,
            kind=kind,
            url=request.url,
            request_headers=_headers(request.headers),
            fetched_at=datetime.now(UTC),
            referrer=_referrer(request),
            failure=Failure(reason, detail, status),
        )
        response = getattr(failure.value, "response", None)
        if response is not None:
            page.final_url = response.url
            page.status = response.status
            page.headers = _headers(response.headers)
            page.body = response.body
        yield page

    # -- capture bookkeeping ------------------------------------------------------------

    def _content_type(self, response: Response) -> str | None:
        value = response.headers.get(b"Content-Type")
        return value.decode("latin-1") if value else None

    def _capture(self, response: Response, kind: str) -> CapturedPage:
        request = response.request
        raw = response.meta.get("campusnews_raw")  # (body, content-encoding) before decompression
        latency = response.meta.get("download_latency")
        redirect_urls = response.meta.get("redirect_urls") or []
        return CapturedPage(
            site=self.site_key,
            kind=kind,
            url=redirect_urls[0] if redirect_urls else response.url,
            final_url=response.url,
            status=response.status,
            headers=_headers(response.headers),
            body=raw[0] if raw else response.body,
            content_encoding=raw[1] if raw else None,
            request_headers=_headers(request.headers) if request is not None else [],
            fetched_at=datetime.now(UTC),
            duration_ms=int(latency * 1000) if latency is not None else None,
            referrer=_referrer(request) if request is not None else None,
        )


def _referrer(request: scrapy.Request) -> str | None:
    value = request.headers.get(b"Referer")
    return value.decode("latin-1") if value else None
