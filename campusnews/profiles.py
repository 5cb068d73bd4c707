"""Site profiles: one TOML file per site, validated on load into a frozen record.

A profile is data, never code: selectors are CSS (or XPath when they start with ``/`` or
``(``), checked by compiling them; unknown keys are rejected with a message naming the file
and the key. Built-in profiles live in ``campusnews/profiles/``; more directories can be added
with ``CAMPUSNEWS_PROFILES`` (``os.pathsep``-separated).

Example (see ``campusnews/profiles/*.toml``)::

    name = "示范大学新闻网"
    base_url = "http://news.example.edu.cn"
    start_urls = ["/xwzx.htm"]
    timezone = "Asia/Shanghai"

    [listing]
    article_links = "ul.news-list li a"
    next_page = "a.Next"

    [article]
    title = "div.article h1"
    date = "div.meta span.date"
    body = "#vsb_content"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from campusnews.exceptions import ProfileError

BUILTIN_DIR = Path(__file__).parent / "profiles"
_PROBE = Selector(text="<html><body><p>x</p></body></html>")
_CSS = HTMLTranslator()


def is_xpath(selector: str) -> bool:
    """True when a profile selector is XPath rather than CSS.

    >>> is_xpath("//div[@id='vsb_content']"), is_xpath("div#vsb_content p")
    (True, False)
    """
    return selector.lstrip().startswith(("/", "(", "./"))


def to_xpath(selector: str) -> str:
    """The XPath form of a profile selector (CSS is translated once, here).

    >>> to_xpath("#vsb_content")
    "descendant-or-self::*[@id = 'vsb_content']"
    """
    return selector if is_xpath(selector) else _CSS.css_to_xpath(selector)


@dataclass(frozen=True, slots=True)
class ListingRules:
    article_links: str | None = None  # selector for <a> elements (or their containers)
    next_page: str | None = None  # selector for the next-page <a>
    article_url_pattern: str | None = None  # regex an article URL must match
    listing_url_pattern: str | None = None  # regex a listing URL must match


@dataclass(frozen=True, slots=True)
class ArticleRules:
    title: str | None = None
    date: str | None = None
    source: str | None = None
    body: str | None = None  # the article container
    captions: str | None = None  # caption elements (text only)
    credits: str | None = None  # elements holding credit lines
    exclude: tuple[str, ...] = ()  # removed from the body before reading it


@dataclass(frozen=True, slots=True)
class CrawlRules:
    delay: float = 0.0  # seconds between requests to this site (robots Crawl-delay may raise it)
    concurrency: int = 4  # parallel requests to this site
    max_pages: int = 0  # listing pages per start URL; 0 = unlimited
    obey_robots: bool = True


@dataclass(frozen=True, slots=True)
class Profile:
    """A validated site profile."""

    key: str
    name: str
    base_url: str
    start_urls: tuple[str, ...]
    path: str
    timezone: str = "Asia/Shanghai"
    encoding: str | None = None  # a hint, used only when the bytes agree
    cms: str | None = None
    listing: ListingRules = field(default_factory=ListingRules)
    article: ArticleRules = field(default_factory=ArticleRules)
    crawl: CrawlRules = field(default_factory=CrawlRules)

    def absolute_start_urls(self, base_url: str | None = None) -> list[str]:
        """Start URLs resolved against ``base_url`` (the profile's own unless overridden)."""
        base = (base_url or self.base_url).rstrip("/") + "/"
        return [urljoin(base, u.lstrip("/")) if not _has_scheme(u) else u for u in self.start_urls]

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).hostname or ""


def _has_scheme(url: str) -> bool:
    return bool(urlsplit(url).scheme)


_TOP_KEYS = {"key", "name", "base_url", "start_urls", "timezone", "encoding", "cms"}
_SECTIONS = {"listing": ListingRules, "article": ArticleRules, "crawl": CrawlRules}
_SELECTOR_KEYS = {
    "listing": {"article_links", "next_page"},
    "article": {"title", "date", "source", "body", "captions", "credits", "exclude"},
}


