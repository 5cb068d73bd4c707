"""The scale commands' contract without servers: options, environment, clear errors."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from campusnews.cli import (
    cli,
    commands,  # noqa: F401 (registers the subcommands)
)
from campusnews.distributed import RedisKeys, redis_settings

NOWHERE = "redis://127.0.0.1:1/0"  # port 1: nothing listens there


def test_worker_without_redis_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["worker", "demo-vsb"], env={"CAMPUSNEWS_REDIS": None})
    assert result.exit_code == 2
    assert "--redis" in result.output


def test_worker_says_when_redis_is_unreachable() -> None:
    result = CliRunner().invoke(cli, ["worker", "demo-vsb"], env={"CAMPUSNEWS_REDIS": NOWHERE})
    assert result.exit_code == 1
    assert f"error: Redis not reachable at {NOWHERE}" in result.output


def test_a_bad_writer_mode_is_a_usage_error(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    args = ["crawl", "demo-vsb", "--db", db, "--set", "CAMPUSNEWS_WRITE_PROCESS=sometimes"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert (
        "Invalid value for --set: CAMPUSNEWS_WRITE_PROCESS must be auto, True or False, "
        "not 'sometimes'" in result.output
    )
    assert not (tmp_path / "a.db").exists()  # refused before anything was opened


def test_crawl_and_worker_document_redis() -> None:
    for command in ("crawl", "worker"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "--redis URL" in result.output
        assert "CAMPUSNEWS_REDIS" in result.output
    assert "--idle-timeout" in CliRunner().invoke(cli, ["worker", "--help"]).output


def test_per_site_keys_never_mix() -> None:
    a, b = (redis_settings("redis://h:6379/0", s) for s in ("demo-vsb", "demo-big5"))
    assert a["SCHEDULER_QUEUE_KEY"] == "campusnews:demo-vsb:requests"
    assert a["SCHEDULER_DUPEFILTER_KEY"] == "campusnews:demo-vsb:dupefilter"
    assert b["SCHEDULER_QUEUE_KEY"] == "campusnews:demo-big5:requests"
    assert a["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert (a["SCHEDULER_PERSIST"], a["CAMPUSNEWS_LOCK"]) == (True, False)
    # scrapy-redis %-formats its keys: a '%' in a site key must not reach it.
    assert RedisKeys.for_site("a%b").requests == "campusnews:a_b:requests"
