"""Server observations for the live log are read incrementally from the outbox, with no gaps."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.services import observed_events
from desktop_app.services.observed_events import ObservedEvents
from desktop_app.services.outbox import NewEvent, Outbox


def event(event_id: str) -> NewEvent:
    return NewEvent("1", "Purchase", event_id, 1_800_000_000, {"event_name": "Purchase"}, [], None)


@pytest.mark.asyncio
async def test_only_changed_rows_are_rebuilt_and_batches_sharing_a_time_are_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(observed_events, "_PAGE", 7)  # pages end inside a same-time batch
    box = Outbox(tmp_path / "o.sqlite3", durability="process")
    box.open()
    try:
        observed = ObservedEvents(box)
        added = await box.append([event(f"e{i}") for i in range(20)], now=1000.0)
        first = observed.latest(100)
        assert [o.event_id for o in first] == [f"e{i}" for i in range(20)]
        # a delivery marks 10 rows at one instant: all of them move, in row order
        delivered = [a.row_id for a in added[5:15]]
        await box.update(delivered, status="delivered", response={"events_received": 10})
        second = observed.latest(100)
        assert [o.event_id for o in second] == [
            *(f"e{i}" for i in range(5)),
            *(f"e{i}" for i in range(15, 20)),
            *(f"e{i}" for i in range(5, 15)),
        ]
        assert {o.status for o in second[-10:]} == {"delivered"}
        # unchanged events keep their objects: the log's row diff sees no change for them
        assert all(a is b for a, b in zip(first[:5], second[:5], strict=True))
        assert observed.latest(3) == second[-3:]
    finally:
        box.close()


@pytest.mark.asyncio
async def test_a_long_history_is_not_read_whole_and_memory_stays_at_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str | None] = []
    original = observed_events.observation

    def counted(row: observed_events.OutboxRow) -> observed_events.ServerObservation:
        built.append(row.event_id)
        return original(row)

    monkeypatch.setattr(observed_events, "observation", counted)
    box = Outbox(tmp_path / "o.sqlite3", durability="process")
    box.open()
    try:
        # earlier sessions' events, then a log window opened on them
        for second in range(30):
            await box.append([event(f"old{second}")], now=1000.0 + second)
        observed = ObservedEvents(box)
        assert [o.event_id for o in observed.latest(10)] == [f"old{i}" for i in range(20, 30)]
        assert built == [f"old{i}" for i in range(20, 30)]  # only the rows it shows
        await box.append([event("new0"), event("new1")], now=2000.0)
        shown = [o.event_id for o in observed.latest(10)]
        assert shown == [*(f"old{i}" for i in range(22, 30)), "new0", "new1"]
        assert len(observed._by_row) == 10  # older observations are let go
    finally:
        box.close()
