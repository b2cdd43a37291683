"""Hand results from a worker thread to an asyncio loop through a pipe the loop watches.

`loop.call_soon_threadsafe` on the qasync loop emits a Qt signal from the worker thread; a
pipe registered with `loop.add_reader` keeps every Qt object on the GUI thread, and works the
same on plain asyncio loops (the `pixelbridge relay` server).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import threading
from typing import Any

logger = logging.getLogger(__name__)


class LoopInbox:
    """One per loop: `post()` from any thread; futures are settled on the loop's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        os.set_blocking(self._write_fd, False)
        self._pending: queue.SimpleQueue[tuple[asyncio.Future[Any], bool, Any]] = (
            queue.SimpleQueue()
        )
        self._lock = threading.Lock()
        self._closed = False
        loop.add_reader(self._read_fd, self._drain)

    def post(self, future: asyncio.Future[Any], ok: bool, value: Any) -> None:
        """Called from the worker thread."""
        with self._lock:
            if self._closed:
                return
            self._pending.put((future, ok, value))
            with contextlib.suppress(BlockingIOError):  # full pipe: a wake-up is pending
                os.write(self._write_fd, b"\0")

    def _drain(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            while os.read(self._read_fd, 4096):
                pass
        while True:
            try:
                future, ok, value = self._pending.get_nowait()
            except queue.Empty:
                return
            if future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if not self.loop.is_closed():
            with contextlib.suppress(Exception):
                self.loop.remove_reader(self._read_fd)
        os.close(self._read_fd)
        os.close(self._write_fd)


class LoopInboxes:
    """The inbox of each loop that used the worker (tests run one loop per test)."""

    def __init__(self) -> None:
        self._by_loop: dict[int, LoopInbox] = {}

    def for_running_loop(self) -> LoopInbox:
        loop = asyncio.get_running_loop()
        inbox = self._by_loop.get(id(loop))
        if inbox is None or inbox.loop is not loop:
            for key, old in list(self._by_loop.items()):
                if old.loop.is_closed() or key == id(loop):
                    old.close()
                    del self._by_loop[key]
            inbox = LoopInbox(loop)
            self._by_loop[id(loop)] = inbox
        return inbox

    def close(self) -> None:
        for inbox in self._by_loop.values():
            inbox.close()
        self._by_loop.clear()
