"""Pair Pixel and server copies of each conversion and say whether Meta counts it once.

Meta deduplicates a browser and a server event when they carry the same pixel, `event_name`
and `event_id` within 48 hours:
https://developers.facebook.com/documentation/ads-commerce/conversions-api/deduplicate-pixel-and-server-events
The public entry point: the pass itself is `dedup_pairing.py` (one dict lookup per
observation, O(n)), the conversion shape `dedup_pair.Pair`, the rule texts `dedup_rules.py`,
the per-pair warnings `dedup_warnings.py`, repeats `dedup_repeats.py`, name mismatches and
missing IDs `dedup_unmatched.py`.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from desktop_app.capi.dedup_pair import Pair
from desktop_app.capi.dedup_pairing import FAILED_STATUSES, pair_all
from desktop_app.capi.dedup_rules import DEDUP_WINDOW_S, NON_CONVERSION_EVENTS
from desktop_app.capi.observations import PixelObservation, ServerObservation

logger = logging.getLogger(__name__)

# Objects frozen before this module was imported (CPython's own); more means the application
# called gc.freeze() (see _skip_young_collection).
_FROZEN_AT_IMPORT = gc.get_freeze_count()

__all__ = [
    "FAILED_STATUSES",
    "NON_CONVERSION_EVENTS",
    "Pair",
    "pair_events",
    "report",
    "summarize",
]


def pair_events(
    pixels: Iterable[PixelObservation],
    servers: Iterable[ServerObservation],
    *,
    window_s: float = DEDUP_WINDOW_S,
) -> list[Pair]:
    """One pair per conversion, each with exactly one verdict (see dedup_rules.VERDICTS)."""
    with _cyclic_gc_paused():
        return pair_all(pixels, servers, window_s)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    # Pairing allocates millions of small objects and no reference cycles; Python's cyclic
    # collector would rescan the whole young heap again and again (measured: ~40 % of the
    # time at 1 M events). Reference counting still frees everything.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        _skip_young_collection()
        if was_enabled:
            gc.enable()


def _skip_young_collection() -> None:
    """Hand the objects made while the collector was paused to the oldest generation.

    Otherwise the first allocation after `gc.enable()` starts a young collection that
    traverses every pair and list just made (2 M objects at 1 M pairs: ~0.3 s, a tenth of the
    benchmark) only to find no cycle and promote them, and they are traversed again one
    generation up. `freeze()` + `unfreeze()` moves every tracked object to the oldest
    generation in O(1), where those collections would have put the survivors; cyclic garbage
    made meanwhile is still found by the next full collection. Skipped when the application
    has frozen objects itself (`unfreeze()` would release them); CPython 3.12 freezes a few
    hundred tuples of its own at startup, which this releases once (harmless: they are then
    traversed by full collections like any old object)."""
    if gc.get_freeze_count() <= _FROZEN_AT_IMPORT:
        gc.freeze()
        gc.unfreeze()


def summarize(pairs: Iterable[Pair]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    counted: dict[str, int] = {}
    warnings: dict[str, int] = {}
    conversions = 0
    deduplicated = 0
    for pair in pairs:
        counts[pair.verdict] = counts.get(pair.verdict, 0) + 1
        for code in pair.warnings:
            warnings[code] = warnings.get(code, 0) + 1
        if pair.is_conversion:
            conversions += 1
            deduplicated += pair.verdict == "deduplicated"
            counted[pair.counted] = counted.get(pair.counted, 0) + 1
    pending = warnings.get("server_pending", 0)
    return {
        "conversions": conversions,
        "counted_once": deduplicated,
        "not_counted_once": conversions - deduplicated,
        "verdicts": counts,
        "counted": counted,
        "warnings": warnings,
        "pending": pending,  # server copies Meta does not have yet (queued, retrying)
        "all_counted_once": conversions > 0 and conversions == deduplicated and not pending,
    }


def report(pairs: list[Pair], **extra: Any) -> dict[str, Any]:
    """The pair/verdict JSON shared by `demo --report`, `verify` and `pair`."""
    return {"pairs": [p.to_json() for p in pairs], "summary": summarize(pairs), **extra}
