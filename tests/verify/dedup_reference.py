"""A straightforward pairing, kept only as the oracle for `test_dedup_equivalence.py`.

It follows the rules of `desktop_app/capi/dedup*.py` with none of the speed work: every key
maps to a list, every group is judged the same way, repeats are grouped per page and then per
event, and every pair with a server copy gets the full warning evidence (no cheap screen). The
optimized `pair_events` must give exactly the same pairs, in the same order.
"""

from __future__ import annotations

from typing import Any

from desktop_app.capi.dedup import Pair
from desktop_app.capi.dedup_repeats import _judge_repeats, describe_pair
from desktop_app.capi.dedup_rules import DEDUP_WINDOW_S, NON_CONVERSION_EVENTS
from desktop_app.capi.dedup_warnings import content_signature, explain_warnings, server_arrival
from desktop_app.capi.observations import PixelObservation, ServerObservation

FAILED = {"rejected", "expired", "blocked"}
REPLACEABLE = {"deduplicated", "pixel_only", "server_only", "missing_event_id"}
Key = tuple[Any, str, str]


def reference_pairs(
    pixels: list[PixelObservation],
    servers: list[ServerObservation],
    window_s: float = DEDUP_WINDOW_S,
) -> list[Pair]:
    pixel_groups: dict[Key, list[PixelObservation]] = {}
    server_groups: dict[Key, list[ServerObservation]] = {}
    no_id_pixels = [p for p in pixels if p.endpoint == "tr" and not p.event_id]
    no_id_servers = [s for s in servers if not s.event_id]
    for p in pixels:
        if p.endpoint == "tr" and p.event_id:
            pixel_groups.setdefault((p.pixel_id, p.event_name, p.event_id), []).append(p)
    for s in servers:
        if s.event_id:
            server_groups.setdefault((s.pixel_id, s.event_name, s.event_id), []).append(s)
    pairs: list[Pair] = []
    one_sided: list[Pair] = []
    used_anonymous: set[Key] = set()
    for key, group in pixel_groups.items():
        matched = server_groups.pop(key, None)
        anon = (None, key[1], key[2])
        if matched is None and anon in server_groups:
            matched = server_groups[anon]
            used_anonymous.add(anon)
        one_sided += judge_group(key, group, matched or [], pairs, window_s)
    for key, matched in server_groups.items():
        if key not in used_anonymous:
            one_sided += judge_group(key, [], matched, pairs, window_s)
    match_names(pairs, one_sided)
    pair_without_ids(no_id_pixels, no_id_servers, pairs)
    repeated_sends(pairs)
    for pair in pairs:
        if pair.server is not None:
            explain_warnings(pair, pair.server, pair.pixel)
    return pairs


def judge_group(
    key: Key,
    group_pixels: list[PixelObservation],
    group_servers: list[ServerObservation],
    pairs: list[Pair],
    window_s: float,
) -> list[Pair]:
    by_content: dict[Any, tuple[list[PixelObservation], list[ServerObservation]]] = {}
    several = len(group_pixels) > 1 or len(group_servers) > 1
    for p in group_pixels:
        by_content.setdefault(content_signature(p) if several else (), ([], []))[0].append(p)
    for s in group_servers:
        by_content.setdefault(content_signature(s) if several else (), ([], []))[1].append(s)
    first: Pair | None = None
    created: list[Pair] = []
    for same_pixels, same_servers in by_content.values():
        pair = judge(
            key,
            same_pixels[0] if same_pixels else None,
            same_servers[0] if same_servers else None,
            window_s,
        )
        if several:
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


def judge(
    key: Key, pixel: PixelObservation | None, server: ServerObservation | None, window_s: float
) -> Pair:
    name, event_id = key[1], key[2]
    if pixel is None or server is None:
        verdict = "pixel_only" if pixel is not None else "server_only"
        return Pair(name, event_id, verdict, pixel, server)
    if server.status in FAILED:
        text = (
            f"The server copy of {name} {event_id!r} was {server.status}; "
            "Meta only has the browser copy."
        )
        return Pair(name, event_id, "pixel_only", pixel, server, explanation=text)
    gap = abs(server_arrival(server) - pixel.observed_at)
    if gap > window_s:
        text = (
            f"Browser and server copies of {name} {event_id!r} are "
            f"{gap / 3600:.1f} h apart (more than {window_s / 3600:.0f} h)."
        )
        return Pair(name, event_id, "outside_window", pixel, server, explanation=text)
    return Pair(name, event_id, "deduplicated", pixel, server)


