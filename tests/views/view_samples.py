"""Pairs shaped like the demo's: what the side-by-side screens are tested with."""

from __future__ import annotations

import time

from desktop_app.capi.dedup import Pair
from desktop_app.capi.observations import PixelObservation, ServerObservation

PIXEL_ID = "1234567890123456"
SHOP = "http://127.0.0.1:8123"
EMAIL_HASH = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"


def make_pixel(name: str, event_id: str | None, at: float, path: str = "/") -> PixelObservation:
    query = f"id={PIXEL_ID}&ev={name}&dl={SHOP}{path}" + (f"&eid={event_id}" if event_id else "")
    return PixelObservation(
        pixel_id=PIXEL_ID,
        event_name=name,
        event_id=event_id,
        url=f"{SHOP}{path}",
        observed_at=at,
        custom_data={"value": "49.90", "currency": "EUR"} if name == "Purchase" else {},
        request_url=f"https://www.facebook.com/tr/?{query}",
    )


def make_server(name: str, event_id: str | None, at: float) -> ServerObservation:
    payload = {
        "event_name": name,
        "event_time": int(at),
        "event_id": event_id,
        "action_source": "website",
        "event_source_url": f"{SHOP}/",
        "user_data": {"em": [EMAIL_HASH], "client_user_agent": "Mozilla/5.0"},
    }
    return ServerObservation(
        pixel_id=PIXEL_ID,
        event_name=name,
        event_id=event_id,
        event_time=int(at),
        payload=payload,
        sent_at=at + 0.2,
        # The relay's shape: HTTP status, Meta's JSON body, its own classification.
        response={
            "http_status": 200,
            "body": {"events_received": 1, "messages": [], "fbtrace_id": f"Atrace{event_id}"},
            "elapsed_ms": 3.1,
        },
        test_event_code="TEST123",
    )


def demo_pairs(now: float | None = None) -> list[Pair]:
    """The four demo conversions counted once, plus the base pixel's PageView."""
    at = now or time.time()
    pairs = [Pair("PageView", None, "pixel_only", pixel=make_pixel("PageView", None, at))]
    for step, name in enumerate(("ViewContent", "AddToCart", "InitiateCheckout", "Purchase")):
        event_id = f"ev-{step}-{name.lower()}"
        pairs.append(
            Pair(
                name,
                event_id,
                "deduplicated",
                pixel=make_pixel(name, event_id, at + step),
                server=make_server(name, event_id, at + step),
                explanation="Both copies carry the same event name and event ID: Meta keeps one.",
            )
        )
    return pairs


def problem_pairs(now: float | None = None) -> list[Pair]:
    at = now or time.time()
    return [
        Pair(
            "Purchase",
            "ord-77",
            "event_name_mismatch",
            pixel=make_pixel("Purchase", "ord-77", at),
            server=make_server("purchase", "ord-77", at),
            explanation="The server sent 'purchase', the Pixel 'Purchase': Meta counts both.",
        ),
        Pair("Lead", "lead-1", "pixel_only", pixel=make_pixel("Lead", "lead-1", at)),
    ]


def many_pairs(count: int) -> list[Pair]:
    """A large log: mostly counted once, every 10th a Pixel-only, every 25th counted twice."""
    names = ("ViewContent", "AddToCart", "InitiateCheckout", "Purchase", "Lead")
    pairs = []
    for i in range(count):
        name, event_id = names[i % 5], f"e{i}"
        pixel = PixelObservation(PIXEL_ID if i % 2 else "999", name, event_id, SHOP, 1.7e9 + i)
        if i % 10 == 0:
            pairs.append(Pair(name, event_id, "pixel_only", pixel=pixel))
            continue
        server = ServerObservation(PIXEL_ID, name, event_id, int(1.7e9) + i, {})
        verdict = "double_fire" if i % 25 == 1 else "deduplicated"
        pairs.append(Pair(name, event_id, verdict, pixel=pixel, server=server))
    return pairs
