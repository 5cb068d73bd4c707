"""Reading the archive: ``search``, ``show``, ``history``, ``export``, ``stats``, ``failures``."""

from __future__ import annotations

import itertools
import json
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import click

from campusnews.cli import cli
from campusnews.cli.options import db_option, json_option
from campusnews.exceptions import CampusNewsError


def _open(db: str) -> Any:
    from archive import Archive

    return Archive(db, readonly=True)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")


def _dump(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=_jsonable) + "\n")


def _roles(values: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for v in values:
        role, sep, name = v.partition("=")
        if not sep or not role.strip() or not name.strip():
            raise click.BadParameter(f"expected ROLE=NAME, got {v!r}", param_hint="--role")
        out.append((role.strip(), name.strip()))
    return out


def filter_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The filters shared by ``search`` and ``export`` (article date, site, credits, source)."""
    for opt in reversed(
        [
            click.option("--site", help="Only this site key."),
            click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Article date ≥ DAY."),
            click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Article date ≤ DAY."),
            click.option(
                "--author", help="Credited author (作者/文字/记者/通讯员…), either script."
            ),
            click.option("--unit", help="Contributing unit (供稿单位), either script."),
            click.option("--source", help="Source (来源), either script."),
            click.option(
                "--role",
                "roles",
                multiple=True,
                metavar="ROLE=NAME",
                help="Any credit, e.g. --role 摄影=张三 (repeatable).",
            ),
        ]
    ):
        f = opt(f)
    return f


def _filters(kw: dict[str, Any]) -> dict[str, Any]:
    return {
        "site": kw["site"],
        "since": kw["since"].date() if kw["since"] else None,
        "until": kw["until"].date() if kw["until"] else None,
        "author": kw["author"],
        "unit": kw["unit"],
        "source": kw["source"],
        "roles": _roles(kw["roles"]),
    }


@cli.command()
@click.argument("query", required=False, default="")
@db_option
@filter_options
@click.option(
    "--sort",
    type=click.Choice(["date", "relevance"]),
    default="date",
    show_default=True,
    help="date: newest first. relevance: bm25, title weighted (scores every match: slower"
    " for common words).",
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@json_option
def search(query: str, db: str, sort: str, limit: int, page: int, as_json: bool, **kw: Any) -> None:
    """Full-text search of the archive (title, body, captions, credits).

    Words of any length (one character too), "quoted phrases", AND by default, OR, -exclusion.
    Traditional and Simplified find each other. With only filters and no QUERY, lists articles
    by date.

    \b
    Examples:
      campusnews search 疫情 --since 2020-01-01 --until 2020-06-30 --site demo-vsb
      campusnews search '"威海校区" OR 防控 -会议' --json
      campusnews search --site demo-vsb -- -会议 疫情   (-- before a query that starts with -)
    """
    from archive.search import search as run_search

    filters = _filters(kw)
    if not query.strip() and not any(v for v in filters.values()):
        raise click.UsageError("give a QUERY or at least one filter")
    with _open(db) as arc:
        result = run_search(
            arc,
            query or None,
            sort=sort,
            limit=limit,
            offset=(page - 1) * limit,
            mark=("\x02", "\x03"),
            count_limit=None,  # exact: costs ~0.1 µs a match, nothing beside start-up
            **filters,
        )
    if as_json:
        _dump(
            {
                "query": query,
                "total": result.total,
                "page": page,
                "limit": limit,
                "hits": [
                    {
                        "id": h.article_id,
                        "site": h.site,
                        "date": h.date,
                        "title": h.title,
                        "url": h.url,
                        "score": h.score,
                        "snippet": h.snippet.replace("\x02", "[").replace("\x03", "]"),
                    }
                    for h in result.hits
                ],
            }
        )
        return
    first = (page - 1) * limit + 1
    click.echo(
        f"{result.total} articles"
        + (f" (showing {first}–{first + len(result.hits) - 1})" if result.hits else "")
    )
    for h in result.hits:
        click.echo(f"\n[{h.article_id}] {h.date or '----------'}  {h.site}  ", nl=False)
        click.secho(h.title, bold=True)
        parts = h.snippet.replace("\x03", "\x02").split("\x02")
        line = "".join(
            click.style(p, fg="yellow", bold=True) if i % 2 else p for i, p in enumerate(parts)
        )
        click.echo(f"    {line}")
        click.echo(f"    {h.url}")


def _article_or_fail(arc: Any, id_or_url: str) -> dict[str, Any]:
    key: int | str = int(id_or_url) if id_or_url.isdigit() else id_or_url
    art = arc.get_article(key)
    if art is None:
        raise CampusNewsError(f"no article {id_or_url!r} in the archive")
    return art


@cli.command()
@click.argument("id_or_url")
@db_option
@click.option("--original", is_flag=True, help="As published (original script).")
@click.option("--version", "version", type=int, help="Show this version number (default: latest).")
@json_option
def show(id_or_url: str, db: str, original: bool, version: int | None, as_json: bool) -> None:
    """Show one article in full (default: the Simplified normalized text).

    \b
    Examples:
      campusnews show 12
      campusnews show http://news.example.edu.cn/info/1012/1234.htm --original --json
    """
    with _open(db) as arc:
        art = _article_or_fail(arc, id_or_url)
        if version is not None:
            art = arc.get_article(art["id"], version=version)
            if art is None:
                raise CampusNewsError(f"article {id_or_url!r} has no version {version}")
        captures = arc.captures_for_url(art["url"])
    v = art["version"]
    sfx = "" if original else "_norm"
    fields = {
        "id": art["id"],
        "site": art["site"],
        "url": art["url"],
        "urls": art["urls"],
        "title": v["title" + sfx],
        "date": v["date"],
        "source": v["source" + sfx],
        "body": v["body" + sfx],
        "captions": [{"text": c["text" + sfx], "image_url": c["image_url"]} for c in v["captions"]],
        "credits": [{"role": c["role" + sfx], "name": c["name" + sfx]} for c in v["credits"]],
        "script": v["script"],
        "original_script": original,
        "version": v["seq"],
        "version_count": art["version_count"],
        "mirror_artifact": art["mirror_artifact"],
        "first_seen": art["first_seen"],
        "last_seen": art["last_seen"],
        "captured_at": v.get("fetched_at"),
        "captures": len(captures),
    }
    if as_json:
        _dump(fields)
        return
    click.secho(fields["title"], bold=True)
    click.echo(f"{fields['date'] or 'no date'} · {fields['site']} · 来源 {fields['source'] or '—'}")
    click.echo(fields["url"])
    for u in fields["urls"]:
        if u != fields["url"]:
            click.echo(f"  also at {u}")
    click.echo("")
    for para in fields["body"].split("\n"):
        click.echo(para)
    if fields["captions"]:
        click.echo("\nCaptions:")
        for c in fields["captions"]:
            click.echo(f"  · {c['text']}" + (f"  <{c['image_url']}>" if c["image_url"] else ""))
    if fields["credits"]:
        click.echo("\nCredits:")
        for c in fields["credits"]:
            click.echo(f"  {c['role']}: {c['name']}")
    click.echo(
        f"\nversion {fields['version']} of {fields['version_count']} · captured "
        f"{fields['captured_at']} · {fields['captures']} captures · script {fields['script']}"
        + (" · machine-converted mirror" if fields["mirror_artifact"] else "")
    )


@cli.command()
@click.argument("id_or_url")
@db_option
@json_option
def history(id_or_url: str, db: str, as_json: bool) -> None:
    """List the versions of an article with what changed between them.

    \b
    Example:
      campusnews history 12
    """
    with _open(db) as arc:
        art = _article_or_fail(arc, id_or_url)
        versions = arc.versions(art["id"])
        diffs = [
            arc.diff_versions(art["id"], a["seq"], b["seq"])
            for a, b in itertools.pairwise(versions)
        ]
    if as_json:
        _dump(
            {
                "id": art["id"],
                "url": art["url"],
                "versions": [
                    {
                        "seq": v["seq"],
                        "created_at": v["created_at"],
                        "content_hash": v["content_hash"],
                        "title": v["title"],
                        "date": v["date"],
                        "capture_id": v["capture_id"],
                        "extractor_version": v["extractor_version"],
                        "changes": diffs[i - 1] if i else None,
                    }
                    for i, v in enumerate(versions)
                ],
            }
        )
        return
    click.secho(f"[{art['id']}] {art['url']}", bold=True)
    for i, v in enumerate(versions):
        click.echo(f"\nversion {v['seq']}  {v['created_at']}  {v['title']}")
        if i:
            d = diffs[i - 1]
            for name, (old, new) in d["fields"].items():
                click.echo(f"  {name}: {old!r} → {new!r}")
            for line in d["body_diff"].splitlines():
                color = "green" if line.startswith("+") else "red" if line.startswith("-") else None
                click.secho(f"  {line}", fg=color)


@cli.command()
@db_option
@click.option("--site", help="Only this site key.")
@click.option("--all", "include_resolved", is_flag=True, help="Include failures since resolved.")
@json_option
def failures(db: str, site: str | None, include_resolved: bool, as_json: bool) -> None:
    """List URLs that could not be archived, with the reason and attempt count.

    \b
    Example:
      campusnews failures --site demo-webplus
    """
    with _open(db) as arc:
        rows = arc.failures(site, include_resolved=include_resolved)
    if as_json:
        _dump(rows)
        return
    for r in rows:
        status = f" HTTP {r['http_status']}" if r.get("http_status") else ""
        click.echo(f"{r['site'] or '-':<14} {r['reason']:<16}{status} ×{r['attempts']}  {r['url']}")
        if r.get("detail"):
            click.echo(f"{'':<15}{r['detail']}")
    click.echo(f"{len(rows)} failures")


@cli.command()
@click.argument("out", type=click.Path(dir_okay=False, allow_dash=True))
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "warc"]),
    default=None,
    help="Default: from OUT's extension (.csv, .jsonl, .warc.gz).",
)
@click.option("--query", help="Only articles matching this search query.")
@filter_options
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 BOM (for Excel).")
@click.option("--original", is_flag=True, help="Export the text as published, not Simplified.")
def export(
    out: str, db: str, fmt: str | None, query: str | None, bom: bool, original: bool, **kw: Any
) -> None:
    """Export articles (CSV, JSONL) or captures (WARC 1.1) with the search filters.

    CSV and JSONL hold the latest version of each article (captions and credits as JSON and
    as flat author/editor/... columns); WARC holds every capture (request, response and
    revisit records) with the raw bytes as received. OUT "-" writes to stdout (CSV/JSONL).

    \b
    Examples:
      campusnews export articles.csv --bom --since 2020-01-01 --author 张三
      campusnews export --format warc crawl.warc.gz --site demo-vsb
    """
    fmt = fmt or (
        "warc"
        if out.endswith((".warc", ".warc.gz"))
        else "csv"
        if out.endswith(".csv")
        else "jsonl"
        if out.endswith(".jsonl")
        else None
    )
    if fmt is None:
        raise click.UsageError("cannot tell the format from OUT: give --format")
    filters = _filters(kw)
    last = [0.0]

    def progress(n: int) -> None:  # a live count, at most a few times a second
        now = time.monotonic()
        if now - last[0] >= 0.25:
            last[0] = now
            click.echo(f"\r  {n} exported", nl=False, err=True)

    with _open(db) as arc:
        if fmt == "warc":
            from archive.warc import export_warc

            if (
                out == "-"
                or query
                or any(filters[k] for k in ("author", "unit", "source", "roles"))
            ):
                raise click.UsageError(
                    "WARC export takes OUT as a file and only --site/--since/--until"
                )
            n = export_warc(
                arc,
                out,
                site=filters["site"],
                since=filters["since"],
                until=filters["until"],
                progress=progress,
            )
            what = "captures"
        else:
            from archive.export import export_rows

            if out == "-":
                n = export_rows(
                    arc, fmt, sys.stdout, query=query, bom=bom, original=original, **filters
                )
            else:
                with open(out, "wb") as fh:
                    n = export_rows(
                        arc,
                        fmt,
                        fh,
                        query=query,
                        bom=bom,
                        original=original,
                        progress=progress,
                        **filters,
                    )
            what = "articles"
    click.echo(f"\r{n} {what} → {out}", err=True)


@cli.command()
@db_option
@click.option("--site", help="Only this site key.")
@json_option
def stats(db: str, site: str | None, as_json: bool) -> None:
    """Articles per site and per month, top sources/units/authors, field coverage.

    \b
    Example:
      campusnews stats --site demo-vsb
    """
    from archive.stats import stats as compute

    with _open(db) as arc:
        data = compute(arc, site)
    if as_json:
        _dump(data)
        return
    rng = data["date_range"]
    click.echo(f"{data['articles']} articles" + (f", {rng[0]} … {rng[1]}" if rng else ""))
    click.echo(
        f"\n{'site':<16}{'articles':>9}  {'first':<10}  {'last':<10}  coverage "
        "(date source captions credits body)"
    )
    for key, s in sorted(data["sites"].items()):
        r = s["date_range"] or ["-", "-"]
        cov = " ".join(
            f"{s['coverage'][f]:>4.0%}" for f in ("date", "source", "captions", "credits", "body")
        )
        click.echo(f"{key:<16}{s['articles']:>9}  {r[0]:<10}  {r[1]:<10}  {cov}")
    months = data["per_month"]
    if months:
        click.echo("\nper month")
        peak = max(n for _, n in months)
        for m, n in months:
            click.echo(f"  {m}  {n:>6}  " + "█" * max(1, round(40 * n / peak)))
    for title, key in (
        ("top sources", "top_sources"),
        ("top units", "top_units"),
        ("top authors", "top_authors"),
    ):
        if data[key]:
            click.echo(f"\n{title}")
            for name, n in data[key][:10]:
                click.echo(f"  {n:>6}  {name}")
