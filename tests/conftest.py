"""Session-wide fixtures: the shared reference folder and the demo sites on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``../shared`` beside the repository (or ``CAMPUSNEWS_SHARED``)."""
    env = os.environ.get("CAMPUSNEWS_SHARED")
    return Path(env) if env else REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if not path.is_dir():
        pytest.skip(f"reference folder {path} is absent (set CAMPUSNEWS_SHARED)")
    return path


@pytest.fixture(scope="session")
def demo_sites() -> Iterator[dict[str, Any]]:
    """Every fixture site served on 127.0.0.1 (OS-chosen ports) for the whole session."""
    from fixtures.server import serve_sites

    servers = serve_sites()
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()
