"""Re-extraction: the current extraction over archived raw captures, new versions where it
now reads an article differently (after a profile or extractor fix). Old versions stay.

The same :func:`campusnews.extract.extract` as the crawl, on the newest 200 capture of each
article (its payload, decompressed if it was stored still encoded), with the site's current
profile; the same validation as the crawl's pipeline (no title or no body → not stored).
"""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from archive import Archive, ArticleIn
from archive.digests import content_fields
from campusnews.exceptions import CampusNewsError
from campusnews.extract import extract
from campusnews.extract.types import Article
from campusnews.pagework import article_record, extraction_reason, rejection
from campusnews.profiles import all_profiles

# The fields a version's content hash covers, i.e. what makes a new version.
COMPARED_FIELDS = ("title", "date", "source", "body", "captions", "credits")


@dataclass
class ReextractReport:
    """What a re-extraction did: per-article outcomes and the fields that changed."""

    articles: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0  # the page no longer extracts (or has no title/body): old version kept
    no_capture: int = 0  # no 200 capture to read (e.g. archived before captures were kept)
    fields: Counter[str] = field(default_factory=Counter)
    changed_ids: list[int] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    run_id: int | None = None
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "no_capture": self.no_capture,
            "fields": dict(sorted(self.fields.items())),
            "changed_ids": self.changed_ids,
            "failures": self.failures,
            "run_id": self.run_id,
            "dry_run": self.dry_run,
        }

    def lines(self) -> list[str]:
        """Human summary: one totals line (parseable ``key=value``), then the fields."""
        head = (
            f"reextract: {'dry-run' if self.dry_run else 'ok' if not self.failed else 'failed'}"
            f" articles={self.articles} changed={self.changed} unchanged={self.unchanged}"
            f" failed={self.failed} no_capture={self.no_capture}"
        )
        out = [head]
        if self.fields:
            out.append(
                "changed fields: " + " ".join(f"{k}={v}" for k, v in sorted(self.fields.items()))
            )
        for f in self.failures:
            out.append(f"  failed article {f['article_id']} {f['url']}: {f['reason']}")
        return out


def decoded_payload(body: bytes, content_encoding: str | None) -> bytes:
    """The payload as the extraction saw it: undo a ``Content-Encoding`` kept in the archive.

    >>> decoded_payload(gzip.compress(b"<p>x</p>"), "gzip"), decoded_payload(b"a", None)
    (b'<p>x</p>', b'a')
    """
    enc = (content_encoding or "").strip().lower()
    if enc in ("", "identity"):
        return body
    if enc in ("gzip", "x-gzip"):
        return gzip.decompress(body)
    if enc == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:  # raw deflate, as some servers send it
            return zlib.decompress(body, -zlib.MAX_WBITS)
    if enc == "br":
        import brotli  # installed with Scrapy's compression support

        return brotli.decompress(body)
    raise CampusNewsError(f"cannot undo Content-Encoding {content_encoding!r}")


Work = tuple[int, str, str, bytes, str | None, str | None]  # id, site, url, body, ctype, enc


def _extract_one(work: Work) -> tuple[int, Article | None, str | None]:
    """Worker: ``(article_id, article, None)`` or ``(article_id, None, reason)``."""
    article_id, site, url, body, content_type, encoding = work
    profile = all_profiles().get(site)
    try:
        article = extract(
            url, decoded_payload(body, encoding), content_type=content_type, profile=profile
        )
    except CampusNewsError as e:
        return article_id, None, f"{extraction_reason(e)}: {e}"
    except Exception as e:
        return article_id, None, f"extraction crashed: {type(e).__name__}: {e}"
    rejected = rejection(article)
    if rejected is not None:
        return article_id, None, rejected[0]
    return article_id, article, None


def changed_fields(old: dict[str, Any], new: ArticleIn) -> list[str]:
    """Names of :data:`COMPARED_FIELDS` that differ between a stored version and a record."""
    now = content_fields(new)
    before = {
        "title": old["title"],
        "date": old["date"],
        "source": old["source"],
        "body": old["body"],
        "captions": [[c["text"], c["image_url"]] for c in old["captions"]],
        "credits": [[c["role"], c["name"]] for c in old["credits"]],
    }
    return [f for f in COMPARED_FIELDS if now[f] != before[f]]


def reextract(
    db_url: str,
    *,
    site: str | None = None,
    since: str | None = None,
    until: str | None = None,
    jobs: int = 1,
    dry_run: bool = False,
) -> ReextractReport:
    """Re-extract the archived articles (filtered by site and article date); see module doc.

    Each site's pass is recorded as a run with mode ``reextract`` (unless ``dry_run``).
    """
    report = ReextractReport(dry_run=dry_run)
    with Archive(db_url) as arc:
        ids = arc.article_ids(site=site, since=since, until=until)
        by_site: dict[str, int] = {}
        meta: dict[int, tuple[str, dict[str, Any], dict[str, Any]]] = {}

        def work() -> Iterator[Work]:
            for article_id in ids:
                got = arc.get_article(article_id)
                cap = arc.latest_capture(article_id)
                if got is None or got["version"] is None or cap is None:
                    report.no_capture += 1
                    continue
                meta[article_id] = (got["site"], got["version"], cap)
                body = arc.payload(cap["payload_digest"])
                yield (article_id, got["site"], cap["final_url"], body, cap["content_type"],
                       cap["content_encoding"])  # fmt: skip

        if jobs > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                results = list(pool.map(_extract_one, work(), chunksize=8))
        else:
            results = [_extract_one(w) for w in work()]
        per_site: dict[str, Counter[str]] = {}
        for article_id, article, reason in results:
            article_site, old, cap = meta[article_id]
            report.articles += 1
            if not dry_run and article_site not in by_site:
                by_site[article_site] = arc.start_run(article_site, "reextract")
            counts = per_site.setdefault(article_site, Counter())
            if article is None:
                report.failed += 1
                counts["failed"] += 1
                report.failures.append({"article_id": article_id, "url": cap["url"],
                                        "reason": reason})  # fmt: skip
                continue
            record = article_record(article_site, cap["url"], article)
            diff = changed_fields(old, record)
            if not diff:
                report.unchanged += 1
                counts["unchanged"] += 1
                continue
            report.changed += 1
            counts["changed"] += 1
            report.changed_ids.append(article_id)
            report.fields.update(diff)
            if dry_run:
                continue
            arc.store_article(record, cap["capture_id"], by_site[article_site])
        if not dry_run:
            for article_site, run_id in by_site.items():
                counts = per_site[article_site]
                status = "failed" if counts["failed"] else "ok"
                arc.finish_run(run_id, status, dict(counts),
                               stats={"fields": dict(report.fields)})  # fmt: skip
            report.run_id = next(iter(by_site.values()), None)
    return report
