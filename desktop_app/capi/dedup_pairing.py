"""The pairing pass behind `dedup.pair_events`: group both channels by key, judge each key.

Meta deduplicates a browser and a server copy carrying the same pixel, `event_name` and
`event_id` within 48 hours:
https://developers.facebook.com/documentation/ads-commerce/conversions-api/deduplicate-pixel-and-server-events

Speed (issue 7: 1 M + 1 M observations in ≤ 3 s, see `bench/bench_pairing.py`): the time goes
into cache misses on millions of small objects, so the work per observation is kept to the
fewest dict operations. Server copies are indexed by key once; each browser copy then needs a
single `setdefault` on that index, which both finds its server copy and marks the key as taken
(no second index of the browser copies, no pop). Nearly every key has exactly one copy per
side that agree: that case is decided inline, on local variables, with no function call.
Warnings and repeats are separate passes over the finished pairs (measured faster at 1 M than
folding them into this loop: re-measured 2026-11-27, A/B in one process, the warning screen
inline +0.0 s, the repeat index inline +0.3 s). The rare rest (several copies per key, one
side only, failed deliveries, missing IDs) takes the general code;
`tests/verify/test_dedup_equivalence.py` compares the whole against a straightforward pairing.

Result (issue 7's last gap, 2026-11-27): `python -m bench.bench_pairing` gives 2.83 s CPU
(median of 4 ABBA rounds, load 1.7; was 3.30 s), and A/B against the previous version in one
process 2.65 s vs 3.07 s (load 1.0). Two changes: `dedup.pair_events` hands what it made with
the collector paused to the oldest generation instead of leaving it to a young-generation
collection that traverses 2 M fresh objects (~0.3 s), and a name-mismatch merge rebuilds only
the tail of the pair list (`dedup_unmatched`, −0.07 s).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from desktop_app.capi.dedup_pair import Pair
from desktop_app.capi.dedup_repeats import describe_pair, find_repeated_sends
from desktop_app.capi.dedup_unmatched import match_names, pair_without_ids
from desktop_app.capi.dedup_warnings import check_all_warnings, content_signature, server_arrival
from desktop_app.capi.observations import PixelObservation, ServerObservation

logger = logging.getLogger(__name__)

FAILED_STATUSES = frozenset({"rejected", "expired", "blocked"})
_Key = tuple[str | None, str, str]


def group_by_key(items: Iterable[ServerObservation]) -> tuple[dict[_Key, Any], list[Any]]:
    """key → the one server copy, or a list when several share the key (rare; saves a list
    per observation). Copies without an id go to the second list.

    Keyed by the full tuple on purpose. Tried 2026-11-27: an index keyed on the event_id
    string alone (full key checked on the hit, tuple index only for ids under several keys).
    It was 8 % faster at 300 k, but at 1 M it was +0.3 s slower: an all-str dict stores no
    hashes, so each probe reads the string object, a cache miss. With the general layout
    forced it was still +0.04 to +0.10 s (ABBA, 4 and 6 rounds)."""
    groups: dict[_Key, Any] = {}
    shared: dict[_Key, list[Any]] = {}  # the rare keys seen more than once
    no_id: list[Any] = []
    first_of = groups.setdefault  # one dict operation per observation on the hot path
    for item in items:
        event_id = item.event_id
        if not event_id:
            no_id.append(item)
            continue
        key = (item.pixel_id, item.event_name, event_id)
        first = first_of(key, item)
        if first is not item:
            same = shared.get(key)
            if same is None:
                shared[key] = [first, item]
            else:
                same.append(item)
    groups.update(shared)
    return groups, no_id


def pair_all(
    pixels: Iterable[PixelObservation], servers: Iterable[ServerObservation], window_s: float
) -> list[Pair]:
    server_groups, no_id_servers = group_by_key(servers)
    anonymous = any(key[0] is None for key in server_groups) if server_groups else False

    pairs: list[Pair] = []
    one_sided: list[Pair] = []  # candidates for a name mismatch (same id, other name)
    no_id_pixels: list[PixelObservation] = []
    used_anonymous: set[_Key] = set()  # server groups without pixel id that some pixel used
    # Keys with several copies: placeholder pair → (key, browser copies, server copies); the
    # placeholder keeps its place in `pairs` and is replaced by the group's pairs afterwards.
    groups: dict[int, tuple[_Key, list[PixelObservation], list[ServerObservation]]] = {}
    # Local bindings: each saves an attribute lookup per observation in the loop below.
    append, claim, get_anonymous = pairs.append, server_groups.setdefault, server_groups.get
    failed = FAILED_STATUSES
    for found in pixels:
        if found.endpoint != "tr":
            continue  # privacy-sandbox echoes repeat a /tr hit; they are not a second copy
        event_id = found.event_id
        if not event_id:
            no_id_pixels.append(found)
            continue
        key = (found.pixel_id, found.event_name, event_id)
        # One dict operation finds the server copy and marks the key as taken by this browser
        # copy; its pair then replaces the mark in the same, still cached, slot.
        match = claim(key, found)
        if type(match) is ServerObservation:  # the common case: one copy each side
            sent = match.sent_at
            if sent is None:
                sent = match.event_time
            if match.status in failed or abs(sent - found.observed_at) > window_s:
                pair = _judge(key, found, match, window_s)
            else:
                pair = Pair(key[1], event_id, "deduplicated", found, match)
            server_groups[key] = pair
            append(pair)
            continue
        if type(match) is Pair:  # a second browser copy with this key: a group
            group = groups.get(id(match))
            if group is None:
                servers_seen = [] if match.server is None else [match.server]
                group = (key, [found if match.pixel is None else match.pixel], servers_seen)
                groups[id(match)] = group
            group[1].append(found)
            continue
        pair = Pair(key[1], event_id, "pixel_only", found)
        server_groups[key] = pair
        if match is found:  # no server copy under this key
            match = None
            if anonymous:
                anon: _Key = (None, key[1], event_id)
                match = get_anonymous(anon)
                if type(match) is Pair:  # taken: a browser copy without pixel id had this key
                    match = None
                if match is not None:
                    used_anonymous.add(anon)  # may also serve another pixel id on the page
            if match is None:
                append(pair)
                one_sided.append(pair)
                continue
        if type(match) is list:
            groups[id(pair)] = (key, [found], match)
        else:
            pair = _judge(key, found, match, window_s)
            server_groups[key] = pair
        append(pair)
    if groups:  # rare: replace each placeholder by its group's pairs, in place
        pairs = _expand_groups(pairs, groups, window_s)
        one_sided = [p for p in pairs if p.pixel is None or p.server is None]
    for server_key, match in server_groups.items():
        if type(match) is Pair or server_key in used_anonymous:
            continue  # taken by a browser copy
        one_sided += _pair_group(server_key, [], _as_list(match), pairs, window_s)

    match_names(pairs, one_sided)
    pair_without_ids(no_id_pixels, no_id_servers, pairs)
    # Separate passes over the finished pairs: each touches fewer objects at a time, which
    # measured faster at 1 M than doing all of it inside the loop above.
    check_all_warnings(pairs)
    find_repeated_sends(pairs)
    return pairs


def _expand_groups(
    pairs: list[Pair],
    groups: dict[int, tuple[_Key, list[PixelObservation], list[ServerObservation]]],
    window_s: float,
) -> list[Pair]:
    expanded: list[Pair] = []
    for pair in pairs:
        group = groups.get(id(pair))
        if group is None:
            expanded.append(pair)
            continue
        _pair_group(group[0], group[1], group[2], expanded, window_s)
    return expanded


def _as_list(found: Any) -> list[Any]:
    if found is None:
        return []
    return found if type(found) is list else [found]


def _pair_group(
    key: _Key,
    group_pixels: list[PixelObservation],
    group_servers: list[ServerObservation],
    pairs: list[Pair],
    window_s: float,
) -> list[Pair]:
    """Append the group's pairs; return those with one side only."""
    created: list[Pair] = []
    if len(group_pixels) <= 1 and len(group_servers) <= 1:
        pixel = group_pixels[0] if group_pixels else None
        server = group_servers[0] if group_servers else None
        created.append(_judge(key, pixel, server, window_s))
        pairs.extend(created)
        return [p for p in created if p.pixel is None or p.server is None]
    # Several copies share one key: identical content is a repeat Meta drops (fine); different
    # content means the id was reused for different conversions.
    by_content: dict[tuple[Any, ...], tuple[list[PixelObservation], list[ServerObservation]]] = {}
    for pixel in group_pixels:
        by_content.setdefault(content_signature(pixel), ([], []))[0].append(pixel)
    for server in group_servers:
        by_content.setdefault(content_signature(server), ([], []))[1].append(server)
    first: Pair | None = None
    for same_pixels, same_servers in by_content.values():
        pixel = same_pixels[0] if same_pixels else None
        server = same_servers[0] if same_servers else None
        pair = _judge(key, pixel, server, window_s)
        pair.repeats = max(len(same_pixels), 1) + max(len(same_servers), 1) - 2
        if first is None:
            first = pair
        else:
            pair.verdict = "event_id_reused"
            pair.explanation = (
                f"Event ID {key[2]!r} was already used for a different {key[1]} "
                f"({describe_pair(first)}); this one ({describe_pair(pair)}) is dropped by Meta."
            )
        created.append(pair)
    pairs.extend(created)
    return [p for p in created if p.verdict in ("pixel_only", "server_only")]


def _judge(
    key: _Key, pixel: PixelObservation | None, server: ServerObservation | None, window_s: float
) -> Pair:
    name, event_id = key[1], key[2]
    if pixel is not None and server is not None:
        if server.status in FAILED_STATUSES:
            return Pair(
                name,
                event_id,
                "pixel_only",
                pixel,
                server,
                explanation=f"The server copy of {name} {event_id!r} was {server.status}; "
                "Meta only has the browser copy.",
            )
        gap = abs(server_arrival(server) - pixel.observed_at)
        if gap > window_s:
            return Pair(
                name,
                event_id,
                "outside_window",
                pixel,
                server,
                explanation=f"Browser and server copies of {name} {event_id!r} are "
                f"{gap / 3600:.1f} h apart (more than {window_s / 3600:.0f} h).",
            )
        return Pair(name, event_id, "deduplicated", pixel, server)
    return Pair(name, event_id, "pixel_only" if pixel is not None else "server_only", pixel, server)
