"""Live pairing: a burst of listener calls is one re-pairing, in the order events happened."""

from __future__ import annotations

import asyncio
import dataclasses
import gc

import pytest
from views.view_samples import make_pixel, make_server

from desktop_app.capi.dedup import Pair, pair_events
from desktop_app.capi.observations import PixelObservation, ServerObservation
from desktop_app.views import live_pairs
from desktop_app.views.live_pairs import LivePairs
from desktop_app.views.pair_model import PairTableModel, chronological


@pytest.mark.asyncio
async def test_burst_is_coalesced_and_model_updates_in_place() -> None:
    pixels: list[PixelObservation] = []
    servers: list[ServerObservation] = []
    model = PairTableModel()
    live = LivePairs(lambda: pixels, lambda: servers, model.pairs, model.set_pairs, delay_s=0.02)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))

    pixels.append(make_pixel("AddToCart", "a1", 100.0))
    pixels.append(make_pixel("ViewContent", "v1", 50.0))
    for _ in range(50):
        live.poke(object())
    for _ in range(200):
        if live.refreshes:
            break
        await asyncio.sleep(0.01)
    assert live.refreshes == 1
    assert [p.event_name for p in model.pairs()] == ["ViewContent", "AddToCart"]
    assert {p.verdict for p in model.pairs()} == {"pixel_only"}

    # The server copy arrives: the same row turns into a counted-once pair, no reset.
    servers.append(make_server("AddToCart", "a1", 100.0))
    live.poke()
    for _ in range(200):
        if live.refreshes == 2:
            break
        await asyncio.sleep(0.01)
    pair: Pair = model.pair_at(1)
    assert pair.verdict == "deduplicated" and pair.server is not None
    assert model.rowCount() == 2 and not resets
    await live.close()


@pytest.mark.asyncio
async def test_large_logs_pair_off_the_gui_thread() -> None:
    """Above the threshold the pairing runs on a worker; the loop keeps ticking meanwhile."""
    pixels = [make_pixel("Lead", f"l{i}", 1000.0 + i) for i in range(3000)]
    servers = [make_server("Lead", f"l{i}", 1000.0 + i) for i in range(0, 3000, 2)]
    model = PairTableModel()
    live = LivePairs(lambda: pixels, lambda: servers, model.pairs, model.set_pairs)
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    beat = asyncio.ensure_future(heartbeat())
    try:
        await live.refresh()
    finally:
        beat.cancel()
    assert ticks > 1  # the loop ran while the worker paired
    expected = chronological(pair_events(pixels, servers))
    assert model.rowCount() == len(expected) >= 3000
    assert [p.verdict for p in model.pairs()] == [p.verdict for p in expected]
    assert model.conversions == len(expected)
    await live.close()


def _observations(count: int) -> tuple[list[PixelObservation], list[ServerObservation]]:
    pixels = [make_pixel("Lead", f"l{i}", 1000.0 + i) for i in range(count)]
    return pixels, [make_server("Lead", f"l{i}", 1000.0 + i) for i in range(0, count, 3)]


