"""`pair_events` pauses the cyclic collector and leaves no young collection behind.

The pairs it makes hold no cycles; left in the young generation, the first allocation after
the pairing would traverse all of them (~0.3 s at 1 M pairs, bench/bench_pairing.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from desktop_app.capi.dedup import pair_events
from desktop_app.capi.observations import PixelObservation, ServerObservation

T0 = 1_764_220_000.0


def _sides(n: int) -> tuple[list[PixelObservation], list[ServerObservation]]:
    pixels = [
        PixelObservation("1", "Purchase", f"e{i}", f"https://s.example/t{i}", T0 + i)
        for i in range(n)
    ]
    servers = [
        ServerObservation("1", "Purchase", f"e{i}", int(T0 + i), {}, sent_at=T0 + i)
        for i in range(n)
    ]
    return pixels, servers


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was_enabled:
            gc.disable()


@pytest.mark.usefixtures("collector_enabled")
def test_the_pairs_skip_the_young_generation() -> None:
    pixels, servers = _sides(2000)
    collections: list[int] = []

    def record(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.collect()
    gc.callbacks.append(record)
    try:
        pairs = pair_events(pixels, servers)
        after = [[pair] for pair in pairs[:10]]  # the next allocations after the pairing
    finally:
        gc.callbacks.remove(record)
    assert gc.isenabled()
    assert len(after) == 10
    assert [p.verdict for p in pairs] == ["deduplicated"] * 2000
    assert collections == []  # no collection traversed the new pairs, during or after
    young = {id(obj) for obj in gc.get_objects(generation=0)}
    assert not any(id(pair) in young for pair in pairs)


@pytest.mark.usefixtures("collector_enabled")
def test_a_disabled_collector_stays_disabled() -> None:
    pixels, servers = _sides(10)
    gc.disable()
    try:
        assert len(pair_events(pixels, servers)) == 10
        assert not gc.isenabled()  # the caller's choice is kept
    finally:
        gc.enable()


@pytest.mark.usefixtures("collector_enabled")
def test_objects_the_application_froze_stay_frozen() -> None:
    pixels, servers = _sides(10)
    gc.collect()
    kept = [[i] for i in range(50)]  # containers the application freezes
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen >= len(kept)
        assert len(pair_events(pixels, servers)) == 10
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
