"""The durable outbox and event store: SQLite in WAL mode with group commit.

An event is acknowledged only after its transaction is committed with `synchronous=FULL`, so
a crash, `kill -9` or power loss loses nothing that was acknowledged. Writes that arrive
while a commit is running share the next transaction (group commit: one fsync for many
requests). Only hashed payloads are stored: never raw customer data, never a token.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

from desktop_app.services.loop_inbox import LoopInbox, LoopInboxes
from desktop_app.services.outbox_model import (
    PENDING_STATUSES,
    SCHEMA,
    STATUSES,
    Appended,
    NewEvent,
    OutboxLockedError,
    OutboxRow,
    append_events,
    lock_exclusively,
)

logger = logging.getLogger(__name__)

__all__ = [
    "PENDING_STATUSES",
    "STATUSES",
    "Appended",
    "NewEvent",
    "Outbox",
    "OutboxLockedError",
    "OutboxRow",
]

T = TypeVar("T")

_Job = tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any], LoopInbox]


# durability → SQLite `synchronous` in WAL mode (https://www.sqlite.org/pragma.html#pragma_synchronous)
SYNCHRONOUS = {
    "full": "FULL",  # fsync per commit: an acknowledged event survives power loss too
    "process": "NORMAL",  # survives a crash or kill -9 of the relay, not an OS crash/power cut
}


def _connect(path: Path, *, check_same_thread: bool, durability: str) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=check_same_thread, timeout=30
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={SYNCHRONOUS[durability]}")
    return conn


class Outbox:
    """`open()`, `await append(events)`, `await call(fn)` for writes, sync reads, `close()`.

    One writer thread owns the write connection: jobs queued while a commit (and its fsync)
    runs are committed together in the next transaction (group commit), and the event loop
    never waits on the disk. Results come back through a pipe the loop watches.
    Reads use a second connection on the loop's thread (WAL readers never block the writer).
    """

    def __init__(self, path: Path, *, durability: str = "full") -> None:
        if durability not in SYNCHRONOUS:
            raise ValueError(f"durability must be one of {sorted(SYNCHRONOUS)}")
        self.path = path
        self.durability = durability
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._inboxes = LoopInboxes()
        self._thread: threading.Thread | None = None
        self._reader: sqlite3.Connection | None = None
        self._read_lock = threading.Lock()
        self._ready = threading.Event()
        self._open_error: BaseException | None = None
        self.commits = 0  # transactions committed (group commit makes this < writes)
        self._lock_file: IO[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_file = lock_exclusively(self.path.with_suffix(".lock"))
        # Collect garbage here, on the caller's (GUI) thread, before the writer exists.
        # Python's cyclic GC runs in whichever thread happens to allocate; left to the
        # writer, it freed a dead qasync loop's timer QObject off the GUI thread and Qt
        # later fired that timer into freed memory (segfault, seen in the test suite).
        gc.collect()
        self._ready.clear()
        self._thread = threading.Thread(target=self._writer, name="outbox-writer", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._open_error is not None:
            self._thread.join()
            self._thread = None
            self.close()
            raise self._open_error
        self._reader = _connect(self.path, check_same_thread=False, durability=self.durability)

    def close(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
        self._inboxes.close()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._lock_file is not None:
            self._lock_file.close()  # closing the file releases the lock
            self._lock_file = None

    @property
    def is_open(self) -> bool:
        return self._thread is not None

    def _writer(self) -> None:
        try:
            conn = _connect(self.path, check_same_thread=True, durability=self.durability)
            conn.executescript(SCHEMA)
            # Anything in flight when we died may or may not have reached Meta: send it
            # again (at-least-once; Meta deduplicates by event_id).
            conn.execute(
                "UPDATE events SET status='retrying', next_attempt_at=0 WHERE status='sending'"
            )
        except BaseException as exc:  # reported by open()
            self._open_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                first = self._jobs.get()
                if first is None:
                    break
                batch = [first]
                stop = False
                while True:
                    try:
                        item = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        stop = True
                        break
                    batch.append(item)
                self._run_batch(conn, batch)
                if stop:
                    break
        finally:
            conn.close()

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        results: list[tuple[bool, Any]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for fn, _future, _inbox in batch:
                conn.execute("SAVEPOINT job")
                try:
                    results.append((True, fn(conn)))
                    conn.execute("RELEASE job")
                except Exception as exc:
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    results.append((False, exc))
            conn.execute("COMMIT")
            self.commits += 1
        except Exception as exc:  # the commit itself failed (disk full, I/O error)
            logger.error("outbox commit failed: %s", exc)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            results = [(False, exc)] * len(batch)
        for (_fn, future, inbox), (ok, value) in zip(batch, results, strict=True):
            inbox.post(future, ok, value)

    async def call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(conn)` in the writer's next transaction; resolves after the commit."""
        if self._thread is None:
            raise RuntimeError("outbox is not open")
        inbox = self._inboxes.for_running_loop()
        future: asyncio.Future[T] = inbox.loop.create_future()
        self._jobs.put((fn, future, inbox))
        return await future

    # -- writes ------------------------------------------------------------------------
    async def append(
        self, events: Sequence[NewEvent], *, now: float | None = None
    ) -> list[Appended]:
        at = time.time() if now is None else now
        return await self.call(lambda conn: append_events(conn, events, at))

    async def claim(self, pixel_id: str, limit: int, now: float) -> list[OutboxRow]:
        """Take up to `limit` due events of one pixel and mark them `sending`."""

        def job(conn: sqlite3.Connection) -> list[OutboxRow]:
            due = "pixel_id=? AND status IN ('queued','retrying') AND next_attempt_at<=?"
            first = conn.execute(
                f"SELECT test_event_code FROM events WHERE {due} ORDER BY id LIMIT 1",
                (pixel_id, now),
            ).fetchone()
            if first is None:
                return []
            # One request carries one test_event_code: never mix test and live events.
            rows = conn.execute(
                f"SELECT * FROM events WHERE {due} AND test_event_code IS ? ORDER BY id LIMIT ?",
                (pixel_id, now, first[0], limit),
            ).fetchall()
            ids = [r["id"] for r in rows]
            conn.executemany(
                "UPDATE events SET status='sending', updated_at=? WHERE id=?",
                [(now, i) for i in ids],
            )
            claimed = [OutboxRow.from_sql(r) for r in rows]
            for row in claimed:
                row.status = "sending"
            return claimed

        return await self.call(job)

    async def update(
        self,
        ids: Iterable[int],
        *,
        status: str,
        response: dict[str, Any] | None,
        next_attempt_at: float = 0,
        count_attempt: bool = True,
        sent_at: float | None = None,
    ) -> None:
        now = time.time()
        id_list = list(ids)

        def job(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "UPDATE events SET status=?, response=?, next_attempt_at=?, "
                "attempts=attempts+?, sent_at=COALESCE(?, sent_at), updated_at=? WHERE id=?",
                [
                    (
                        status,
                        json.dumps(response) if response is not None else None,
                        next_attempt_at,
                        int(count_attempt),
                        sent_at,
                        now,
                        i,
                    )
                    for i in id_list
                ],
            )

        await self.call(job)

    async def release_held(self, pixel_id: str | None = None) -> int:
        """Events parked by a refused token go back in the queue (a new token is here)."""

        def job(conn: sqlite3.Connection) -> int:
            sql = (
                "UPDATE events SET status='retrying', next_attempt_at=0 WHERE status='needs_token'"
            )
            if pixel_id is None:
                return conn.execute(sql).rowcount
            return conn.execute(f"{sql} AND pixel_id=?", (pixel_id,)).rowcount

        return await self.call(job)

    async def expire(self, before_event_time: int, response: dict[str, Any]) -> list[OutboxRow]:
        """Mark pending events whose event_time passed Meta's 7-day limit as `expired`."""

        def job(conn: sqlite3.Connection) -> list[OutboxRow]:
            rows = conn.execute(
                "SELECT * FROM events WHERE status IN ('queued','retrying','needs_token') "
                "AND event_time<?",
                (before_event_time,),
            ).fetchall()
            conn.executemany(
                "UPDATE events SET status='expired', response=?, updated_at=? WHERE id=?",
                [(json.dumps(response), time.time(), r["id"]) for r in rows],
            )
            expired = [OutboxRow.from_sql(r) for r in rows]
            for row in expired:
                row.status, row.response = "expired", response
            return expired

        return await self.call(job)

    # -- reads (sync, on the reader connection) ----------------------------------------
    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        if self._reader is None:
            raise RuntimeError("outbox is not open")
        with self._read_lock:
            return self._reader.execute(sql, params).fetchall()

    def pending_pixels(self, now: float) -> list[str]:
        rows = self._query(
            "SELECT DISTINCT pixel_id FROM events WHERE status IN ('queued','retrying') "
            "AND next_attempt_at<=?",
            (now,),
        )
        return [r[0] for r in rows]

    def has_due(self, now: float) -> bool:
        """Cheap (index-only) check: is any event waiting to be sent?"""
        rows = self._query(
            "SELECT 1 FROM events WHERE status IN ('queued','retrying') AND next_attempt_at<=? "
            "LIMIT 1",
            (now,),
        )
        return bool(rows)

    def next_due_at(self) -> float | None:
        rows = self._query(
            "SELECT MIN(next_attempt_at) FROM events WHERE status IN ('queued','retrying')"
        )
        value = rows[0][0]
        return None if value is None else float(value)

    def stats(self) -> dict[str, Any]:
        rows = self._query("SELECT status, COUNT(*), MIN(received_at) FROM events GROUP BY status")
        counts = {r[0]: r[1] for r in rows}
        oldest = [r[2] for r in rows if r[0] in (*PENDING_STATUSES, "sending", "needs_token")]
        return {"counts": counts, "oldest_pending_at": min(oldest) if oldest else None}

    def rows(
        self, *, since: float | None = None, limit: int = 200, statuses: Sequence[str] = ()
    ) -> list[OutboxRow]:
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append("updated_at>?")
            params.append(since)
        if statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            params.extend(statuses)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        if since is not None:  # a cursor: oldest changes first
            sql = f"SELECT * FROM events {clause} ORDER BY updated_at, id LIMIT ?"
            found = self._query(sql, [*params, limit])
        else:  # the latest rows, in order
            sql = f"SELECT * FROM events {clause} ORDER BY updated_at DESC, id DESC LIMIT ?"
            found = list(reversed(self._query(sql, [*params, limit])))
        return [OutboxRow.from_sql(r) for r in found]