@pytest.mark.asyncio
async def test_worker_refresh_applies_big_updates_in_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Many changed rows reach the model a step at a time; the loop runs between steps; the
    cyclic collector stays paused until the throw-away pairs are freed, then resumes."""
    monkeypatch.setattr(live_pairs, "THREAD_ABOVE", 0)
    monkeypatch.setattr(live_pairs, "STEP_ROWS", 7)
    pixels, servers = _observations(40)
    model = PairTableModel()
    calls: list[tuple[int, int, bool]] = []
    kept: list[list[Pair]] = []
    ticks = 0

    def sink(pairs: list[Pair], changed: list[int]) -> None:
        calls.append((len(pairs), len(changed), gc.isenabled()))
        kept.append(pairs)
        model.set_pairs(pairs, changed)

    live = LivePairs(lambda: pixels, lambda: servers, model.pairs, sink)

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    assert gc.isenabled()
    await live.refresh()
    assert [length for length, _rows, _gc in calls] == [7, 14, 21, 28, 35, 40]
    servers += [make_server("Lead", f"l{i}", 1000.0 + i) for i in range(1, 40, 3)]  # 13 rows
    calls.clear()
    beat = asyncio.ensure_future(heartbeat())
    try:
        await live.refresh()
    finally:
        beat.cancel()
    assert [changed for _length, changed, _gc in calls] == [7, 6]
    assert not any(enabled for _length, _changed, enabled in calls)
    assert gc.isenabled()
    assert ticks >= len(calls)
    expected = chronological(pair_events(pixels, servers))
    assert [(p.verdict, p.pixel, p.server) for p in model.pairs()] == [
        (p.verdict, p.pixel, p.server) for p in expected
    ]
    fresh = PairTableModel()
    fresh.append_pairs(expected)
    assert (model.summary(), model.outcome_counts()) == (fresh.summary(), fresh.outcome_counts())
    assert all(kept), "the sink's lists are its own: freeing never empties them"
    await live.close()


@pytest.mark.asyncio
async def test_model_changed_between_steps_gets_the_whole_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(live_pairs, "THREAD_ABOVE", 0)
    monkeypatch.setattr(live_pairs, "STEP_ROWS", 5)
    pixels, servers = _observations(20)
    model = PairTableModel()

    def sink(pairs: list[Pair], changed: list[int]) -> None:
        model.set_pairs(pairs, changed)
        if model.rowCount() == 5:
            model.clear()  # the user clears the log in the middle of a refresh

    live = LivePairs(lambda: pixels, lambda: servers, model.pairs, sink)
    await live.refresh()
    expected = chronological(pair_events(pixels, servers))
    assert [(p.pixel, p.server) for p in model.pairs()] == [(p.pixel, p.server) for p in expected]
    await live.close()


@pytest.mark.asyncio
async def test_collector_pause_nests_and_respects_a_disabled_collector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(live_pairs, "THREAD_ABOVE", 0)
    pixels, servers = _observations(30)
    models = [PairTableModel(), PairTableModel()]
    lives = [LivePairs(lambda: pixels, lambda: servers, m.pairs, m.set_pairs) for m in models]
    await asyncio.gather(*(live.refresh() for live in lives))
    assert gc.isenabled() and all(m.rowCount() == 30 for m in models)
    gc.disable()
    try:
        await lives[0].refresh()
        assert not gc.isenabled()  # the app's own choice is kept
    finally:
        gc.enable()
    for live in lives:
        await live.close()


@pytest.mark.asyncio
async def test_throwaway_pairs_are_freed_by_the_end_of_a_refresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Re-pairing an unchanged log builds a new pair per row that nobody keeps: they must be
    gone (reference counting) before the collector resumes, or it would scan them all."""
    monkeypatch.setattr(live_pairs, "THREAD_ABOVE", 0)
    pixels, servers = _observations(3000)
    model = PairTableModel()
    live = LivePairs(lambda: pixels, lambda: servers, model.pairs, model.set_pairs)
    await live.refresh()
    kept = list(model.pairs())
    gc.collect()
    gc.disable()  # no collection may hide what is left: only reference counting frees
    try:
        before = len(gc.get_objects(generation=0))
        await live.refresh()
        left = len(gc.get_objects(generation=0)) - before
    finally:
        gc.enable()
    assert all(a is b for a, b in zip(model.pairs(), kept, strict=True))  # nothing changed
    assert left < 100, f"{left} new container objects still alive (a pair and a list per row)"
    await live.close()


@pytest.mark.asyncio
async def test_server_copies_rebuilt_per_call_leave_the_rows_alone() -> None:
    """`relay.server_observations()` builds new objects from SQLite each time: a refresh with
    nothing new must not rewrite every row that has a server copy."""
    pixels, servers = _observations(30)
    model = PairTableModel()
    live = LivePairs(
        lambda: pixels,
        lambda: [dataclasses.replace(s) for s in servers],
        model.pairs,
        model.set_pairs,
    )
    await live.refresh()
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, *_: changed.append(top.row()))
    await live.refresh()
    assert changed == []
    await live.close()
