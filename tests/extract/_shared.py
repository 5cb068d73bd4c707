"""Where the read-only shared material lives (``CAMPUSNEWS_SHARED`` overrides)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # bench/ (scoring) is a plain folder at the repo root


def shared_dir() -> Path:
    env = os.environ.get("CAMPUSNEWS_SHARED")
    return Path(env) if env else REPO / ".." / "shared"


def shared_file(*parts: str) -> Path:
    """A file under shared/, or skip the test with a reason when it is absent."""
    path = shared_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared material not available: {path}")
    return path
