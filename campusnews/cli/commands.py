"""Imports every subcommand module so they register on the group."""

from campusnews.cli import crawl, extract_cmd  # noqa: F401
