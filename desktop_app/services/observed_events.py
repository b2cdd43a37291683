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
        self._cursor: tuple[float, int] = (float("-inf"), -1)

    def latest(self, limit: int) -> list[ServerObservation]:
        """The `limit` most recently changed events, oldest change first."""
        if not self._outbox.is_open:
            return list(self._by_row.values())[-limit:]
        while True:
            changed = self._outbox.changed_after(*self._cursor, _PAGE)
            for row in changed:
                self._by_row.pop(row.id, None)
                self._by_row[row.id] = observation(row)
            if changed:
                self._cursor = (changed[-1].updated_at, changed[-1].id)
            if len(changed) < _PAGE:
                break
        return list(self._by_row.values())[-limit:]


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
