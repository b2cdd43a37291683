"""Find one action sent again with a new event ID: a double fire or a re-fire after a reload.

Part of the pairing in `dedup_pairing.py`: pairs are grouped by (page URL, visitor, pixel,
event name); within a group, a later copy with the same content but another ID is either a
double fire (same page load, within seconds: duplicated tag or base code, FB4Woo #3194 /
#1077) or a new ID after a reload (another page load of the same thank-you page: FB4Woo
#4047, pinterest-for-woocommerce PR #1176). Meta counts both copies, because their IDs differ.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from desktop_app.capi.dedup_rules import (
    DOUBLE_FIRE_WINDOW_S,
    NON_CONVERSION_EVENTS,
    ONCE_PER_TRANSACTION,
)
from desktop_app.capi.dedup_warnings import content_signature

if TYPE_CHECKING:
    from desktop_app.capi.dedup_pair import Pair

logger = logging.getLogger(__name__)

# Verdicts a repeat may replace; a name mismatch or a reused id says more than a repeat.
REPLACEABLE = frozenset({"deduplicated", "pixel_only", "server_only", "missing_event_id"})


def find_repeated_sends(pairs: list[Pair]) -> None:
    """Same action sent again with a new ID: within seconds (double fire) or after a reload.

    One dict operation per pair, keyed by everything two sends of one action share: page,
    visitor, pixel and event name; only the rare keys seen twice or more are judged."""
    groups: dict[tuple[Any, ...], Pair] = {}
    shared: dict[tuple[Any, ...], list[Pair]] = {}  # the rare keys with two or more pairs
    first_of = groups.setdefault
    replaceable, base_events = REPLACEABLE, NON_CONVERSION_EVENTS
    for pair in pairs:
        if pair.verdict not in replaceable or pair.event_name in base_events:
            continue
        # Same page *and* same visitor (fbp): two shoppers' identical orders on a thank-you
        # URL without an order number are two conversions, not a reload. Browser-side and
        # server-only pairs stay apart (a 5-tuple never equals a 4-tuple): a browser copy and
        # a server copy with different IDs are "IDs generated separately", not one side sent
        # twice.
        pixel = pair.pixel
        if pixel is not None:
            url = pixel.url
            if not url:
                continue  # page unknown: two orders would look like one action sent twice
            key: tuple[Any, ...] = (url, pixel.fbp, pixel.pixel_id, pair.event_name)
        else:
            server = pair.server
            if server is None:
                continue
            payload = server.payload
            user_data = payload.get("user_data")
            url = payload.get("event_source_url") or ""
            visitor = user_data.get("fbp") if isinstance(user_data, dict) else None
            if not url:
                continue
            key = ("server", url, visitor, server.pixel_id, pair.event_name)
        first = first_of(key, pair)
        if first is not pair:
            same = shared.get(key)
            if same is None:
                shared[key] = [first, pair]
            else:
                same.append(pair)
    for group in shared.values():
        _judge_repeats(group)


def _judge_repeats(group: list[Pair]) -> None:
    group.sort(key=lambda p: p.time)
    seen: dict[tuple[Any, ...], Pair] = {}
    for pair in group:
        side = pair.pixel if pair.pixel is not None else pair.server
        assert side is not None
        signature = content_signature(side)
        earlier = seen.get(signature)
        seen[signature] = pair
        if earlier is None or earlier.event_id == pair.event_id:
            continue
        gap = pair.time - earlier.time
        same_load = _same_page_load(earlier, pair)
        once = pair.event_name in ONCE_PER_TRANSACTION
        quick = gap <= DOUBLE_FIRE_WINDOW_S
        if (same_load is True and (quick or once)) or (same_load is None and quick):
            verdict = "double_fire"
        elif once:  # another page load (known, or inferred from the gap)
            verdict = "new_id_on_reload"
        else:
            continue  # e.g. a second ViewContent after a reload is a real second view
        pair.verdict = verdict
        if verdict == "double_fire":
            pair.explanation = (
                f"{pair.event_name} was sent again {gap:.1f} s after {describe_pair(earlier)} on "
                f"the same page, with a different event ID ({pair.event_id!r}): Meta counts it "
                "twice."
            )
        else:
            pair.explanation = (
                f"{pair.event_name} was sent again {gap:.0f} s later from a new load of the "
                f"same page, with a new event ID ({pair.event_id!r} after "
                f"{earlier.event_id!r}): Meta counts the order twice."
            )


def _same_page_load(a: Pair, b: Pair) -> bool | None:
    """True/False when both pixel copies say which page load (`it`) sent them; else None."""
    if a.pixel is None or b.pixel is None or not a.pixel.page_load or not b.pixel.page_load:
        return None
    return a.pixel.page_load == b.pixel.page_load


def describe_pair(pair: Pair) -> str:
    value = None
    if pair.pixel is not None:
        value = pair.pixel.custom_data.get("value")
    elif pair.server is not None:
        custom = pair.server.payload.get("custom_data") or {}
        value = custom.get("value") if isinstance(custom, dict) else None
    suffix = f", value {value}" if value not in (None, "") else ""
    return f"event ID {pair.event_id!r}{suffix}"
