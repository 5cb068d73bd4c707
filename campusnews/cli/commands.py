"""Imports every subcommand module so they register on the group."""

from campusnews.cli import (  # noqa: F401
    archive_cmds,
    crawl,
    extract_cmd,
    ops,
    scale,
    serve,
)
