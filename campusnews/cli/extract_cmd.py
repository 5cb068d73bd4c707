"""``campusnews extract``: the crawler's extraction on saved files or a URL."""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import click

from campusnews import __version__
from campusnews.cli import cli
from campusnews.exceptions import CampusNewsError
from campusnews.extract import extract
from campusnews.profiles import Profile, get_profile, profile_for_url

PAGE_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".asp", ".aspx", ".jsp", ".php", ".psp"}


def _expand(paths: tuple[str, ...]) -> Iterator[str]:
    """Files as given; directories walked for HTML pages, sorted."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and f.suffix.lower() in PAGE_SUFFIXES:
                    yield str(f)
        else:
            yield p


def _read(target: str) -> tuple[bytes, str | None, str]:
    """(bytes, content type, url) for a file path or an http(s) URL."""
    if target.startswith(("http://", "https://")):
        req = urllib.request.Request(target, headers={"User-Agent": f"campusnews/{__version__}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.read(), resp.headers.get("Content-Type"), resp.geturl()
    path = Path(target)
    try:
        return path.read_bytes(), None, path.resolve().as_uri()
    except OSError as e:
        raise CampusNewsError(f"cannot read {target}: {e.strerror or e}") from e


def extract_one(target: str, url: str | None, site: str | None) -> dict[str, Any]:
    """Extract one file or URL; returns the JSON object (with ``error`` on failure)."""
    try:
        body, content_type, found_url = _read(target)
        page_url = url or found_url
        profile: Profile | None = get_profile(site) if site else profile_for_url(page_url)
        article = extract(page_url, body, content_type=content_type, profile=profile)
        out = article.to_json()
        out["site"] = profile.key if profile else None
    except (CampusNewsError, OSError, ValueError) as e:
        return {"file": target, "error": f"{type(e).__name__}: {e}"}
    out["file"] = target
    return out


def _extract_star(args: tuple[str, str | None, str | None]) -> dict[str, Any]:
    return extract_one(*args)


def _print_human(obj: dict[str, Any]) -> None:
    click.secho(obj["file"], bold=True)
    if "error" in obj:
        click.secho(f"  error: {obj['error']}", fg="red")
        return
    for key in ("url", "site", "title", "date", "source", "script", "mirror_artifact"):
        click.echo(f"  {key:<9} {obj.get(key)}")
    enc = obj.get("encoding") or {}
    if enc:
        click.echo(
            f"  encoding  {enc.get('encoding')} ({enc.get('source')}, declared "
            f"{enc.get('declared')}, errors {enc.get('errors')})"
        )
    for c in obj["credits"]:
        click.echo(f"  credit    {c['role']}: {c['name']}")
    for c in obj["captions"]:
        click.echo(f"  caption   {c}")
    body = obj["body"].split("\n")
    click.echo(f"  body      {len(body)} paragraphs, {len(obj['body'])} chars")
    for line in body:
        click.echo(f"    {line}")
    if obj["script"] == "hant":
        click.echo(f"  normalized title  {obj['normalized']['title']}")
    for w in obj.get("warnings", []):
        click.secho(f"  warning   {w}", fg="yellow")


@cli.command("extract")
@click.argument("targets", nargs=-1, required=True)
@click.option("--url", help="The page's original URL (for a saved file; resolves links).")
@click.option("--site", help="Use this site profile (default: by the URL's host, else generic).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object (one target) or a list.")
@click.option("--jsonl", is_flag=True, help="One JSON object per page, one per line.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes for many pages.",
)
def extract_cmd(
    targets: tuple[str, ...],
    url: str | None,
    site: str | None,
    as_json: bool,
    jsonl: bool,
    jobs: int,
) -> None:
    """Run the crawler's extraction on saved pages or a URL and print the fields.

    TARGETS are files, directories (walked for *.htm[l] pages) or http(s) URLs. A page that
    fails gives an object with an "error" key and the batch goes on; the exit code is 1 when
    any page failed.

    \b
    Examples:
      campusnews extract saved.html --url http://news.example.edu.cn/info/1012/1234.htm --json
      campusnews extract pages/ --jsonl --jobs 2 > fields.jsonl
    """
    if site:
        get_profile(site)  # a bad key is a usage problem: fail before the batch
    files = list(_expand(targets))
    if not files:
        raise click.UsageError("no pages found in the given paths")
    work = [(f, url if len(files) == 1 else None, site) for f in files]
    if jobs > 1 and len(work) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results: Iterator[dict[str, Any]] = pool.map(_extract_star, work, chunksize=16)
            failed = _emit(results, as_json, jsonl, len(work))
    else:
        failed = _emit(map(_extract_star, work), as_json, jsonl, len(work))
    sys.exit(1 if failed else 0)


def _emit(results: Iterator[dict[str, Any]], as_json: bool, jsonl: bool, n: int) -> int:
    failed = 0
    collected = []
    for obj in results:
        failed += "error" in obj
        if jsonl:
            sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        elif as_json:
            collected.append(obj)
        else:
            _print_human(obj)
    if as_json:
        doc = collected[0] if n == 1 else collected
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    return failed
