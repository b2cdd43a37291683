"""The outbox's tables and row shapes (SQLite schema, statuses, one row as Python).

Kept apart from `outbox.py` (the writer thread and queries) so both stay small.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from desktop_app.capi.graph_api import DEDUP_WINDOW_S

logger = logging.getLogger(__name__)

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


class OutboxLockedError(RuntimeError):
    """Another relay process uses this data dir: two senders would claim the same rows."""


def lock_exclusively(path: Path) -> IO[bytes] | None:
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


# `json.dumps(payload, separators=...)` builds a new encoder per call; one made up front gives
# the same text (~1 µs less per event on the ingest path).
_compact_json = json.JSONEncoder(separators=(",", ":")).encode


def append_events(
    conn: sqlite3.Connection, events: Sequence[NewEvent], now: float
) -> list[Appended]:
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
                _compact_json(event.payload),
                event.status,
                json.dumps(event.findings) if event.findings else None,
                event.test_event_code,
                now,
                now,
            ),
        )
        results.append(Appended(int(cursor.lastrowid or 0), event.event_id, False))
    return results
