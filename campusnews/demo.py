"""The bundled demo: the fixture campus sites of ``fixtures/``, served on 127.0.0.1."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from campusnews.exceptions import CampusNewsError


def fixtures_dir() -> Path:
    """The repository's ``fixtures/`` (or ``CAMPUSNEWS_FIXTURES``)."""
    env = os.environ.get("CAMPUSNEWS_FIXTURES")
    path = Path(env) if env else Path(__file__).resolve().parents[1] / "fixtures"
    if not (path / "server.py").is_file():
        raise CampusNewsError(
            f"the demo sites are not here: {path} (run from a source checkout installed with "
            "`pip install -e .`, or set CAMPUSNEWS_FIXTURES to the fixtures/ directory)"
        )
    return path


def fixture_server_module() -> Any:
    root = str(fixtures_dir().parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    return importlib.import_module("fixtures.server")


@contextlib.contextmanager
def demo_servers(keys: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """Start the demo sites; yields ``{site_key: FixtureServer}``; stops them on exit."""
    server_mod = fixture_server_module()
    servers = server_mod.serve_sites(keys)
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()
