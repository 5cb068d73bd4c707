"""The archive writer's child process: what runs there, and nothing it does not need.

:class:`campusnews.archive_writer.ArchiveWriter` (in the crawl) starts one ``spawn`` worker
with :func:`child_open` and hands it batches with :func:`child_store`. The child extracts the
articles of a batch and stores it in one transaction
(:func:`campusnews.pagework.store_work`, which the writer thread calls itself when there is
no child).

This module imports neither Twisted nor Scrapy, and the child keeps Scrapy out altogether:
itemloaders (used by the extractor) imports itemadapter, which imports Scrapy when it can,
and that cost the child 25 MB of its ~130 MB for nothing it uses.
"""

from __future__ import annotations

import atexit
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from archive import Archive
from archive.pages import PageIn, PageResult

if TYPE_CHECKING:
    from campusnews.pagework import PageWork, WorkDone
    from campusnews.profiles import Profile

# What stops a crawl gracefully; the writer process must outlive it
# (ArchiveWriter._start_child blocks them before spawning).
STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
# How often the writer process checks that the crawl that started it is still alive.
PARENT_CHECK = 1.0  # seconds


def in_memory(url: str) -> bool:
    """An in-memory SQLite archive: it exists only in its process, so no child can write it."""
    u = make_url(url)
    return u.get_backend_name() == "sqlite" and u.database in (None, "", ":memory:")


_archive: Archive | None = None
_profile: Profile | None = None


def child_open(url: str, parent_pid: int, profile: Profile | None = None) -> None:
    """Initializer of the writer process: its own archive (already migrated by the parent)
    and the profile its articles are read with."""
    global _archive, _profile
    # Blocked since birth (ArchiveWriter._start_child); ignored too, should anything unblock
    # them. The writer ends when the pool shuts down, or when the crawl process is gone.
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    # Keep Scrapy out (module docstring): itemadapter treats a failed import as "no Scrapy".
    # Nothing the child runs (pagework, extract, normalize, archive) imports it otherwise.
    sys.modules.setdefault("scrapy", None)  # type: ignore[arg-type]
    import campusnews.pagework  # noqa: F401  (now, not with the first batch)

    _archive = Archive(url, create=False)
    _profile = profile
    atexit.register(_archive.close)  # a clean goodbye to PostgreSQL when the pool ends
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()


def _exit_with_parent(parent_pid: int) -> None:
    # A crawl killed outright (SIGKILL, second Ctrl-C) never shuts the pool down, and the
    # child would wait for batches forever. Exiting mid-batch only rolls back its transaction.
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK)
    os._exit(1)


def child_store(pages: Sequence[PageIn | PageWork]) -> list[PageResult | WorkDone]:
    """One batch, in the writer process."""
    assert _archive is not None
    from campusnews.pagework import store_work  # imported by child_open already

    return store_work(_archive, pages, _profile)


def child_peak_rss_mb() -> float:
    return peak_rss_mb()


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB, since it started its program.

    ``VmHWM``, not ``getrusage``'s ``ru_maxrss``: Linux carries ``ru_maxrss`` over from the
    forking parent across ``exec``, so a spawned child would report at least its parent's size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
