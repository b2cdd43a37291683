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


def repeat_key(pair: Pair) -> tuple[Any, ...] | None:
    """What two sends of one action share: page, visitor, pixel and event; None when the pair
    cannot be a repeat (its verdict says more, a base-pixel event, or the page is unknown)."""
    if pair.verdict not in REPLACEABLE or pair.event_name in NON_CONVERSION_EVENTS:
        return None
    # Same page *and* same visitor (fbp): two shoppers' identical orders on a thank-you URL
    # without an order number are two conversions, not a reload. Browser-side and server-only
    # pairs stay apart (the 5-tuple never equals a 4-tuple): a browser copy and a server copy
    # with different IDs are "IDs generated separately", not one side sent twice.
    pixel = pair.pixel
    if pixel is not None:
        url = pixel.url
        return (url, pixel.fbp, pixel.pixel_id, pair.event_name) if url else None
    server = pair.server
    if server is None:
        return None
    payload = server.payload
    user_data = payload.get("user_data")
    url = payload.get("event_source_url") or ""
    visitor = user_data.get("fbp") if isinstance(user_data, dict) else None
    # page unknown: two orders would look like one action sent twice
    return ("server", url, visitor, server.pixel_id, pair.event_name) if url else None


class RepeatGroups:
    """Pairs by `repeat_key`, in pairing order; only keys seen twice or more are judged.

    The pairing adds each pair as it creates it (the hot loop inlines `add` for the clean
    pairs), so this costs one dict operation per pair and no second walk over all pairs."""

    __slots__ = ("first", "shared")

    def __init__(self) -> None:
        self.first: dict[tuple[Any, ...], Pair] = {}
        self.shared: dict[tuple[Any, ...], list[Pair]] = {}  # the rare keys with 2+ pairs

    def add(self, pair: Pair) -> None:
        key = repeat_key(pair)
        if key is None:
            return
        first = self.first.setdefault(key, pair)
        if first is not pair:
            self.add_shared(key, first, pair)

    def add_shared(self, key: tuple[Any, ...], first: Pair, pair: Pair) -> None:
        same = self.shared.get(key)
        if same is None:
            self.shared[key] = [first, pair]
        else:
            same.append(pair)

    def judge(self, dropped: set[int], order: list[Pair] | None = None) -> None:
        """Mark double fires and reloads. `dropped`: ids of pairs replaced or merged away since
        they were added; `order`: the final pairs, when some were added out of their order
        (a copy's place in the pairing breaks ties between copies sent at the same time)."""
        judged: list[list[Pair]] = []
        for group in self.shared.values():
            # a verdict may have changed since the pair was added (e.g. to a name mismatch)
            members = [p for p in group if p.verdict in REPLACEABLE and id(p) not in dropped]
            if len(members) > 1:
                judged.append(members)
        if judged and order is not None:
            wanted = {id(p) for members in judged for p in members}
            place = {id(p): i for i, p in enumerate(order) if id(p) in wanted}
            for members in judged:
                members.sort(key=lambda p: place[id(p)])
        for members in judged:
            _judge_repeats(members)


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
