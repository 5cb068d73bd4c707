"""Helpers: run the real ``campusnews`` command against the fixture sites."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SITES = ("demo-vsb", "demo-webplus", "demo-mirror", "demo-big5")


@dataclass
class CrawlRun:
    returncode: int
    stdout: str
    stderr: str

    def summary(self, site: str) -> dict[str, str]:
        """The ``key=value`` pairs of a site's one-line summary."""
        for line in self.stdout.splitlines():
            if line.startswith(f"{site}: "):
                parts = line.split(" in ")[0].split()[2:]
                return dict(p.split("=", 1) for p in parts)
        raise AssertionError(f"no summary for {site} in:\n{self.stdout}\n{self.stderr}")


def campusnews(*args: str, timeout: float = 180) -> CrawlRun:
    """Run ``python -m campusnews ARGS`` in a subprocess (a reactor per crawl)."""
    proc = subprocess.run(
        [sys.executable, "-m", "campusnews", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(),
    )
    return CrawlRun(proc.returncode, proc.stdout, proc.stderr)


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["CAMPUSNEWS_PROGRESS_INTERVAL"] = "0"
    return env


def crawl_sites(
    servers: dict[str, Any], db: Path, sites: tuple[str, ...] = SITES, *extra: str
) -> CrawlRun:
    args = ["crawl", *sites, "--db", str(db), *extra]
    for key in sites:
        args += ["--base-url", f"{key}={servers[key].base_url}"]
    return campusnews(*args)
