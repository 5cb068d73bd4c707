"""Options shared by several subcommands, declared once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

DEFAULT_DB = "sqlite:///campusnews.db"


def db_url(value: str) -> str:
    """A SQLAlchemy URL; a bare file path means a SQLite file.

    >>> db_url("archive.db"), db_url("postgresql+psycopg://u@h/db")
    ('sqlite:///archive.db', 'postgresql+psycopg://u@h/db')
    """
    return value if "://" in value else f"sqlite:///{value}"


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db",
        envvar="CAMPUSNEWS_DB",
        default=DEFAULT_DB,
        show_default=True,
        callback=lambda _ctx, _param, v: db_url(v),
        help="Archive database: a SQLAlchemy URL or a SQLite file path (env CAMPUSNEWS_DB).",
    )(f)


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")(f)


def set_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--set",
        "set_values",
        multiple=True,
        metavar="NAME=VALUE",
        help="Override a Scrapy or CAMPUSNEWS_* setting (repeatable).",
    )(f)


def verbose_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("-v", "--verbose", count=True, help="Scrapy's log (-v INFO, -vv DEBUG).")(f)
