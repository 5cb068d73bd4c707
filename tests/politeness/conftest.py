"""Fixtures for politeness and integrity tests: a fresh tiny site per test, its profile, a DB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from campusnews import profiles as profiles_module
from fixtures.server import FixtureServer
from tests.ops import kit


@pytest.fixture
def profiles_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A CAMPUSNEWS_PROFILES directory holding ``tiny-news.toml`` (also set in this process)."""
    d = tmp_path / "profiles"
    kit.write_profile(d)
    monkeypatch.setenv("CAMPUSNEWS_PROFILES", str(d))
    profiles_module._load_all.cache_clear()  # profiles are cached per directory list
    yield d
    profiles_module._load_all.cache_clear()


@pytest.fixture
def tiny() -> kit.TinySite:
    return kit.tiny_site(6)


@pytest.fixture
def server(tiny: kit.TinySite) -> Iterator[FixtureServer]:
    srv = kit.serve(tiny)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"
