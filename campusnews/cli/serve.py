"""``campusnews serve``: the read-only web view of the archive."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url

from campusnews.cli import cli
from campusnews.cli.options import db_option

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@cli.command()
@db_option
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on (0.0.0.0 exposes the archive to the network).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on.",
)
def serve(db: str, host: str, port: int) -> None:
    """Browse and search the archive in a web browser (read-only).

    Search with filters and a chart of matches per month, read articles in either script,
    compare versions, download results as CSV/JSON Lines and captures as WARC. The
    database is opened read-only; nothing on the page can change it.

    \b
    Example:
      campusnews serve --db archive.db --port 8000   # then open http://127.0.0.1:8000/
    """
    from werkzeug.serving import run_simple

    from campusnews.web import create_app

    url = make_url(db)
    file = url.database if url.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(file).is_file():
        # Opening a missing SQLite file read-only would create an empty one and fail later.
        raise click.UsageError(f"no archive at {file} (crawl first, or give --db)")
    app = create_app(db)
    click.echo(
        f"campusnews: serving {url.render_as_string(hide_password=True)}"
        f" on http://{host}:{port}/ (Ctrl-C to stop)"
    )
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
