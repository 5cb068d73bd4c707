"""Operations: ``campusnews runs``, ``recrawl`` and ``reextract``.

Thin shells: the crawl is :func:`campusnews.runner.run_crawls`, re-extraction is
:func:`campusnews.reextract.reextract`, the history is :meth:`archive.Archive.runs`.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import click

from campusnews.cli import cli
from campusnews.cli.crawl import EXIT_FAILED, EXIT_OK, _log_level, _report, _settings
from campusnews.cli.options import db_option, json_option, set_option, verbose_option
from campusnews.profiles import all_profiles, get_profile

RUN_KEYS = (
    "id", "site", "mode", "status", "started_at", "finished_at",
    "pages", "new", "changed", "unchanged", "alias", "failed", "alerts", "stats",
)  # fmt: skip


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


@cli.command()
@db_option
@click.option("--site", help="Only runs of this site.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@json_option
def runs(db: str, site: str | None, limit: int, as_json: bool) -> None:
    """Show the crawl history, newest first: mode, status, counts, layout alerts.

    Status is ok, failed, interrupted (killed, or stopped by a signal) or running. With
    --json, a list of objects with the keys id, site, mode, status, started_at, finished_at,
    pages, new, changed, unchanged, alias, failed, alerts, stats.

    \b
    Examples:
      campusnews runs --site demo-vsb
      campusnews runs --json | jq '.[] | select(.status != "ok")'
    """
    from archive import Archive

    with Archive(db, readonly=True) as arc:
        rows = arc.runs(site, limit=limit)
    if as_json:
        out = [{k: _iso(r.get(k)) for k in RUN_KEYS} for r in rows]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return
    header = f"{'id':>5} {'site':<16} {'mode':<11} {'status':<11} {'started (UTC)':<19} {'secs':>6}"
    click.echo(header + f" {'pages':>6} {'new':>5} {'chg':>5} {'same':>5} {'fail':>5}  alerts")
    for r in rows:
        started: datetime = r["started_at"]
        secs = (r["finished_at"] - started).total_seconds() if r["finished_at"] else None
        alerts = "; ".join(a.get("message", str(a)) for a in r.get("alerts") or [])
        click.echo(
            f"{r['id']:>5} {r['site']:<16} {r['mode']:<11} {r['status']:<11} "
            f"{started:%Y-%m-%d %H:%M:%S} {'' if secs is None else f'{secs:.0f}':>6} "
            f"{r['pages']:>6} {r['new']:>5} {r['changed']:>5} {r['unchanged']:>5} "
            f"{r['failed']:>5}  {alerts}"
        )


def _site_of(arc: Any, url: str) -> str | None:
    """The site key a URL belongs to: its archived article, its failure, else its profile."""
    article_id = arc.article_id_for_url(url)
    if article_id is not None:
        got = arc.get_article(article_id)
        if got is not None:
            return str(got["site"])
    # A profile only when exactly one serves this host and port (several local fixture
    # profiles share 127.0.0.1); else the URL's host keys a generic crawl.
    netloc = urlsplit(url).netloc
    matches = [p.key for p in all_profiles().values() if urlsplit(p.base_url).netloc == netloc]
    return matches[0] if len(matches) == 1 else None


def _is_listing(arc: Any, url: str, site: str | None) -> bool:
    """True for a listing page (a start URL of its profile, or captured as a listing)."""
    if any(c["kind"] == "listing" for c in arc.captures_for_url(url)):
        return True
    profiles = all_profiles()
    if site in profiles:
        starts = {urlsplit(p).path for p in profiles[site].absolute_start_urls()}
        return urlsplit(url).path in starts
    return False


@cli.command()
@click.argument("urls", nargs=-1)
@db_option
@click.option("--site", help="Every archived article of this site (or only these URLs' site).")
@click.option("--since", help="With --site: articles dated on or after this day (YYYY-MM-DD).")
@click.option("--until", help="With --site: articles dated on or before this day.")
@click.option("--failed", is_flag=True, help="Every URL in the failure list (of --site, if given).")
@set_option
@verbose_option
def recrawl(
    urls: tuple[str, ...],
    db: str,
    site: str | None,
    since: str | None,
    until: str | None,
    failed: bool,
    set_values: tuple[str, ...],
    verbose: int,
) -> None:
    """Fetch articles again: stores a new version where the content changed and clears the
    failures that now succeed.

    Each URL is fetched as an article, unconditionally (no listing, no conditional GET).
    Listing pages in the failure list are left to the next crawl. Exit codes as for
    `crawl`: 0 ok, 1 failed, 75 skipped because the site is being crawled.

    \b
    Examples:
      campusnews recrawl http://news.example.edu.cn/info/1012/2461.htm
      campusnews recrawl --site demo-vsb --since 2024-04-01 --until 2024-04-30
      campusnews recrawl --failed --db archive.db
    """
    from archive import Archive
    from campusnews.runner import CrawlSpec, run_crawls

    if not (urls or site or failed):
        raise click.UsageError("give URLs, --site KEY or --failed")
    if (since or until) and not site:
        raise click.UsageError("--since/--until select articles of a --site")
    if site and not failed and site not in all_profiles():
        # A generic (profile-less) site is keyed by host; only a profile key is checked here.
        get_profile(site)
    groups: dict[str | None, list[str]] = defaultdict(list)
    skipped = 0
    with Archive(db) as arc:
        open_before = {f["url"] for f in arc.failures()}
        if failed:
            for f in arc.failures(site):
                if _is_listing(arc, f["url"], f["site"]):
                    skipped += 1
                else:
                    groups[f["site"]].append(f["url"])
        if site and not failed and not urls:
            for article_id in arc.article_ids(site=site, since=since, until=until):
                got = arc.get_article(article_id)
                if got is not None:
                    groups[site].append(got["url"])
        for url in urls:
            groups[site or _site_of(arc, url)].append(url)
    if skipped:
        click.echo(f"{skipped} listing page(s) in the failure list left to the next crawl")
    if not groups:
        click.echo("nothing to recrawl")
        sys.exit(EXIT_OK)
    profiles = all_profiles()
    specs = [
        CrawlSpec(site=key if key in profiles else None, urls=tuple(dict.fromkeys(group)))
        for key, group in groups.items()
    ]
    overrides = {"LOG_LEVEL": _log_level(verbose), **_settings(set_values)}
    results = run_crawls(specs, db, **overrides)
    code = _report(results)
    with Archive(db) as arc:
        open_after = {f["url"] for f in arc.failures()}
    wanted = {u for group in groups.values() for u in group}
    cleared = len((open_before - open_after) & wanted)
    still = len(open_after & wanted)
    click.echo(
        f"recrawled {len(wanted)} URL(s): {cleared} failure(s) cleared, {still} still failing"
    )
    sys.exit(code)


@cli.command()
@db_option
@click.option("--site", help="Only articles of this site.")
@click.option("--since", help="Articles dated on or after this day (YYYY-MM-DD).")
@click.option("--until", help="Articles dated on or before this day.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes for extraction.",
)
@click.option("--dry-run", is_flag=True, help="Report what would change; store nothing.")
@json_option
def reextract(
    db: str,
    site: str | None,
    since: str | None,
    until: str | None,
    jobs: int,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Run the current extraction over the stored raw pages, after a profile or extractor fix.

    For each article, the newest 200 capture's payload goes through the same extraction as a
    crawl (with the site's current profile). Articles whose fields differ get a new version
    (old versions stay); the report says how many changed and in which fields. Recorded in
    `campusnews runs` with mode "reextract". Exit code 1 when a page no longer extracts
    (its stored version is kept).

    \b
    Examples:
      campusnews reextract --site demo-vsb --jobs 2
      campusnews reextract --since 2024-04-01 --dry-run --json
    """
    from campusnews.reextract import reextract as run_reextract

    if site and site not in all_profiles():
        click.echo(f"note: no profile named {site!r}: generic extraction", err=True)
    report = run_reextract(db, site=site, since=since, until=until, jobs=jobs, dry_run=dry_run)
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        for line in report.lines():
            click.echo(line)
    sys.exit(EXIT_FAILED if report.failed else EXIT_OK)
