"""Second chances for copies the (pixel, name, event ID) key left alone.

A browser-only and a server-only copy that share an event ID differ by name (Meta counts both);
copies without any event ID are shown side by side when name and fbp agree, Meta's fallback:
https://developers.facebook.com/documentation/ads-commerce/conversions-api/deduplicate-pixel-and-server-events
Both run on the few one-sided copies only, never on the 1 M clean pairs.
"""

from __future__ import annotations

import logging

from desktop_app.capi.dedup_pair import Pair
from desktop_app.capi.dedup_rules import NON_CONVERSION_EVENTS
from desktop_app.capi.observations import PixelObservation, ServerObservation

logger = logging.getLogger(__name__)


def match_names(pairs: list[Pair], one_sided: list[Pair]) -> set[int]:
    """A one-sided browser copy and a one-sided server copy sharing an ID: names differ.

    Returns the ids of the server-only pairs merged into their browser partner (removed)."""
    browser_only: dict[str, Pair] = {}
    for pair in one_sided:
        if pair.verdict == "pixel_only" and pair.server is None and pair.event_id:
            browser_only.setdefault(pair.event_id, pair)
    if not browser_only:
        return set()
    merged: set[int] = set()
    for pair in one_sided:
        if pair.verdict != "server_only" or pair.server is None or not pair.event_id:
            continue
        partner = browser_only.pop(pair.event_id, None)
        if partner is None or partner.pixel is None:
            continue
        if pair.server.pixel_id not in (None, partner.pixel.pixel_id):
            browser_only[pair.event_id] = partner  # another pixel's event; not this one
            continue
        partner.server = pair.server
        partner.verdict = "event_name_mismatch"
        partner.explanation = (
            f"Event ID {pair.event_id!r}: the browser sent {partner.event_name!r}, the server "
            f"sent {pair.event_name!r}. Names must match exactly, so Meta counts both."
        )
        merged.add(id(pair))
    if merged:
        _remove(pairs, merged)
    return merged


def _remove(pairs: list[Pair], merged: set[int]) -> None:
    """Drop the merged pairs, keeping the order. They are server-only pairs, which the pairing
    appends at the end: only the tail from the first of them is rebuilt (rebuilding all 1 M
    pairs cost ~0.1 s in bench/bench_pairing.py)."""
    start, left = len(pairs), len(merged)
    while left and start:  # stops at the first merged pair (all of them are in `pairs`)
        start -= 1
        if id(pairs[start]) in merged:
            left -= 1
    pairs[start:] = [p for p in pairs[start:] if id(p) not in merged]


def pair_without_ids(
    no_id_pixels: list[PixelObservation], no_id_servers: list[ServerObservation], pairs: list[Pair]
) -> None:
    """Copies without an event ID: shown side by side when name and fbp agree (Meta's fallback)."""
    by_fallback: dict[tuple[str, str], list[PixelObservation]] = {}
    lone: list[Pair] = []
    for pixel in no_id_pixels:
        if pixel.event_name in NON_CONVERSION_EVENTS:
            text = f"{pixel.event_name} from the base pixel (no server copy expected)."
            pairs.append(Pair(pixel.event_name, None, "pixel_only", pixel, explanation=text))
            continue
        if pixel.fbp:
            by_fallback.setdefault((pixel.event_name, pixel.fbp), []).append(pixel)
        pair = Pair(pixel.event_name, None, "missing_event_id", pixel)
        pair.explanation = f"The browser sent {pixel.event_name} without an eventID (eid)."
        lone.append(pair)
    by_pixel = {id(p.pixel): p for p in lone}
    for server in no_id_servers:
        user_data = server.payload.get("user_data") or {}
        fbp = user_data.get("fbp") if isinstance(user_data, dict) else None
        candidates = by_fallback.get((server.event_name, fbp)) if fbp else None
        if candidates:
            pixel = candidates.pop(0)
            pair = by_pixel[id(pixel)]
            pair.server = server
            pair.explanation = (
                f"Neither copy of {server.event_name} has an event ID; Meta can only fall back "
                "to event name + fbp, and only if the browser copy arrives first."
            )
            continue
        text = f"The server sent {server.event_name} without an event_id."
        pairs.append(
            Pair(server.event_name, None, "missing_event_id", server=server, explanation=text)
        )
    pairs.extend(lone)
