"""The ``campusnews`` command: one click group, verb subcommands.

Exit codes: 0 success, 1 failure (a crawl failed, an article was not found, ...), 2 usage
error. Configuration also comes from ``CAMPUSNEWS_*`` environment variables.
"""

from __future__ import annotations

import sys

import click

from campusnews import __version__
from campusnews.exceptions import CampusNewsError


class Group(click.Group):
    """Turns our own errors into one clear line and exit code 1 (never a traceback)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CampusNewsError as e:
            click.secho(f"error: {e}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="campusnews")
def cli() -> None:
    """Crawl, extract, normalize and archive campus news sites.

    \b
    Quick start:
      campusnews demo                      # crawl the bundled local demo sites
      campusnews sites                     # list configured site profiles
      campusnews crawl demo-vsb --base-url http://127.0.0.1:8000
      campusnews extract page.html --json  # extraction on one saved page
    """


def main() -> None:
    from campusnews.cli import commands  # noqa: F401  (registers the subcommands)

    cli(prog_name="campusnews")
