"""Each dedup verdict and warning, built from the real failure it describes (user-problems §3–4)."""

from __future__ import annotations

from typing import Any

import pytest

from desktop_app.capi.dedup import Pair, pair_events, report, summarize
from desktop_app.capi.dedup_rules import VERDICTS, WARNINGS
from desktop_app.capi.observations import PixelObservation, ServerObservation

T0 = 1_764_220_000.0
PIXEL = "1234567890"
THANKS = "https://shop.example/checkout/order-received/42/"


def px(
    name: str = "Purchase",
    eid: str | None = "order-42",
    at: float = T0,
    *,
    value: str | None = "30.00",
    url: str = THANKS,
    load: str | None = "load-1",
    pixel_id: str = PIXEL,
    fbp: str | None = "fb.1.1764219000000.111",
    endpoint: str = "tr",
) -> PixelObservation:
    custom: dict[str, Any] = {"currency": "EUR"}
    if value is not None:
        custom["value"] = value
    return PixelObservation(
        pixel_id=pixel_id,
        event_name=name,
        event_id=eid,
        url=url,
        observed_at=at,
        custom_data=custom,
        fbp=fbp,
        page_load=load,
        endpoint=endpoint,
    )


def sv(
    name: str = "Purchase",
    eid: str | None = "order-42",
    at: float = T0 + 1,
    *,
    value: float | None = 30.0,
    url: str = THANKS,
    pixel_id: str | None = PIXEL,
    fbp: str | None = "fb.1.1764219000000.111",
    fbc: str | None = None,
    status: str = "delivered",
    test_code: str | None = None,
) -> ServerObservation:
    user_data: dict[str, Any] = {"em": ["a" * 64]}
    if fbp:
        user_data["fbp"] = fbp
    if fbc:
        user_data["fbc"] = fbc
    custom: dict[str, Any] = {"currency": "EUR"}
    if value is not None:
        custom["value"] = value
    payload = {
        "event_name": name,
        "event_time": int(at),
        "event_id": eid,
        "event_source_url": url,
        "action_source": "website",
        "user_data": user_data,
        "custom_data": custom,
    }
    return ServerObservation(
        pixel_id=pixel_id,
        event_name=name,
        event_id=eid,
        event_time=int(at),
        payload=payload,
        status=status,
        sent_at=at,
        test_event_code=test_code,
    )


def verdicts(pairs: list[Pair]) -> list[str]:
    return sorted(p.verdict for p in pairs)


def test_deduplicated_when_name_id_and_pixel_match() -> None:
    pairs = pair_events([px()], [sv()])
    assert verdicts(pairs) == ["deduplicated"]
    assert pairs[0].warnings == []
    assert summarize(pairs)["all_counted_once"] is True


def test_server_without_pixel_id_pairs_with_the_pixel() -> None:
    # `pair --har`: a site's own CAPI log does not name the pixel.
    pairs = pair_events([px()], [sv(pixel_id=None)])
    assert verdicts(pairs) == ["deduplicated"]


def test_two_pixels_on_one_page_are_kept_apart() -> None:
    pairs = pair_events(
        [px(pixel_id="111"), px(pixel_id="222")], [sv(pixel_id="111"), sv(pixel_id="222")]
    )
    assert verdicts(pairs) == ["deduplicated", "deduplicated"]
    assert {p.pixel.pixel_id for p in pairs if p.pixel} == {"111", "222"}


def test_ids_generated_separately_on_each_side() -> None:
    # GTM template #25 "Deduplication event_id 0%": browser and server each invent an id.
    pairs = pair_events([px(eid="browser-uuid")], [sv(eid="server-uuid")])
    assert verdicts(pairs) == ["pixel_only", "server_only"]
    assert summarize(pairs)["not_counted_once"] == 2


def test_blocked_pixel_leaves_server_only() -> None:
    pairs = pair_events([], [sv()])
    assert verdicts(pairs) == ["server_only"]
    assert "browser never sent" in pairs[0].describe()


def test_missing_event_id_either_side() -> None:
    # Magento 2 #63 / OpenCart #562: "Deduplication parameters for events are missing".
    pairs = pair_events([px(eid=None)], [sv(eid=None)])
    assert verdicts(pairs) == ["missing_event_id"]  # shown side by side through fbp
    assert pairs[0].pixel is not None and pairs[0].server is not None
    only_browser = pair_events([px(eid=None)], [sv(eid="order-42")])
    assert verdicts(only_browser) == ["missing_event_id", "server_only"]


