"""The outbox's WAL work off the event loop: one fsync acknowledges many commits, and
checkpoints run in their own thread.

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
import sqlite3
import threading
from pathlib import Path
from typing import Any

from desktop_app.services.loop_inbox import LoopInbox

logger = logging.getLogger(__name__)

_Request = tuple[asyncio.Future[Any], LoopInbox]

# fdatasync flushes the data and whatever metadata reading it back needs (the size), not the
# mtime: on a WAL file that is rewritten in place it skips a journal commit per sync. SQLite
# itself syncs with fdatasync where the OS has it (https://www.sqlite.org/compile.html,
# HAVE_FDATASYNC). macOS and Windows have no os.fdatasync: fsync there.
sync_data = getattr(os, "fdatasync", os.fsync)


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
        sync_data(self._fd)

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
                sync_data(self._fd)
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


class WalCheckpointer:
    """Copy the WAL into the database in a thread of its own, so the loop never waits for it.

    With SQLite's automatic checkpoint, the commit that crosses the threshold copies the WAL and
    fsyncs the database file inside `COMMIT`, on the event loop: a stall of tens of ms on a busy
    disk (measured), which every request waiting on the loop pays. The outbox marks each commit
    here; this thread runs a PASSIVE checkpoint (it never blocks the writer,
    https://www.sqlite.org/c3ref/wal_checkpoint_v2.html) at most once per `interval_s` when
    something was committed, so SQLite's automatic checkpoint (kept as the backstop) finds
    little left to copy.
    """

    def __init__(self, db_path: Path, interval_s: float) -> None:
        self._db_path = db_path
        self._interval_s = interval_s
        self._stopping = threading.Event()
        self.dirty = False  # set by the writer after a commit; a plain flag, no lock needed
        self.checkpoints = 0
        self._thread = threading.Thread(target=self._run, name="outbox-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = sqlite3.connect(self._db_path, isolation_level=None, timeout=5)
        try:
            while not self._stopping.wait(self._interval_s):
                if self.dirty:
                    self.checkpoint(conn)
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        self.dirty = False
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            self.checkpoints += 1
        except sqlite3.Error as exc:  # busy or I/O: the next round tries again
            self.dirty = True
            logger.warning("outbox checkpoint failed: %s", exc)

    def close(self) -> None:
        self._stopping.set()
        self._thread.join()
