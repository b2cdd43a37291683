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
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from desktop_app.capi.graph_api import DEDUP_WINDOW_S
from desktop_app.services.loop_inbox import LoopInbox, LoopInboxes

logger = logging.getLogger(__name__)

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pixel_id TEXT NOT NULL,
    event_name TEXT NOT NULL,
    event_id TEXT,
    event_time INTEGER NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    findings TEXT,
    response TEXT,
    test_event_code TEXT,
    received_at REAL NOT NULL,
    sent_at REAL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_key ON events (pixel_id, event_name, event_id);
CREATE INDEX IF NOT EXISTS events_pending ON events (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS events_updated ON events (updated_at);
"""

PENDING_STATUSES = ("queued", "retrying")
# queued → sending → delivered | retrying | rejected | expired; blocked = findings stop it;
# needs_token = Meta refused the token, waits for a new one.
STATUSES = (
    "queued",
    "sending",
    "retrying",
    "delivered",
    "rejected",
    "expired",
    "blocked",
    "needs_token",
)


@dataclass(slots=True)
class NewEvent:
    pixel_id: str
    event_name: str
    event_id: str | None
    event_time: int
    payload: dict[str, Any]
    findings: list[dict[str, Any]]
    test_event_code: str | None
    status: str = "queued"


@dataclass(frozen=True, slots=True)
class Appended:
    row_id: int
    event_id: str | None
    duplicate: bool  # same pixel + event_name + event_id seen within 48 h: not sent again


@dataclass(slots=True)
class OutboxRow:
    id: int
    pixel_id: str
    event_name: str
    event_id: str | None
    event_time: int
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: float
    findings: list[dict[str, Any]]
    response: dict[str, Any] | None
    test_event_code: str | None
    received_at: float
    sent_at: float | None
    updated_at: float

    @classmethod
    def from_sql(cls, row: sqlite3.Row) -> OutboxRow:
        return cls(
            id=row["id"],
            pixel_id=row["pixel_id"],
            event_name=row["event_name"],
            event_id=row["event_id"],
            event_time=row["event_time"],
            payload=json.loads(row["payload"]),
            status=row["status"],
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            findings=json.loads(row["findings"] or "[]"),
            response=json.loads(row["response"]) if row["response"] else None,
            test_event_code=row["test_event_code"],
            received_at=row["received_at"],
            sent_at=row["sent_at"],
            updated_at=row["updated_at"],
        )

    def to_delivery(self) -> dict[str, Any]:
        """The `GET /v1/deliveries` row: hashed payload as sent, Meta's answer, no token."""
        return {
            "event_id": self.event_id,
            "event_name": self.event_name,
            "pixel_id": self.pixel_id,
            "status": self.status,
            "attempts": self.attempts,
            "payload": self.payload,
            "response": self.response,
            "findings": self.findings,
            "test_event_code": self.test_event_code,
            "received_at": self.received_at,
            "sent_at": self.sent_at,
            "updated_at": self.updated_at,
        }


_Job = tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any], LoopInbox]


def _connect(path: Path, *, check_same_thread: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=check_same_thread, timeout=30
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: each commit is fsynced, so an acknowledged event survives power loss too.
    conn.execute("PRAGMA synchronous=FULL")
    return conn


class Outbox:
    """`open()`, `await append(events)`, `await call(fn)` for writes, sync reads, `close()`.

    One writer thread owns the write connection: jobs queued while a commit (and its fsync)
    runs are committed together in the next transaction (group commit), and the event loop
    never waits on the disk. Results come back through a pipe the loop watches.
    Reads use a second connection on the loop's thread (WAL readers never block the writer).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
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
        self._lock_file = _lock_exclusively(self.path.with_suffix(".lock"))
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
        self._reader = _connect(self.path, check_same_thread=False)

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
            conn = _connect(self.path, check_same_thread=True)
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
        return await self.call(lambda conn: _append(conn, events, at))

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


class OutboxLockedError(RuntimeError):
    """Another relay process uses this data dir: two senders would claim the same rows."""


def _lock_exclusively(path: Path) -> IO[bytes] | None:
    try:
        import fcntl
    except ImportError:  # Windows: one desktop app per user anyway
        return None
    handle = path.open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise OutboxLockedError(
            f"another relay is using {path.parent}; give each relay its own --data-dir"
        ) from None
    return handle


def _append(conn: sqlite3.Connection, events: Sequence[NewEvent], now: float) -> list[Appended]:
    results: list[Appended] = []
    for event in events:
        if event.event_id is not None:
            # Same pixel + name + id within 48 h (double click, reload): keep the first only.
            # https://developers.facebook.com/documentation/ads-commerce/conversions-api/deduplicate-pixel-and-server-events
            found = conn.execute(
                "SELECT id FROM events WHERE pixel_id=? AND event_name=? AND event_id=? "
                "AND received_at>=? LIMIT 1",
                (event.pixel_id, event.event_name, event.event_id, now - DEDUP_WINDOW_S),
            ).fetchone()
            if found is not None:
                results.append(Appended(found[0], event.event_id, True))
                continue
        cursor = conn.execute(
            "INSERT INTO events (pixel_id, event_name, event_id, event_time, payload, status, "
            "findings, test_event_code, received_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                event.pixel_id,
                event.event_name,
                event.event_id,
                event.event_time,
                json.dumps(event.payload, separators=(",", ":")),
                event.status,
                json.dumps(event.findings) if event.findings else None,
                event.test_event_code,
                now,
                now,
            ),
        )
        results.append(Appended(int(cursor.lastrowid or 0), event.event_id, False))
    return results
