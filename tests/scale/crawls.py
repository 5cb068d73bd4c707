"""Run real ``campusnews`` processes side by side (crawls, workers) for the scale tests."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from archive import Archive
from tests.e2e.crawling import CrawlRun, _env

# A subprocess start costs seconds on a busy machine; every wait below is bounded by this.
TIMEOUT = 120.0


def start(*args: str) -> subprocess.Popen[str]:
    """Start ``python -m campusnews ARGS`` without waiting."""
    return subprocess.Popen(
        [sys.executable, "-m", "campusnews", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )


def finish(proc: subprocess.Popen[str]) -> CrawlRun:
    """Wait for a started process; its exit code and output."""
    out, err = proc.communicate(timeout=TIMEOUT)
    return CrawlRun(proc.returncode, out, err)


def crawl_args(servers: dict[str, Any], db: str, sites: tuple[str, ...], *extra: str) -> list[str]:
    args = ["crawl", *sites, "--db", db, *extra]
    for key in sites:
        args += ["--base-url", f"{key}={servers[key].base_url}"]
    return args


def wait_until(check: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Poll ``check`` until true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def article_count(db: str) -> int:
    try:
        with Archive(db, create=False) as arc:
            return sum(c.get("articles", 0) for c in arc.site_counts().values())
    except Exception:
        return 0
