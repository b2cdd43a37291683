"""Pair Pixel and server copies of each conversion and say whether Meta counts it once.

(Minimal version laid by the Foundation; the "Live verification" issue adds the full verdict
table.) Meta deduplicates a browser and a server event when they carry the same pixel,
`event_name` and `event_id` within 48 hours:
https://developers.facebook.com/documentation/ads-commerce/conversions-api/deduplicate-pixel-and-server-events
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from desktop_app.capi.observations import PixelObservation, ServerObservation

NON_CONVERSION_EVENTS = frozenset({"PageView"})  # the base pixel's; no server copy expected


@dataclass(slots=True)
class Pair:
    event_name: str
    event_id: str | None
    verdict: str  # deduplicated | pixel_only | server_only | missing_event_id | …
    pixel: PixelObservation | None = None
    server: ServerObservation | None = None
    warnings: list[str] = field(default_factory=list)
    explanation: str = ""

    @property
    def is_conversion(self) -> bool:
        return self.event_name not in NON_CONVERSION_EVENTS

    def to_json(self) -> dict[str, Any]:
        return {
            "event_name": self.event_name,
            "event_id": self.event_id,
            "verdict": self.verdict,
            "pixel": self.pixel.to_json() if self.pixel else None,
            "server": self.server.to_json() if self.server else None,
            "warnings": list(self.warnings),
            "explanation": self.explanation,
        }


def pair_events(
    pixels: Iterable[PixelObservation], servers: Iterable[ServerObservation]
) -> list[Pair]:
    """One pass over each side: index the server copies by key, then walk the pixels."""
    by_key: dict[tuple[str | None, str, str], ServerObservation] = {}
    unkeyed: list[ServerObservation] = []
    for server in servers:
        if server.event_id:
            by_key.setdefault((server.pixel_id, server.event_name, server.event_id), server)
        else:
            unkeyed.append(server)
    pairs: list[Pair] = []
    for pixel in pixels:
        if not pixel.event_id:
            verdict = (
                "pixel_only" if pixel.event_name in NON_CONVERSION_EVENTS else "missing_event_id"
            )
            pairs.append(Pair(pixel.event_name, None, verdict, pixel=pixel))
            continue
        match = by_key.pop((pixel.pixel_id, pixel.event_name, pixel.event_id), None)
        if match is None:
            match = by_key.pop((None, pixel.event_name, pixel.event_id), None)
        verdict = "deduplicated" if match else "pixel_only"
        pairs.append(Pair(pixel.event_name, pixel.event_id, verdict, pixel=pixel, server=match))
    for server in [*by_key.values(), *unkeyed]:
        verdict = "server_only" if server.event_id else "missing_event_id"
        pairs.append(Pair(server.event_name, server.event_id, verdict, server=server))
    return pairs


def summarize(pairs: Iterable[Pair]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    conversions = 0
    deduplicated = 0
    for pair in pairs:
        counts[pair.verdict] = counts.get(pair.verdict, 0) + 1
        if pair.is_conversion:
            conversions += 1
            deduplicated += pair.verdict == "deduplicated"
    return {
        "conversions": conversions,
        "counted_once": deduplicated,
        "verdicts": counts,
        "all_counted_once": conversions > 0 and conversions == deduplicated,
    }


def report(pairs: list[Pair], **extra: Any) -> dict[str, Any]:
    """The pair/verdict JSON shared by `demo --report`, `verify` and `pair`."""
    return {"pairs": [p.to_json() for p in pairs], "summary": summarize(pairs), **extra}
