"""Imports every subcommand module so they register on the group."""

from campusnews.cli import archive_cmds, crawl, extract_cmd  # noqa: F401
from campusnews.cli import serve  # noqa: F401
from campusnews.cli import scale  # noqa: F401  (db, worker, migrate-archive)
from campusnews.cli import ops  # noqa: F401  (runs, recrawl, reextract)
