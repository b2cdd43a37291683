"""The durable outbox and event store: SQLite in WAL mode with group commit.

An event is acknowledged only after its transaction is committed and the WAL file fsynced
(`WalSyncer`, the same guarantee as SQLite's `synchronous=FULL`), so a crash, `kill -9` or
power loss loses nothing that was acknowledged. Writes that arrive
while a commit is running share the next transaction (group commit: one fsync for many
requests). Only hashed payloads are stored: never raw customer data, never a token.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

from desktop_app.services.fsync_process import ProcessWalSyncer, start_wal_syncer
from desktop_app.services.loop_inbox import LoopInboxes
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
from desktop_app.services.wal_sync import WalCheckpointer, WalSyncer

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

# (work, its future, atomic): an atomic job writes with at most one statement, so it needs no
# savepoint of its own to be undone alone.
_Job = tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any], bool]

# "full": acknowledged after an fsync of the WAL, so nothing acknowledged is lost even on
# power loss; "process": acknowledged after the commit, survives a crash or kill -9 of the
# relay but not an OS crash or power cut.
DURABILITIES = ("full", "process")


def _connect(path: Path) -> sqlite3.Connection:
    # check_same_thread=False only so `close()` may run from another thread (tests, tools);
    # every query runs on the event loop's thread.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: commits are not fsynced by SQLite (WalSyncer does it off the loop
    # for durability="full"); checkpoints are.
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class Outbox:
    """`open()`, `await append(events)`, `await call(fn)` for writes, sync reads, `close()`.

    Writes requested during one pass of the event loop run in one transaction on the loop's
    thread (fast: no fsync inside). With durability "full" the callers are answered only once
    a WalSyncer fsync covering that commit has finished; while one fsync runs, later commits
    queue up and share the next one (group commit).
    """

    def __init__(
        self, path: Path, *, durability: str = "full", checkpoint_interval_s: float = 0.25
    ) -> None:
        if durability not in DURABILITIES:
            raise ValueError(f"durability must be one of {DURABILITIES}")
        self.path = path
        self.durability = durability
        self._conn: sqlite3.Connection | None = None
        self._syncer: WalSyncer | ProcessWalSyncer | None = None
        self._checkpointer: WalCheckpointer | None = None
        self._checkpoint_interval_s = checkpoint_interval_s
        self._inboxes = LoopInboxes()
        self._pending: list[_Job] = []
        self._flush_scheduled = False
        self.commits = 0  # transactions committed (group commit makes this < writes)
        self._lock_file: IO[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_file = lock_exclusively(self.path.with_suffix(".lock"))
        try:
            conn = _connect(self.path)
            conn.executescript(SCHEMA)
            # Anything in flight when we died may or may not have reached Meta: send it
            # again (at-least-once; Meta deduplicates by event_id).
            conn.execute(
                "UPDATE events SET status='retrying', next_attempt_at=0 WHERE status='sending'"
            )
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # the WAL file exists from here on
        except BaseException:
            self.close()
            raise
        self._conn = conn
        # Collect garbage now, on the caller's (GUI) thread, before the checkpoint thread exists:
        # Python's cyclic GC runs in whichever thread allocates, and a dead qasync loop's
        # timer QObject freed off the GUI thread crashed Qt later (seen in the test suite).
        gc.collect()
        # Copies the WAL into the database off the loop; SQLite's own checkpoint at commit
        # (every 1,000 pages) stays as the backstop that restarts the WAL under steady load,
        # and now finds little left to copy.
        self._checkpointer = WalCheckpointer(self.path, self._checkpoint_interval_s)
        if self.durability == "full":
            self._syncer = start_wal_syncer(Path(f"{self.path}-wal"))

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None
        if self._conn is not None:
            self._flush(final=True)
        if self._syncer is not None:
            self._syncer.close()
            self._syncer = None
        self._inboxes.close()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._lock_file is not None:
            self._lock_file.close()  # closing the file releases the lock
            self._lock_file = None

    @property
    def fsync_helper_pid(self) -> int | None:
        """The fsync helper process serving this outbox, if any (benchmarks add its CPU)."""
        return self._syncer.pid if isinstance(self._syncer, ProcessWalSyncer) else None

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    def _flush(self, *, final: bool = False) -> None:
        self._flush_scheduled = False
        batch, self._pending = self._pending, []
        if not batch or self._conn is None:
            return
        conn = self._conn
        results: list[tuple[bool, Any]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for fn, _future, atomic in batch:
                if atomic:
                    try:
                        results.append((True, fn(conn)))
                    except Exception as exc:
                        if not conn.in_transaction:  # SQLite undid the whole transaction
                            raise
                        results.append((False, exc))
                    continue
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
            if self._checkpointer is not None:
                self._checkpointer.dirty = True
        except Exception as exc:  # the commit itself failed (disk full, I/O error)
            logger.error("outbox commit failed: %s", exc)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            results = [(False, exc)] * len(batch)
        if self._syncer is None or final:
            if self._syncer is not None:
                self._syncer.sync_now()
            _settle(batch, results)
            return
        inbox = self._inboxes.for_running_loop()
        synced: asyncio.Future[Any] = inbox.loop.create_future()
        synced.add_done_callback(lambda done: _settle(batch, results, done.exception()))
        self._syncer.request(synced, inbox)

    async def call(self, fn: Callable[[sqlite3.Connection], T], *, atomic: bool = False) -> T:
        """Run `fn(conn)` in the next group transaction; resolves once it is durable.

        `atomic=True` promises that `fn` writes with at most one statement (SQLite undoes a
        failed statement by itself), which saves the per-job savepoint on the hot path.
        """
        if self._conn is None:
            raise RuntimeError("outbox is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((fn, future, atomic))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        return await future

    # -- writes ------------------------------------------------------------------------
    async def append(
        self, events: Sequence[NewEvent], *, now: float | None = None
    ) -> list[Appended]:
        at = time.time() if now is None else now
        # One event is one INSERT (its duplicate check only reads): atomic by itself.
        return await self.call(
            lambda conn: append_events(conn, events, at), atomic=len(events) == 1
        )

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
        if self._conn is None:
            raise RuntimeError("outbox is not open")
        return self._conn.execute(sql, params).fetchall()

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

    def changed_after(self, updated_at: float, row_id: int, limit: int) -> list[OutboxRow]:
        """Rows changed after the (updated_at, id) cursor, oldest change first, with no gaps
        (a batch update gives many rows the same updated_at)."""
        found = self._query(
            "SELECT * FROM events WHERE updated_at>=? AND NOT (updated_at=? AND id<=?) "
            "ORDER BY updated_at, id LIMIT ?",
            (updated_at, updated_at, row_id, limit),
        )
        return [OutboxRow.from_sql(r) for r in found]

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


def _settle(
    batch: list[_Job], results: list[tuple[bool, Any]], error: BaseException | None = None
) -> None:
    for (_fn, future, _atomic), (ok, value) in zip(batch, results, strict=True):
        if future.done():
            continue
        if error is not None:  # the fsync failed: nothing in this commit is known durable
            future.set_exception(error)
        elif ok:
            future.set_result(value)
        else:
            future.set_exception(value)
