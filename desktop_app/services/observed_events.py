"""The relay's stored events as server observations, kept up to date incrementally.

The side-by-side log asks for every server event on each live refresh. Rebuilding them all
from SQLite each time (one JSON parse per stored event) grew with the log and ran on the GUI
thread; here only the rows changed since the previous call are read, and unchanged events keep
their objects (so the log's row diff sees them as unchanged).
"""

from __future__ import annotations

import logging

from desktop_app.capi.observations import ServerObservation
from desktop_app.services.outbox import Outbox, OutboxRow

logger = logging.getLogger(__name__)

_PAGE = 2000


class ObservedEvents:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox
        # row id → observation, in (updated_at, id) order: a changed row moves to the end.
        self._by_row: dict[int, ServerObservation] = {}
        self._cursor: tuple[float, int] | None = None  # None: nothing read yet
        self._keep = 0  # the largest `limit` asked for: older observations are dropped

    def latest(self, limit: int) -> list[ServerObservation]:
        """The `limit` most recently changed events, oldest change first."""
        self._keep = max(self._keep, limit)
        if self._outbox.is_open:
            if self._cursor is None:
                # A workspace's store keeps every event of past sessions: start from the
                # latest `limit` rows instead of parsing the whole store on the first refresh.
                self._apply(self._outbox.rows(limit=limit))
            while self._cursor is not None:
                changed = self._outbox.changed_after(*self._cursor, _PAGE)
                self._apply(changed)
                if len(changed) < _PAGE:
                    break
        while len(self._by_row) > self._keep:
            del self._by_row[next(iter(self._by_row))]
        return list(self._by_row.values())[-limit:]

    def _apply(self, changed: list[OutboxRow]) -> None:
        for row in changed:
            self._by_row.pop(row.id, None)
            self._by_row[row.id] = observation(row)
        if changed:
            self._cursor = (changed[-1].updated_at, changed[-1].id)
        elif self._cursor is None:
            self._cursor = (float("-inf"), -1)  # an empty store: every row is new from here


def observation(row: OutboxRow) -> ServerObservation:
    return ServerObservation(
        pixel_id=row.pixel_id,
        event_name=row.event_name,
        event_id=row.event_id,
        event_time=row.event_time,
        payload=row.payload,
        status=row.status,
        sent_at=row.sent_at,
        response=row.response,
        test_event_code=row.test_event_code,
    )
