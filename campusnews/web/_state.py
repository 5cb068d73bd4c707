"""The archive the running app reads (one per app, opened read-only by :func:`create_app`)."""

from __future__ import annotations

from flask import current_app

from archive import Archive

EXTENSION_KEY = "campusnews.archive"


def archive() -> Archive:
    """The current app's read-only :class:`archive.Archive`."""
    arc: Archive = current_app.extensions[EXTENSION_KEY]
    return arc
