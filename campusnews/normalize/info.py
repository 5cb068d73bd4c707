"""What decoding found out about a page's bytes (recorded with every capture)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DecodeInfo:
    """How the raw bytes became text (recorded with every capture)."""

    encoding: str
    source: str  # bom | declared | utf8-valid | detected | min-errors | hint | text
    declared: str | None
    contradicted_declared: bool
    errors: int
    error_rate: float
    suspect: bool = False
