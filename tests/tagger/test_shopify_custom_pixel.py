"""The generated Shopify Custom Pixel in Chromium, fed Shopify's standard events: each goes to
the Pixel and to the relay with the same event_id; Purchase uses the order id."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tagger.harness import PIXEL_ID, config_for, open_bench

from desktop_app.tagger.shopify import EVENT_MAP, render_custom_pixel

CHECKOUT: dict[str, Any] = {
    "email": "Kim@Example.com",
    "phone": "+1 415 555 0100",
    "currencyCode": "USD",
    "totalPrice": {"amount": 53.5, "currencyCode": "USD"},
    "order": {"id": "5512345678901"},
    "billingAddress": {
        "firstName": "Kim",
        "lastName": "Lee",
        "city": "Oakland",
        "zip": "94607",
        "countryCode": "US",
        "provinceCode": "CA",
    },
    "lineItems": [{"id": "l1", "quantity": 2, "variant": {"product": {"id": "7712345"}}}],
}


def event(name: str, event_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": event_id,
        "name": name,
        "timestamp": "2026-11-27T06:00:00.000Z",
        "context": {
            "document": {
                "location": {"href": "https://trailhead.example/checkouts/cn/x"},
                "referrer": "https://trailhead.example/cart",
            }
        },
        "data": data,
    }


@pytest.mark.asyncio
@pytest.mark.browser
async def test_custom_pixel_pairs_checkout_events_and_uses_the_order_id() -> None:
    async with open_bench(None) as b:
        code = render_custom_pixel(config_for([]), b.relay_url)
        await b.page.goto(b.url("/shopify/custom-pixel-sandbox.html"))
        await b.page.add_script_tag(content=code)
        variant = {"price": {"amount": 24.0, "currencyCode": "USD"}, "product": {"id": "7712345"}}
        for name, event_id, data in [
            ("page_viewed", "sh-1", {}),
            (
                "product_added_to_cart",
                "sh-2",
                {
                    "cartLine": {
                        "merchandise": variant,
                        "quantity": 1,
                        "cost": {"totalAmount": variant["price"]},
                    }
                },
            ),
            ("checkout_started", "sh-3", {"checkout": CHECKOUT}),
            ("checkout_completed", "sh-4", {"checkout": CHECKOUT}),
        ]:
            await b.page.evaluate(
                f"window.__publish({json.dumps(name)}, {json.dumps(event(name, event_id, data))})"
            )
        await b.wait_for(lambda: len(b.mirrors) == 3 and len(b.pixel_hits) == 4)
        await b.assert_paired("AddToCart")
        await b.assert_paired("InitiateCheckout")
        assert await b.assert_paired("Purchase") == ["5512345678901"]
        purchase = b.mirrored("Purchase")[0]
        assert purchase["custom_data"] == {
            "value": 53.5,
            "currency": "USD",
            "order_id": "5512345678901",
            "content_ids": ["7712345"],
            "content_type": "product",
            "num_items": 2,
        }
        assert purchase["user_data"]["em"] == "Kim@Example.com"
        assert purchase["event_source_url"] == "https://trailhead.example/checkouts/cn/x"
        assert purchase["pixel_id"] == PIXEL_ID and purchase["fbp"].startswith("fb.0.")
        assert b.events("AddToCart")[0]["cd[value]"] == "24"
        assert "Kim" not in json.dumps(b.pixel_hits)
        assert [h["ev"] for h in b.pixel_hits].count("PageView") == 1


def test_event_map_matches_the_generated_code() -> None:
    code = render_custom_pixel(config_for([]), "https://r.example/v1/events")
    for shopify_name, meta_name in EVENT_MAP.items():
        assert f"{shopify_name}: '{meta_name}'" in code
    assert '"relay_url":"https://r.example/v1/events"' in code
