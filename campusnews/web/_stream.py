"""Stream :func:`archive.export.export_rows` to an HTTP response with constant memory.

``export_rows`` writes to a file; a response wants an iterator. The export runs in a worker
thread writing into a small bounded queue that the response iterator drains, so at most
:data:`QUEUE_CHUNKS` chunks are held whatever the size of the result set. When the client goes
away the iterator is closed, the next write in the worker raises :class:`_Cancelled`, and the
worker ends (its database connection is returned to the pool).
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

from archive.export import export_rows

if TYPE_CHECKING:
    from archive import Archive

QUEUE_CHUNKS = 64
CHUNK_CHARS = 64 * 1024
_PUT_WAIT_S = 0.5
_DONE = object()
log = logging.getLogger(__name__)


class _Cancelled(Exception):
    """The response was closed before the export finished (raised inside the worker)."""


class _QueueWriter(io.TextIOBase):
    """A text stream that buffers writes and hands ~64 KiB chunks to a bounded queue."""

    def __init__(self, chunks: queue.Queue[Any], cancelled: threading.Event) -> None:
        super().__init__()
        self._chunks = chunks
        self._cancelled = cancelled
        self._buffer: list[str] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self._buffer.append(s)
        self._size += len(s)
        if self._size >= CHUNK_CHARS:
            self.flush()
        return len(s)

    def flush(self) -> None:
        if self._buffer:
            chunk = "".join(self._buffer).encode("utf-8")
            self._buffer, self._size = [], 0
            self.put(chunk)

    def put(self, item: Any) -> None:
        while True:
            if self._cancelled.is_set():
                raise _Cancelled
            try:
                self._chunks.put(item, timeout=_PUT_WAIT_S)
                return
            except queue.Full:
                continue


def stream_export(
    archive: Archive, fmt: Literal["csv", "jsonl"], query: str | None, **filters: Any
) -> Iterator[bytes]:
    """UTF-8 chunks of the export (CSV with a byte order mark, for Excel).

    Validate the query before calling: an error after the first chunk can only cut the
    download short (it is logged, never shown).
    """
    chunks: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_CHUNKS)
    cancelled = threading.Event()
    out = _QueueWriter(chunks, cancelled)

    def work() -> None:
        try:
            export_rows(archive, fmt, out, query=query, bom=fmt == "csv", **filters)
            out.flush()
        except _Cancelled:
            return
        except Exception:  # a worker must always end the stream; the log keeps the cause
            log.exception("export failed")
        try:
            out.put(_DONE)
        except _Cancelled:
            return

    worker = threading.Thread(target=work, name="campusnews-export", daemon=True)
    worker.start()
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                return
            yield item
    finally:
        cancelled.set()
