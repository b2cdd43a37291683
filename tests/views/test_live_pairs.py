"""Live pairing: a burst of listener calls is one re-pairing, in the order events happened."""

from __future__ import annotations

import asyncio

import pytest
from views.view_samples import make_pixel, make_server

from desktop_app.capi.dedup import Pair, pair_events
from desktop_app.capi.observations import PixelObservation, ServerObservation
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
