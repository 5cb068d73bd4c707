"""Where the shared, read-only material lives (``/work/shared`` next to the repository)."""

from __future__ import annotations

import os
from pathlib import Path


def shared_dir() -> Path:
    """``../shared`` next to the repository root, or ``$CAMPUSNEWS_SHARED``."""
    env = os.environ.get("CAMPUSNEWS_SHARED")
    if env:
        return Path(env)
    return (Path(__file__).resolve().parents[2] / ".." / "shared").resolve()
