"""The optimized pairing gives exactly the pairs of a straightforward one (dedup_reference.py).

Both run on the same generated observations; every field of every pair must agree (verdict,
warnings and their evidence, explanation, repeats, and the very same observation objects), in
the same order. A seeded mix of a few thousand observations must also reach every verdict and
every warning, so no rule escapes the comparison.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.capi.dedup import Pair, pair_events
from desktop_app.capi.dedup_rules import VERDICTS, WARNINGS
from desktop_app.capi.observations import PixelObservation, ServerObservation
from tests.verify.dedup_reference import reference_pairs

T0 = 1_764_220_000.0
PIXEL_IDS = ["111", "222"]
NAMES = ["Purchase", "purchase", "Lead", "ViewContent", "PageView"]
EVENT_IDS = [None, "", "a", "b", "c"]
# seconds after T0: same gesture, double-fire window, reload, server_late, > 48 h
OFFSETS = [0.0, 0.5, 1.5, 3.0, 40.0, 400.0, 3600.0, 49 * 3600.0, 3 * 86400.0]
URLS = ["", "https://s.example/thanks", "https://s.example/p?fbclid=x", "https://s.example/p"]
VALUES: list[Any] = [None, "10", "10.00", "10.001", "10.01", "12", "abc", 10]
CURRENCIES = [None, "EUR", "eur", "USD"]
CONTENT_IDS: list[Any] = [None, ["sku1"], '["sku1"]', ["sku2", "sku1"]]
FBPS = [None, "fb.1.1.1", "fb.1.1.2"]
LOADS = [None, "l1", "l2"]
ENDPOINTS = ["tr", "tr", "tr", "privacy_sandbox"]
STATUSES = ["delivered", "delivered", "delivered", "rejected", "queued", "expired", "retrying"]
SENT = [None, 0.2, 1.0, 400.0, 50 * 3600.0]
TEST_CODES = [None, None, None, "TEST123"]


def _custom(value: Any, currency: Any, ids: Any, server: bool) -> dict[str, Any]:
    custom: dict[str, Any] = {}
    if value is not None:
        custom["value"] = float(value) if server and value not in ("abc",) else value
    if currency is not None:
        custom["currency"] = currency
    if ids is not None:
        custom["content_ids"] = ids
    return custom


def make_pixel(draw: Any) -> PixelObservation:
    return PixelObservation(
        pixel_id=draw(PIXEL_IDS),
        event_name=draw(NAMES),
        event_id=draw(EVENT_IDS),
        url=draw(URLS),
        observed_at=T0 + draw(OFFSETS),
        custom_data=_custom(draw(VALUES), draw(CURRENCIES), draw(CONTENT_IDS), server=False),
        fbp=draw(FBPS),
        page_load=draw(LOADS),
        endpoint=draw(ENDPOINTS),
    )


def make_server(draw: Any) -> ServerObservation:
    name = draw(NAMES)
    at = T0 + draw(OFFSETS)
    sent = draw(SENT)
    user_data: Any = {"em": ["e3b0"]}
    fbp, fbc = draw(FBPS), draw([None, "fb.1.1.x"])
    if fbp:
        user_data["fbp"] = fbp
    if fbc:
        user_data["fbc"] = fbc
    payload: dict[str, Any] = {"event_name": name, "event_time": int(at)}
    url = draw(URLS)
    if url:
        payload["event_source_url"] = url
    payload["user_data"] = draw([user_data, user_data, user_data, "not a dict"])
    custom = _custom(draw(VALUES), draw(CURRENCIES), draw(CONTENT_IDS), server=True)
    payload["custom_data"] = draw([custom, custom, custom, None])
    if draw([False, False, False, True]):
        payload["test_event_code"] = "TEST_IN_PAYLOAD"
    return ServerObservation(
        pixel_id=draw([None, *PIXEL_IDS, *PIXEL_IDS]),
        event_name=name,
        event_id=draw(EVENT_IDS),
        event_time=int(at),
        payload=payload,
        status=draw(STATUSES),
        sent_at=None if sent is None else at + sent,
        response={"body": {"error": {"message": "bad"}}} if draw([0, 1]) else None,
        test_event_code=draw(TEST_CODES),
    )


# How a server copy drifts from its browser copy (one kind per conversion, often none).
DRIFTS = [
    *["none"] * 8,
    "other_fbp",
    "value_cents",
    "value_text",
    "currency_case",
    "currency",
    "no_custom",
    "late",
    "window",
    "failed",
    "pending",
    "test_code",
    "payload_test_code",
    "fbclid",
    "fbc",
    "name_case",
    "anonymous",
    "other_pixel",
    "other_id",
    "no_id",
    "no_url",
    "random",
]


def make_conversion(
    draw: Any, event_id: str | None
) -> tuple[PixelObservation | None, ServerObservation | None]:
    """One action as a site sends it: both copies alike, with at most one kind of drift."""
    pixel = replace(make_pixel(draw), event_id=event_id, endpoint="tr")
    drift = draw(DRIFTS)
    if drift == "random":
        return pixel, replace(make_server(draw), event_id=event_id)
    if drift != "fbclid" and "fbclid" in pixel.url:
        pixel = replace(pixel, url=URLS[1])
    user_data: dict[str, Any] = {"em": ["e3b0"], "fbp": pixel.fbp}
    custom: dict[str, Any] = dict(pixel.custom_data)
    if "value" in custom and custom["value"] != "abc":
        custom["value"] = float(custom["value"])
    at = pixel.observed_at + draw([0.0, 0.3, 2.0])
    status, test_code = "delivered", None
    payload: dict[str, Any] = {"event_source_url": pixel.url}
    server = ServerObservation(pixel.pixel_id, pixel.event_name, event_id, int(at), payload)
    if drift == "other_fbp":
        user_data["fbp"] = draw(FBPS)
    elif drift in ("value_cents", "value_text") and isinstance(custom.get("value"), float):
        custom["value"] = custom["value"] + 0.01 if drift == "value_cents" else "ten"
    elif drift in ("currency_case", "currency"):
        custom["currency"] = "eur" if drift == "currency_case" else "USD"
    elif drift == "no_custom":
        custom = draw([{}, None])  # type: ignore[assignment]
    elif drift in ("late", "window"):
        at += 400.0 if drift == "late" else 50 * 3600.0
    elif drift in ("failed", "pending"):
        status = draw(["rejected", "expired"] if drift == "failed" else ["queued", "retrying"])
    elif drift == "test_code":
        test_code = "TEST1"
    elif drift == "payload_test_code":
        payload["test_event_code"] = "TEST2"
    elif drift == "fbc":
        user_data["fbc"] = "fb.1.1.x"
    elif drift == "no_url":
        del payload["event_source_url"]
    payload["user_data"], payload["custom_data"] = user_data, custom
    server = replace(
        server,
        pixel_id={"anonymous": None, "other_pixel": "333"}.get(drift, pixel.pixel_id),
        event_name=pixel.event_name.lower() if drift == "name_case" else pixel.event_name,
        event_id={"other_id": "other", "no_id": None}.get(drift, event_id),
        sent_at=at,
        status=status,
        test_event_code=test_code,
    )
    side = draw(["both"] * 8 + ["pixel", "server"])
    return (None if side == "server" else pixel), (None if side == "pixel" else server)


def conversions(
    draw: Any, count: int, ids: list[str | None]
) -> tuple[list[PixelObservation], list[ServerObservation]]:
    pixels: list[PixelObservation] = []
    servers: list[ServerObservation] = []
    for _ in range(count):
        pixel, server = make_conversion(draw, draw(ids))
        if pixel is not None:
            pixels.append(pixel)
            if draw([0] * 9 + [1]):  # the same action again: double fire or reload
                again = replace(pixel, event_id=f"{pixel.event_id}-again")
                again = replace(again, observed_at=pixel.observed_at + draw(OFFSETS[:6]))
                pixels.append(replace(again, page_load=draw(LOADS)))
        if server is not None:
            servers.append(server)
    return pixels, servers


def assert_same(ours: list[Pair], theirs: list[Pair]) -> None:
    assert len(ours) == len(theirs)
    for mine, expected in zip(ours, theirs, strict=True):
        assert mine.pixel is expected.pixel
        assert mine.server is expected.server
        assert (mine.verdict, mine.event_name, mine.event_id) == (
            expected.verdict,
            expected.event_name,
            expected.event_id,
        )
        assert mine.warnings == expected.warnings
        assert (mine.details or {}) == (expected.details or {})
        assert mine.explanation == expected.explanation
        assert mine.repeats == expected.repeats
        assert mine.to_json() == expected.to_json()


@st.composite
def observations(draw: Any) -> tuple[list[PixelObservation], list[ServerObservation]]:
    pick = lambda options: draw(st.sampled_from(options))  # noqa: E731
    n_pixels = draw(st.integers(0, 10))
    n_servers = draw(st.integers(0, 10))
    pixels, servers = conversions(pick, draw(st.integers(0, 10)), [*EVENT_IDS, "d", "e", "f"])
    pixels += [make_pixel(pick) for _ in range(n_pixels)]
    servers += [make_server(pick) for _ in range(n_servers)]
    return pixels, servers


@settings(max_examples=100, deadline=None)
@given(observations())
def test_optimized_pairing_equals_reference(
    sides: tuple[list[PixelObservation], list[ServerObservation]],
) -> None:
    pixels, servers = sides
    assert_same(pair_events(pixels, servers), reference_pairs(pixels, servers))


def test_seeded_mix_reaches_every_verdict_and_warning() -> None:
    rng = random.Random(20261127)
    seen_verdicts: set[str] = set()
    seen_warnings: set[str] = set()
    for _ in range(8):
        pixels, servers = conversions(rng.choice, 400, [None, *(f"e{i}" for i in range(600))])
        pixels += [make_pixel(rng.choice) for _ in range(100)]
        servers += [make_server(rng.choice) for _ in range(100)]
        rng.shuffle(pixels)
        ours = pair_events(pixels, servers)
        assert_same(ours, reference_pairs(pixels, servers))
        seen_verdicts.update(p.verdict for p in ours)
        seen_warnings.update(w for p in ours for w in p.warnings)
    assert seen_verdicts == set(VERDICTS)
    assert seen_warnings == set(WARNINGS)


def test_bulk_shaped_inputs_equal_reference() -> None:
    """The benchmark's shape (mostly clean pairs, 1 % of each failure) at a small size."""
    pixels: list[PixelObservation] = []
    servers: list[ServerObservation] = []
    for i in range(4000):
        name = ("ViewContent", "AddToCart", "InitiateCheckout", "Purchase")[i % 4]
        eid, at, visit = f"evt-{i}", T0 + i * 0.01, (i - 4 if i % 100 == 95 else i) // 4
        url, fbp = f"https://shop.example/p/{visit}", f"fb.1.1.{visit}"
        value = f"{(visit * 4 + i % 4) % 97 + 0.5:.2f}"
        if i % 100 != 97:
            custom = {"value": value, "currency": "EUR"}
            pixels.append(PixelObservation("1", name, eid, url, at, custom_data=custom, fbp=fbp))
        if i % 100 != 98:
            server_name = name.lower() if i % 100 == 96 else name
            payload = {
                "event_source_url": url,
                "user_data": {"fbp": fbp},
                "custom_data": {"value": float(value), "currency": "EUR"},
            }
            servers.append(
                ServerObservation("1", server_name, eid, int(at), payload, sent_at=at + 0.2)
            )
    ours = pair_events(pixels, servers)
    assert_same(ours, reference_pairs(pixels, servers))
    verdicts = {p.verdict for p in ours}
    assert {"deduplicated", "pixel_only", "server_only", "event_name_mismatch"} <= verdicts


def test_browser_copy_without_pixel_id_takes_the_anonymous_server_copy() -> None:
    """A pixel id the capture could not read (None) claims the server copies without one, as
    the key lookup always did; a second pixel must then not get them again."""
    custom = {"value": "10", "currency": "EUR"}
    pixels = [
        PixelObservation(None, "Purchase", "o1", URLS[1], T0, custom_data=custom),  # type: ignore[arg-type]
        PixelObservation("111", "Purchase", "o1", URLS[1], T0, custom_data=custom),
        PixelObservation(None, "Purchase", "o2", URLS[3], T0, custom_data=custom),  # type: ignore[arg-type]
    ]
    payload = {"custom_data": {"value": 10.0, "currency": "EUR"}}
    servers = [
        ServerObservation(None, "Purchase", "o1", int(T0), payload, sent_at=T0),
        ServerObservation("111", "Purchase", "o2", int(T0), payload, sent_at=T0),
    ]
    ours = pair_events(pixels, servers)
    assert_same(ours, reference_pairs(pixels, servers))
    assert [p.verdict for p in ours] == ["deduplicated", "pixel_only", "pixel_only", "server_only"]
