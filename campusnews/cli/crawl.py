"""``campusnews sites``, ``crawl`` and ``demo``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from campusnews.cli import cli
from campusnews.cli.options import db_option, set_option, verbose_option
from campusnews.cli.scale import redis_option
from campusnews.profiles import all_profiles, get_profile
from campusnews.runner import CrawlResult, CrawlSpec, run_crawls


@cli.command()
def sites() -> None:
    """List the configured site profiles.

    Built-in profiles come from campusnews/profiles/; add directories of your own with
    CAMPUSNEWS_PROFILES (separated by ':').

    \b
    Example:
      campusnews sites
    """
    profiles = all_profiles()
    width = max((len(k) for k in profiles), default=4)
    for key, prof in sorted(profiles.items()):
        click.echo(f"{key:<{width}}  {prof.cms or '-':<8}  {prof.base_url:<36}  {prof.name}")


# Exit codes of `crawl` (and `recrawl`), for schedulers; see docs/scheduling.md.
EXIT_OK = 0
EXIT_FAILED = 1  # a crawl failed or was interrupted
EXIT_ALERT = 3  # every crawl ran, but a layout-change alert was raised (--fail-on-alert)
EXIT_LOCKED = 75  # EX_TEMPFAIL: a site was skipped because another run is crawling it


def exit_code(results: list[CrawlResult], fail_on_alert: bool = False) -> int:
    """The most serious outcome: failed (1) > alert (3, only with ``fail_on_alert``) >
    locked (75) > ok (0). No result at all is a failure."""
    if not results or any(not (r.ok or r.locked) for r in results):
        return EXIT_FAILED
    if fail_on_alert and any(r.alerts for r in results):
        return EXIT_ALERT
    if any(r.locked for r in results):
        return EXIT_LOCKED
    return EXIT_OK


def _report(results: list[CrawlResult], fail_on_alert: bool = False) -> int:
    for r in results:
        for note in r.notes():
            click.echo(note)
        click.echo(r.summary())
    return exit_code(results, fail_on_alert)


def _settings(values: tuple[str, ...]) -> dict[str, str]:
    """``--set NAME=VALUE`` pairs → Scrapy setting overrides."""
    out = {}
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--set wants NAME=VALUE, got {v!r}")
        if name == "CAMPUSNEWS_WRITE_PROCESS":  # checked here: a bad value is a usage error
            from campusnews.archive_writer import use_write_process

            try:
                use_write_process(value, "sqlite://")
            except ValueError as e:
                raise click.BadParameter(str(e), param_hint="--set") from None
        out[name] = value
    return out


def _base_urls(values: tuple[str, ...], targets: list[str]) -> dict[str, str]:
    """``--base-url URL`` (one target) or ``--base-url KEY=URL`` (repeatable) → per-key map."""
    out: dict[str, str] = {}
    for v in values:
        key, sep, url = v.partition("=")
        if sep and not key.startswith(("http://", "https://")):
            out[key] = url
        elif len(targets) == 1:
            out[targets[0]] = v
        else:
            raise click.UsageError("with several sites, give --base-url as KEY=URL")
    return out


@cli.command()
@click.argument("targets", nargs=-1)
@db_option
@redis_option
@click.option(
    "--base-url",
    "base_urls",
    multiple=True,
    help="Crawl a profile's site at another address: URL, or KEY=URL (repeatable).",
)
@click.option(
    "--max-pages", type=click.IntRange(min=0), help="Listing pages per start URL (0: all)."
)
@click.option("--all", "all_sites", is_flag=True, help="Crawl every configured site.")
@click.option(
    "--incremental",
    is_flag=True,
    help="Only articles not yet archived or due for a re-check; stop paging a "
    "listing at a page with nothing new.",
)
@click.option(
    "--fail-on-alert",
    is_flag=True,
    help="Exit 3 when a layout-change alert was raised (field coverage dropped).",
)
@set_option
@verbose_option
def crawl(
    targets: tuple[str, ...],
    db: str,
    redis: str | None,
    base_urls: tuple[str, ...],
    max_pages: int | None,
    all_sites: bool,
    incremental: bool,
    fail_on_alert: bool,
    set_values: tuple[str, ...],
    verbose: int,
) -> None:
    """Crawl sites into the archive.

    TARGETS are site keys (see `campusnews sites`), profile files (*.toml), or URLs of a
    listing page of a site that has no profile yet (generic discovery finds the article and
    next-page links). Several targets crawl concurrently. Prints progress while crawling and a
    one-line summary per site.

    A site that another run is still crawling (its lock in the archive is held by a live
    process) is skipped. Exit codes: 0 ok, 1 a crawl failed or was interrupted, 2 usage
    error, 3 layout-change alert (with --fail-on-alert), 75 skipped because locked.
    See docs/scheduling.md.

    \b
    Examples:
      campusnews crawl demo-vsb --base-url http://127.0.0.1:8000
      campusnews crawl https://news.example.edu.cn/xwzx.htm --db archive.db
      campusnews crawl --all --incremental --fail-on-alert --db archive.db
      campusnews crawl demo-vsb --redis redis://127.0.0.1:6379/0   # + `campusnews worker`
    """
    if all_sites == bool(targets):
        raise click.UsageError("give site keys / URLs, or --all")
    names = sorted(all_profiles()) if all_sites else list(targets)
    bases = _base_urls(base_urls, names)
    specs = []
    for name in names:
        if name.startswith(("http://", "https://")):
            specs.append(CrawlSpec(url=name, max_pages=max_pages, incremental=incremental))
        else:
            key = get_profile(name).key  # fail fast with a clear message on a bad key/profile
            specs.append(
                CrawlSpec(
                    site=name,
                    base_url=bases.get(name) or bases.get(key),
                    max_pages=max_pages,
                    incremental=incremental,
                )
            )
    overrides = {"LOG_LEVEL": _log_level(verbose), **_settings(set_values)}
    results = run_crawls(specs, db, redis_url=redis, **overrides)
    click.echo(f"archive: {db}")
    sys.exit(_report(results, fail_on_alert))


def _log_level(verbose: int) -> str:
    return {0: "WARNING", 1: "INFO"}.get(verbose, "DEBUG")


@cli.command()
@click.option(
    "--db",
    "db_path",
    default="campusnews-demo.db",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file to create (replaced if it exists).",
)
@verbose_option
def demo(db_path: Path, verbose: int) -> None:
    """Crawl the bundled demo campus sites into a fresh SQLite archive.

    Starts the fixture sites of fixtures/ on 127.0.0.1 (OS-chosen ports, no network needed),
    crawls every one of them, prints per-site totals and where the database is, then stops
    the servers.

    \b
    Example:
      campusnews demo && campusnews sites
    """
    from archive import Archive
    from campusnews.demo import demo_servers

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = f"sqlite:///{db_path}"
    started = time.monotonic()
    with demo_servers() as servers:
        for key, server in servers.items():
            click.echo(f"serving {key} at {server.base_url}")
        specs = [CrawlSpec(site=k, base_url=s.base_url) for k, s in servers.items()]
        results = run_crawls(specs, db, LOG_LEVEL=_log_level(verbose))
    elapsed = time.monotonic() - started
    code = _report(results)
    with Archive(db) as archive:
        counts = archive.site_counts()
    click.echo("")
    click.echo(
        f"{'site':<14}{'articles':>9}{'captions':>9}{'credits':>9}{'aliases':>8}{'failures':>9}"
    )
    for key in sorted(counts):
        c = counts[key]
        click.echo(
            f"{key:<14}{c.get('articles', 0):>9}{c.get('captions', 0):>9}{c.get('credits', 0):>9}"
            f"{c.get('aliases', 0):>8}{c.get('failures', 0):>9}"
        )
    pages = sum(int(r.stats.get("campusnews/pages", 0)) for r in results)
    click.echo(f"\n{pages} pages in {elapsed:.1f}s; archive: {db_path.resolve()}")
    click.echo(f"try: campusnews show 1 --db {db_path}   |   campusnews search 大学 --db {db_path}")
    sys.exit(code)
