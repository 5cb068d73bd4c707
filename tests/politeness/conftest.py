"""Fixtures for politeness and integrity tests: the operations tests' tiny site, profile, DB."""

from tests.ops.conftest import db, profiles_dir, server, tiny  # noqa: F401