def _check_selector(path: str, key: str, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(path, key, "must be a non-empty selector string")
    try:
        if is_xpath(value):
            _PROBE.xpath(value)
        else:
            _PROBE.css(value)
    except Exception as e:  # parsel raises several types (ValueError, SelectorSyntaxError...)
        raise ProfileError(path, key, f"bad selector {value!r}: {e}") from e


def _check_regex(path: str, key: str, value: Any) -> None:
    import re

    if not isinstance(value, str):
        raise ProfileError(path, key, "must be a regular-expression string")
    try:
        re.compile(value)
    except re.error as e:
        raise ProfileError(path, key, f"bad regular expression {value!r}: {e}") from e


def _build_section(path: str, name: str, raw: Any) -> Any:
    cls = _SECTIONS[name]
    if not isinstance(raw, dict):
        raise ProfileError(path, name, "must be a table")
    allowed = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for k, v in raw.items():
        dotted = f"{name}.{k}"
        if k not in allowed:
            raise ProfileError(path, dotted, f"unknown key (allowed: {', '.join(sorted(allowed))})")
        if k in _SELECTOR_KEYS.get(name, ()):
            if k == "exclude":
                if not isinstance(v, list):
                    raise ProfileError(path, dotted, "must be a list of selectors")
                for i, s in enumerate(v):
                    _check_selector(path, f"{dotted}[{i}]", s)
                v = tuple(v)
            else:
                _check_selector(path, dotted, v)
        elif k.endswith("_pattern"):
            _check_regex(path, dotted, v)
        else:
            default = allowed[k].default
            expected = type(default)
            if expected is float and isinstance(v, int) and not isinstance(v, bool):
                v = float(v)
            if not isinstance(v, expected) or (expected is int and isinstance(v, bool)):
                raise ProfileError(path, dotted, f"must be {expected.__name__}, got {v!r}")
            if isinstance(v, int | float) and v < 0:
                raise ProfileError(path, dotted, "must not be negative")
        values[k] = v
    return cls(**values)


def parse_profile(data: dict[str, Any], path: str, default_key: str) -> Profile:
    """Validate a decoded TOML document into a :class:`Profile`."""
    for k in data:
        if k not in _TOP_KEYS and k not in _SECTIONS:
            allowed = ", ".join(sorted(_TOP_KEYS | set(_SECTIONS)))
            raise ProfileError(path, k, f"unknown key (allowed: {allowed})")
    key = data.get("key", default_key)
    if not isinstance(key, str) or not key.replace("-", "").replace("_", "").isalnum():
        raise ProfileError(path, "key", f"must be letters, digits, '-' or '_', got {key!r}")
    for req in ("name", "base_url", "start_urls"):
        if req not in data:
            raise ProfileError(path, req, "is required")
    name, base_url, start_urls = data["name"], data["base_url"], data["start_urls"]
    if not isinstance(name, str) or not name:
        raise ProfileError(path, "name", "must be a non-empty string")
    if not isinstance(base_url, str) or urlsplit(base_url).scheme not in ("http", "https"):
        raise ProfileError(path, "base_url", f"must be an http(s) URL, got {base_url!r}")
    if (
        not isinstance(start_urls, list)
        or not start_urls
        or not all(isinstance(u, str) and u for u in start_urls)
    ):
        raise ProfileError(path, "start_urls", "must be a non-empty list of URLs")
    tz = data.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as e:
        raise ProfileError(path, "timezone", f"unknown time zone {tz!r}") from e
    encoding = data.get("encoding")
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except (LookupError, TypeError) as e:
            raise ProfileError(path, "encoding", f"unknown encoding {encoding!r}") from e
    cms = data.get("cms")
    if cms is not None and not isinstance(cms, str):
        raise ProfileError(path, "cms", "must be a string")
    sections = {n: _build_section(path, n, data.get(n, {})) for n in _SECTIONS}
    return Profile(
        key=key,
        name=name,
        base_url=base_url,
        start_urls=tuple(start_urls),
        path=path,
        timezone=tz,
        encoding=encoding,
        cms=cms,
        **sections,
    )


def load_profile_file(path: str | Path) -> Profile:
    """Read and validate one profile file; raises :class:`ProfileError`."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as e:
        raise ProfileError(str(p), None, f"cannot read: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(str(p), None, f"invalid TOML: {e}") from e
    return parse_profile(data, str(p), p.stem)


def profile_dirs() -> list[Path]:
    """Built-in profiles first, then each directory in ``CAMPUSNEWS_PROFILES``."""
    dirs = [BUILTIN_DIR]
    extra = os.environ.get("CAMPUSNEWS_PROFILES", "")
    dirs += [Path(d) for d in extra.split(os.pathsep) if d]
    return dirs


@cache
def _load_all(dirs: tuple[Path, ...]) -> dict[str, Profile]:
    profiles: dict[str, Profile] = {}
    for d in dirs:
        for f in sorted(d.glob("*.toml")):
            prof = load_profile_file(f)
            if prof.key in profiles and profiles[prof.key].path != prof.path:
                raise ProfileError(
                    str(f),
                    "key",
                    f"duplicate site key {prof.key!r} (also in {profiles[prof.key].path})",
                )
            profiles[prof.key] = prof
    return profiles


def all_profiles() -> dict[str, Profile]:
    """Every configured profile by key (cached per set of directories)."""
    return dict(_load_all(tuple(profile_dirs())))


def get_profile(key_or_path: str) -> Profile:
    """A profile by site key, or by the path of a ``.toml`` file."""
    if key_or_path.endswith(".toml"):
        return load_profile_file(key_or_path)
    profiles = all_profiles()
    try:
        return profiles[key_or_path]
    except KeyError:
        known = ", ".join(sorted(profiles)) or "none"
        raise ProfileError(key_or_path, None, f"no such site (known sites: {known})") from None


def profile_for_url(url: str) -> Profile | None:
    """The profile whose ``base_url`` host matches ``url``'s host, if any."""
    host = urlsplit(url).hostname
    for prof in all_profiles().values():
        if prof.domain and prof.domain == host:
            return prof
    return None
