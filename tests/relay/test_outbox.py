"""The outbox on real SQLite: group commit, 48 h duplicate window, resume after a crash."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from conftest import wait_for

from desktop_app.services.outbox import NewEvent, Outbox, OutboxLockedError


def event(event_id: str | None, name: str = "Purchase", pixel: str = "1") -> NewEvent:
    return NewEvent(pixel, name, event_id, 1_800_000_000, {"event_name": name}, [], None)


@pytest.mark.asyncio
async def test_concurrent_appends_commit_together_and_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    box = Outbox(path)
    box.open()
    results = await asyncio.gather(*(box.append([event(f"e{i}")]) for i in range(300)))
    assert sorted(r[0].event_id or "" for r in results) == sorted(f"e{i}" for i in range(300))
    box.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 300


@pytest.mark.asyncio
async def test_duplicate_key_within_48h_is_kept_once(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    box.open()
    try:
        first = await box.append([event("a"), event("a", "Lead"), event(None)], now=1000.0)
        assert [r.duplicate for r in first] == [False, False, False]
        again = await box.append([event("a"), event(None), event("a", pixel="2")], now=2000.0)
        assert [r.duplicate for r in again] == [True, False, False]
        assert again[0].row_id == first[0].row_id
        later = await box.append([event("a")], now=1000.0 + 48 * 3600 + 1)
        assert later[0].duplicate is False  # past Meta's 48 h window it is a new event
    finally:
        box.close()


@pytest.mark.asyncio
async def test_in_flight_rows_are_resent_after_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    box = Outbox(path)
    box.open()
    await box.append([event("x"), event("y")], now=1.0)
    claimed = await box.claim("1", 10, now=5.0)
    assert [r.status for r in claimed] == ["sending", "sending"]
    assert await box.claim("1", 10, now=5.0) == []  # never claimed twice
    box.close()  # as if killed: rows stay 'sending' on disk
    box = Outbox(path)
    box.open()
    try:
        assert {r.status for r in box.rows()} == {"retrying"}
        assert len(await box.claim("1", 10, now=6.0)) == 2
    finally:
        box.close()


@pytest.mark.asyncio
async def test_claim_never_mixes_test_and_live_events(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    box.open()
    try:
        live, test = event("l"), event("t")
        test.test_event_code = "TEST1"
        await box.append([live, test, event("l2")])
        first = await box.claim("1", 10, now=9e9)
        assert [r.event_id for r in first] == ["l", "l2"]
        second = await box.claim("1", 10, now=9e9)
        assert [(r.event_id, r.test_event_code) for r in second] == [("t", "TEST1")]
    finally:
        box.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("atomic", [False, True], ids=["savepoint", "atomic"])
async def test_a_failing_job_does_not_undo_the_others_in_its_group(
    tmp_path: Path, atomic: bool
) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    box.open()
    try:

        def broken(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO events (id) VALUES (1)")  # violates NOT NULL

        results = await asyncio.gather(
            box.append([event("ok1")]),
            box.call(broken, atomic=atomic),
            box.append([event("ok2")]),
            return_exceptions=True,
        )
        assert isinstance(results[1], sqlite3.IntegrityError)
        assert {r.event_id for r in box.rows()} == {"ok1", "ok2"}
    finally:
        box.close()


def test_one_relay_per_data_dir(tmp_path: Path) -> None:
    first = Outbox(tmp_path / "o.sqlite3")
    first.open()
    try:
        with pytest.raises(OutboxLockedError, match="own --data-dir"):
            Outbox(tmp_path / "o.sqlite3").open()
    finally:
        first.close()
    again = Outbox(tmp_path / "o.sqlite3")
    again.open()  # released on close
    again.close()


@pytest.mark.asyncio
async def test_full_durability_fsyncs_the_wal_once_per_group(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    box.open()
    try:
        assert box._syncer is not None
        await asyncio.gather(*(box.append([event(f"g{i}")]) for i in range(200)))
        fsyncs = box._syncer.fsyncs
        assert 1 <= fsyncs <= box.commits < 200  # grouped, and every commit was synced
    finally:
        box.close()
    fast = Outbox(tmp_path / "p.sqlite3", durability="process")
    fast.open()
    try:
        assert fast._syncer is None
        assert (await fast.append([event("p1")]))[0].duplicate is False
    finally:
        fast.close()
    with pytest.raises(ValueError):
        Outbox(tmp_path / "x.sqlite3", durability="sometimes")


@pytest.mark.asyncio
async def test_wal_is_checkpointed_off_the_loop_and_stays_bounded(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3", durability="process", checkpoint_interval_s=0.02)
    box.open()
    try:
        checkpointer = box._checkpointer
        assert checkpointer is not None
        for round_ in range(30):
            await asyncio.gather(*(box.append([event(f"w{round_}-{i}")]) for i in range(50)))
        assert await wait_for(lambda: checkpointer.checkpoints >= 1)
        assert (tmp_path / "o.sqlite3-wal").stat().st_size < 8 * 1024 * 1024
    finally:
        box.close()
    # what the background checkpoints copied is all there after reopening
    reopened = Outbox(tmp_path / "o.sqlite3")
    reopened.open()
    try:
        assert len(reopened.rows(limit=2000)) == 1500
    finally:
        reopened.close()
