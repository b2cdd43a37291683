"""fsync the outbox's WAL file off the event loop: one fsync acknowledges many commits.

The outbox commits on the loop's thread with SQLite `synchronous=NORMAL` (in WAL mode: no
fsync per commit, but checkpoints are synced: https://www.sqlite.org/pragma.html#pragma_synchronous)
and then asks this thread to fsync the WAL file; the events are acknowledged only after that
fsync, so the guarantee equals `synchronous=FULL`. The thread runs almost no Python (one
`os.fsync` per batch): SQLite's per-statement GIL release in a worker thread made the worker
wait up to a switch interval (5 ms) per statement while the loop was busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import threading
from pathlib import Path
from typing import Any

from desktop_app.services.loop_inbox import LoopInbox

logger = logging.getLogger(__name__)

_Request = tuple[asyncio.Future[Any], LoopInbox]


class WalSyncer:
    def __init__(self, wal_path: Path) -> None:
        self._fd = os.open(wal_path, os.O_RDWR | os.O_CREAT, 0o600)
        self._requests: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="outbox-fsync", daemon=True)
        self._thread.start()
        self.fsyncs = 0

    def request(self, done: asyncio.Future[Any], inbox: LoopInbox) -> None:
        """`done` gets None once everything written so far is on disk (or the OSError)."""
        self._requests.put((done, inbox))

    def sync_now(self) -> None:
        os.fsync(self._fd)

    def _run(self) -> None:
        while True:
            first = self._requests.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while True:
                try:
                    item = self._requests.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            error: OSError | None = None
            try:
                os.fsync(self._fd)
                self.fsyncs += 1
            except OSError as exc:
                error = exc
            for done, inbox in batch:
                inbox.post(done, error is None, error)
            if stop:
                return

    def close(self) -> None:
        self._requests.put(None)
        self._thread.join()
        with contextlib.suppress(OSError):
            os.fsync(self._fd)
        os.close(self._fd)