def match_names(pairs: list[Pair], one_sided: list[Pair]) -> None:
    browser_only: dict[str, Pair] = {}
    for pair in one_sided:
        if pair.verdict == "pixel_only" and pair.server is None and pair.event_id:
            browser_only.setdefault(pair.event_id, pair)
    merged: list[Pair] = []
    for pair in one_sided:
        if pair.verdict != "server_only" or pair.server is None or not pair.event_id:
            continue
        partner = browser_only.pop(pair.event_id, None)
        if partner is None or partner.pixel is None:
            continue
        if pair.server.pixel_id not in (None, partner.pixel.pixel_id):
            browser_only[pair.event_id] = partner
            continue
        partner.server = pair.server
        partner.verdict = "event_name_mismatch"
        partner.explanation = (
            f"Event ID {pair.event_id!r}: the browser sent {partner.event_name!r}, the server "
            f"sent {pair.event_name!r}. Names must match exactly, so Meta counts both."
        )
        merged.append(pair)
    pairs[:] = [p for p in pairs if not any(p is m for m in merged)]


def pair_without_ids(
    no_id_pixels: list[PixelObservation], no_id_servers: list[ServerObservation], pairs: list[Pair]
) -> None:
    waiting: list[Pair] = []
    lone: list[Pair] = []
    for pixel in no_id_pixels:
        if pixel.event_name in NON_CONVERSION_EVENTS:
            text = f"{pixel.event_name} from the base pixel (no server copy expected)."
            pairs.append(Pair(pixel.event_name, None, "pixel_only", pixel, explanation=text))
            continue
        text = f"The browser sent {pixel.event_name} without an eventID (eid)."
        pair = Pair(pixel.event_name, None, "missing_event_id", pixel, explanation=text)
        lone.append(pair)
        if pixel.fbp:
            waiting.append(pair)
    for server in no_id_servers:
        user_data = server.payload.get("user_data") or {}
        fbp = user_data.get("fbp") if isinstance(user_data, dict) else None
        partner = next(
            (
                p
                for p in waiting
                if fbp and p.pixel and (p.event_name, p.pixel.fbp) == (server.event_name, fbp)
            ),
            None,
        )
        if partner is not None:
            waiting.remove(partner)
            partner.server = server
            partner.explanation = (
                f"Neither copy of {server.event_name} has an event ID; Meta can only fall back "
                "to event name + fbp, and only if the browser copy arrives first."
            )
            continue
        text = f"The server sent {server.event_name} without an event_id."
        pairs.append(
            Pair(server.event_name, None, "missing_event_id", server=server, explanation=text)
        )
    pairs.extend(lone)


def repeated_sends(pairs: list[Pair]) -> None:
    pages: dict[Any, list[Pair]] = {}
    for pair in pairs:
        if pair.verdict not in REPLACEABLE or pair.event_name in NON_CONVERSION_EVENTS:
            continue
        if pair.pixel is not None:
            page = ("browser", pair.pixel.url, pair.pixel.fbp)
        elif pair.server is not None:
            payload = pair.server.payload
            user_data = payload.get("user_data")
            visitor = user_data.get("fbp") if isinstance(user_data, dict) else None
            page = ("server", payload.get("event_source_url") or "", visitor)
        else:
            continue
        if page[1]:
            pages.setdefault(page, []).append(pair)
    for group in pages.values():
        by_event: dict[Any, list[Pair]] = {}
        for pair in group:
            copy = pair.pixel if pair.pixel is not None else pair.server
            assert copy is not None
            by_event.setdefault((copy.pixel_id, pair.event_name), []).append(pair)
        for same_event in by_event.values():
            if len(same_event) > 1:
                _judge_repeats(same_event)
