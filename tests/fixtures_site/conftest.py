"""Fixtures for the tests of the fixture sites themselves (helpers live in ``_helpers.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.server import FixtureServer, Site, build_sites, serve_sites


@pytest.fixture(scope="session")
def sites() -> dict[str, Site]:
    """Fresh site objects (the bytes the servers serve)."""
    return build_sites()


@pytest.fixture(scope="session")
def served() -> Iterator[dict[str, FixtureServer]]:
    """Our own servers, so pages other tests change on the shared ``demo_sites`` do not leak in."""
    servers = serve_sites()
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()