def test_pageview_without_id_is_not_a_conversion() -> None:
    pairs = pair_events([px("PageView", eid=None)], [])
    assert verdicts(pairs) == ["pixel_only"]
    assert summarize(pairs)["conversions"] == 0


def test_lowercase_name_on_the_server() -> None:
    # "purchase vs Purchase casing" — names are case-sensitive in Meta's key.
    pairs = pair_events([px("Purchase")], [sv("purchase")])
    assert verdicts(pairs) == ["event_name_mismatch"]
    assert "'purchase'" in pairs[0].explanation and pairs[0].counted == "twice"


def test_event_id_reused_for_different_orders() -> None:
    # FB4Woo #1722 "Same Event ID Received for Many Event Instances": a constant id merges orders.
    pixels = [px(eid="1", value="30.00"), px(eid="1", value="55.00", at=T0 + 600, load="l2")]
    servers = [sv(eid="1", value=30.0), sv(eid="1", value=55.0, at=T0 + 601)]
    pairs = pair_events(pixels, servers)
    assert verdicts(pairs) == ["deduplicated", "event_id_reused"]
    reused = next(p for p in pairs if p.verdict == "event_id_reused")
    assert reused.pixel is not None and reused.pixel.custom_data["value"] == "55.00"
    assert reused.counted == "lost"


def test_identical_repeat_with_same_id_is_counted_once() -> None:
    # A thank-you reload that re-sends the SAME order id is what Meta's dedup is for.
    pixels = [px(), px(at=T0 + 30, load="load-2")]
    pairs = pair_events(pixels, [sv()])
    assert verdicts(pairs) == ["deduplicated"]
    assert pairs[0].repeats == 1


def test_double_fire_from_duplicated_tag() -> None:
    # FB4Woo #3194 / #1077: two tags fire one Purchase, each with its own id, within ms.
    pixels = [px(eid="a"), px(eid="b", at=T0 + 0.05)]
    pairs = pair_events(pixels, [sv(eid="a"), sv(eid="b")])
    assert verdicts(pairs) == ["deduplicated", "double_fire"]
    assert summarize(pairs)["counted"]["twice"] == 1


def test_new_id_on_thank_you_reload() -> None:
    # FB4Woo #4047 / pinterest PR #1176: uniqid() on every thank-you render.
    pixels = [px(eid="r1", load="load-1"), px(eid="r2", at=T0 + 40, load="load-2")]
    servers = [sv(eid="r1"), sv(eid="r2", at=T0 + 41)]
    pairs = pair_events(pixels, servers)
    assert verdicts(pairs) == ["deduplicated", "new_id_on_reload"]
    late = next(p for p in pairs if p.verdict == "new_id_on_reload")
    assert late.event_id == "r2"


def test_second_view_after_reload_is_not_a_duplicate() -> None:
    pixels = [
        px("ViewContent", eid="v1", load="load-1"),
        px("ViewContent", eid="v2", at=T0 + 40, load="load-2"),
    ]
    servers = [sv("ViewContent", eid="v1"), sv("ViewContent", eid="v2", at=T0 + 41)]
    assert verdicts(pair_events(pixels, servers)) == ["deduplicated", "deduplicated"]


def test_server_double_fire_without_pixel() -> None:
    # FB4Woo #4006: CAPI Purchase fired from two checkout steps, no browser copy matched.
    pairs = pair_events([], [sv(eid="s1"), sv(eid="s2", at=T0 + 1.5)])
    assert verdicts(pairs) == ["double_fire", "server_only"]


def test_outside_the_48_hour_window() -> None:
    pairs = pair_events([px()], [sv(at=T0 + 49 * 3600)])
    assert verdicts(pairs) == ["outside_window"]
    assert "49.0 h" in pairs[0].explanation


def test_rejected_server_copy_counts_as_browser_only() -> None:
    pairs = pair_events([px()], [sv(status="rejected")])
    assert verdicts(pairs) == ["pixel_only"]
    assert "server_failed" in pairs[0].warnings


