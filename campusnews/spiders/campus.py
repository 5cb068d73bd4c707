"""The one spider: listing pages → article pages, for a site profile or a bare listing URL.

It only navigates. Which links are articles and which are further listing pages is decided by
``campusnews.extract.extract_listing``. Every fetch, good or bad, leaves as a
:class:`~campusnews.items.CapturedPage` so the archive can record it; nothing is dropped here.
An article page leaves unread (``extract_body``): the archive writer extracts its fields with
``campusnews.extract.extract``, off the reactor thread (``campusnews.pagework``).

    scrapy crawl campus -a site=demo-vsb -a base_url=http://127.0.0.1:8000
    scrapy crawl campus -a url=https://news.example.edu.cn/xwzx.htm
    scrapy crawl campus -a site=demo-vsb -a incremental=1     # only new and due articles
    scrapy crawl campus -a site=demo-vsb -a urls="URL1 URL2"  # re-fetch these articles

Modes (``self.mode``, recorded with the run): ``full`` follows every listing page and article;
``incremental`` follows only articles not yet archived or due for a re-check
(:mod:`campusnews.schedule`) and stops paging after a listing page with nothing new;
``recrawl`` fetches the given article URLs again, unconditionally, with no listing.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from scrapy.settings import SETTINGS_PRIORITIES
from twisted.python.failure import Failure as TwistedFailure

from campusnews import __version__, schedule
from campusnews.crawlerrors import describe_failure
from campusnews.exceptions import CampusNewsError
from campusnews.extract import canonicalize_url, extract_listing
from campusnews.items import CapturedPage, Failure
from campusnews.profiles import Profile, get_profile

ARTICLE = "article"
LISTING = "listing"
FULL, INCREMENTAL, RECRAWL = "full", "incremental", "recrawl"
# Separators of the ``urls`` spider argument (scrapy -a / Scrapyd pass strings).
URL_LIST_SEPARATORS = re.compile(r"[\s,]+")
TRUE_WORDS = ("1", "true", "yes", "on")


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
        incremental: str | bool | None = None,
        urls: str | list[str] | tuple[str, ...] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.article_urls = _url_list(urls)
        if not site and not url and not self.article_urls:
            raise ValueError(
                "give a site profile (-a site=KEY), a listing URL (-a url=...) "
                "or article URLs (-a urls=...)"
            )
        self.mode = (
            RECRAWL
            if self.article_urls
            else INCREMENTAL
            if str(incremental or "").lower() in TRUE_WORDS
            else FULL
        )
        self.known: dict[str, dict[str, Any]] = {}  # incremental: archived URL → schedule facts
        self.failed_urls: set[str] = set()  # incremental: URLs with an open failure
        self.profile: Profile | None = get_profile(site) if site else None
        if self.article_urls:  # recrawl: the URLs say where; the profile (if any) how to read
            first = urlsplit(self.article_urls[0])
            self.base_url = f"{first.scheme}://{first.netloc}"
            self.site_key = self.profile.key if self.profile else (first.hostname or "unknown")
            self.start_listing_urls = []
            default_max = 0
        elif self.profile is not None:
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
        hosts = {urlsplit(u).hostname or "" for u in (self.base_url, *self.article_urls)}
        self.allowed_domains = sorted(hosts)

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
        # Name the operator in the User-Agent unless USER_AGENT itself was overridden.
        contact = crawler.settings.get("CAMPUSNEWS_CONTACT") or os.environ.get("CAMPUSNEWS_CONTACT")
        if contact and crawler.settings.getpriority("USER_AGENT") <= SETTINGS_PRIORITIES["project"]:
            crawler.settings.set("USER_AGENT", user_agent(contact), priority="spider")
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.article_urls:
            yield self._article_request(url, revalidate=False)
        if self.mode == INCREMENTAL:
            self._load_known()
        for url in self.start_listing_urls:
            yield self._listing_request(url, page=1)
        if self.mode == INCREMENTAL:
            # Archived articles due for a re-check, wherever they are listed now.
            for url in self._due_urls():
                yield self._article_request(url)

    # -- incremental bookkeeping ----------------------------------------------------------

    def _load_known(self) -> None:
        from archive import Archive

        db = self.settings.get("CAMPUSNEWS_DB") or os.environ.get("CAMPUSNEWS_DB")
        with Archive(db) as arc:
            self.known = arc.known_articles(self.site_key)
            self.failed_urls = {f["url"] for f in arc.failures(self.site_key)}

    def _known(self, url: str) -> dict[str, Any] | None:
        return self.known.get(url) or self.known.get(canonicalize_url(url))

    def _due(self, info: dict[str, Any]) -> bool:
        return schedule.is_due(
            datetime.now(UTC),
            day=info["day"],
            first_seen=info["first_seen"],
            last_seen=info["last_seen"],
        )

    def _due_urls(self) -> list[str]:
        seen: set[int] = set()
        out = []
        for info in self.known.values():
            if info["article_id"] in seen:
                continue
            seen.add(info["article_id"])
            if self._same_site(info["canonical_url"]) and self._due(info):
                out.append(info["canonical_url"])
        self.crawler.stats.set_value("campusnews/due", len(out))
        return out

    # -- navigation ---------------------------------------------------------------------

    def _listing_request(self, url: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.on_error,
            cb_kwargs={"page": page},
            meta={"campusnews_kind": LISTING},
        )

    def _article_request(self, url: str, *, revalidate: bool = True) -> scrapy.Request:
        meta: dict[str, Any] = {"campusnews_kind": ARTICLE, "handle_httpstatus_list": [304]}
        if not revalidate:  # recrawl: the full page, whatever the server's validators say
            meta["dont_revalidate"] = True
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            meta=meta,
            dont_filter=not revalidate,
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
        new_on_page = 0
        for url in links.articles:
            if not self._same_site(url):
                continue
            if self.mode == INCREMENTAL:
                info = self._known(url)
                if info is None:
                    # A URL that keeps failing is retried but is not news: it must not keep
                    # the crawl paging through an unchanged listing.
                    new_on_page += url not in self.failed_urls
                elif not self._due(info):
                    self.crawler.stats.inc_value("campusnews/skipped_known")
                    continue
            yield self._article_request(url)
        if self.max_pages and page >= self.max_pages:
            return
        if self.mode == INCREMENTAL and not schedule.keep_paging(new_on_page):
            self.crawler.stats.inc_value("campusnews/paging_stopped")
            return
        for url in links.next_pages:
            if self._same_site(url):
                yield self._listing_request(url, page + 1)

    def parse_article(self, response: Response) -> Iterator[CapturedPage]:
        capture = self._capture(response, ARTICLE)
        if response.status == 304:  # unchanged since our last capture: a revisit, no extraction
            capture.not_modified = True
        else:
            # Read by the archive writer, off this thread (campusnews.pagework).
            capture.extract_body = response.body
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
            content_type=self._content_type(response),
        )


def user_agent(contact: str) -> str:
    """The User-Agent naming the project and the operator's contact (``CAMPUSNEWS_CONTACT``).

    >>> user_agent("ops@example.edu.cn")
    'campusnews/0.1.0 (+ops@example.edu.cn)'
    """
    return f"campusnews/{__version__} (+{contact})"


def _url_list(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """The ``urls`` spider argument: a list, or one string of URLs separated by spaces/commas.

    >>> _url_list("http://a/1.htm, http://a/2.htm"), _url_list(None)
    (['http://a/1.htm', 'http://a/2.htm'], [])
    """
    if value is None:
        return []
    items = URL_LIST_SEPARATORS.split(value) if isinstance(value, str) else list(value)
    return [u for u in items if u]


def _referrer(request: scrapy.Request) -> str | None:
    value = request.headers.get(b"Referer")
    return value.decode("latin-1") if value else None