def test_privacy_sandbox_echo_is_not_a_second_browser_copy() -> None:
    pairs = pair_events([px(), px(endpoint="privacy_sandbox")], [sv()])
    assert verdicts(pairs) == ["deduplicated"]


@pytest.mark.parametrize(
    ("code", "pixel_kwargs", "server_kwargs"),
    [
        # stape-io/facebook-tag #17: a first-visit race gives two different fbp values.
        ("fbp_mismatch", {}, {"fbp": "fb.1.1764219000000.999"}),
        # FB4Woo #1889: fbc sent empty although the visitor came from an ad click.
        (
            "fbc_missing_with_fbclid",
            {"url": THANKS + "?fbclid=IwAR0abc"},
            {"url": THANKS + "?fbclid=IwAR0abc"},
        ),
        ("value_mismatch", {"value": "30.00"}, {"value": 25.0}),
        ("server_late", {}, {"at": T0 + 6 * 60}),
        # Java SDK #367: dedup looked broken while a test code was left set.
        ("test_event_code_set", {}, {"test_code": "TEST123"}),
        ("server_pending", {}, {"status": "retrying"}),
    ],
)
def test_warnings(code: str, pixel_kwargs: dict[str, Any], server_kwargs: dict[str, Any]) -> None:
    pairs = pair_events([px(**pixel_kwargs)], [sv(**server_kwargs)])
    assert verdicts(pairs) == ["deduplicated"]
    assert pairs[0].warnings == [code]
    assert pairs[0].detail(code)
    detail = pairs[0].to_json()["warning_details"][0]
    assert detail["code"] == code and detail["fix"] == WARNINGS[code].fix


def test_a_queued_server_copy_is_not_counted_yet() -> None:
    summary = summarize(pair_events([px()], [sv(status="queued")]))
    assert summary["pending"] == 1 and summary["all_counted_once"] is False


def test_fbc_present_is_fine() -> None:
    url = THANKS + "?fbclid=IwAR0abc"
    pairs = pair_events([px(url=url)], [sv(url=url, fbc="fb.1.1764219000000.IwAR0abc")])
    assert pairs[0].warnings == []


def test_every_verdict_has_a_fix_and_report_carries_it() -> None:
    for rule in VERDICTS.values():
        assert rule.fix and rule.title and rule.counted
    data = report(pair_events([px()], [sv("purchase")]), url="x")
    pair = data["pairs"][0]
    assert pair["fix"] == VERDICTS["event_name_mismatch"].fix
    assert data["url"] == "x" and data["summary"]["verdicts"] == {"event_name_mismatch": 1}


def test_each_conversion_has_exactly_one_pair() -> None:
    pixels = [px(eid=f"o{i}", at=T0 + i * 10, url=f"{THANKS}{i}") for i in range(50)]
    servers = [sv(eid=f"o{i}", at=T0 + i * 10, url=f"{THANKS}{i}") for i in range(0, 50, 2)]
    pairs = pair_events(pixels, servers)
    assert len(pairs) == 50
    assert summarize(pairs)["verdicts"] == {"deduplicated": 25, "pixel_only": 25}


def test_two_pixels_with_their_own_ids_are_not_a_double_fire() -> None:
    pixels = [px(pixel_id="111", eid="a"), px(pixel_id="222", eid="b", at=T0 + 0.01)]
    servers = [sv(pixel_id="111", eid="a"), sv(pixel_id="222", eid="b")]
    assert verdicts(pair_events(pixels, servers)) == ["deduplicated", "deduplicated"]


def test_unknown_page_is_never_grouped_as_one_action() -> None:
    pixels = [px(eid="a", url=""), px(eid="b", url="", at=T0 + 0.01)]
    assert verdicts(pair_events(pixels, [])) == ["pixel_only", "pixel_only"]


def test_two_visitors_same_order_page_are_two_conversions() -> None:
    # A thank-you URL without an order number: identical baskets from two shoppers.
    pixels = [px(eid="a", fbp="fb.1.1.1"), px(eid="b", at=T0 + 60, fbp="fb.1.1.2", load="x")]
    servers = [sv(eid="a", fbp="fb.1.1.1"), sv(eid="b", at=T0 + 61, fbp="fb.1.1.2")]
    assert verdicts(pair_events(pixels, servers)) == ["deduplicated", "deduplicated"]
