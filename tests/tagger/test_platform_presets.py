"""Every platform preset on a realistic fixture site: detection picks the platform, the preset's
rules are installed with the snippet, the journey is clicked, and each Pixel event and its relay
mirror carry the same event_name and event_id exactly once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page
from tagger.harness import OFFSITE_RE, PIXEL_ID, Bench, open_bench

from desktop_app.services.site_probe import detection_report, probe_page
from desktop_app.tagger.config import parse_config
from desktop_app.tagger.presets import PRESETS, preset_for

# (action, target, value): goto path | click css | click-nav css | fill css value | wait css
Step = tuple[str, str, str]

JOURNEYS: dict[str, tuple[str, list[Step], dict[str, int], dict[str, str]]] = {
    # platform: (page to detect, steps, expected counts, expected event_ids)
    "woocommerce": (
        "/woocommerce/product/linen-shirt/",
        [
            ("goto", "/woocommerce/product/linen-shirt/", ""),
            ("click-nav", "button.single_add_to_cart_button", ""),
            ("click-nav", "a.checkout-button", ""),
            ("fill", "#billing_email", "ana@example.com"),
            ("fill", "#billing_first_name", "Ana"),
            ("click-nav", "#place_order", ""),
            ("goto", "/woocommerce/contact/", ""),
            ("fill", "input[name=your-email]", "ana@example.com"),
            ("click", "input.wpcf7-submit", ""),
        ],
        {"ViewContent": 1, "AddToCart": 1, "InitiateCheckout": 1, "Purchase": 1, "Lead": 1},
        {"Purchase": "4242"},
    ),
    "wordpress": (
        "/wordpress/contact/",
        [
            ("goto", "/wordpress/contact/", ""),
            ("fill", "input[name=your-email]", "bo@example.com"),
            ("click", "input.wpcf7-submit", ""),
            ("wait", ".wpcf7-response-output:not(:empty)", ""),
            ("goto", "/wordpress/thank-you/", ""),
        ],
        {"Lead": 2},
        {},
    ),
    "webflow": (
        "/webflow/product",
        [
            ("goto", "/webflow/product", ""),
            ("click", "[data-node-type=commerce-add-to-cart-button]", ""),
            ("fill", "#email", "cy@example.com"),
            ("click", "#email-form input[type=submit]", ""),
            ("wait", ".w-form-done", ""),
            ("click-nav", "a[data-node-type=cart-checkout-button]", ""),
        ],
        {"AddToCart": 1, "Lead": 1, "InitiateCheckout": 1},  # AddToCart: webflow.js, adopted
        {},
    ),
    "framer": (
        "/framer/",
        [
            ("goto", "/framer/", ""),
            ("click", "[data-framer-name=Buy] .framer-text", ""),
            ("fill", "input[name=email]", "di@example.com"),
            ("click", "form button", ""),
            ("click", "nav a", ""),
        ],
        {"InitiateCheckout": 1, "Lead": 1, "Purchase": 1},
        {},
    ),
    "squarespace": (
        "/squarespace/shop",
        [
            ("goto", "/squarespace/shop", ""),
            ("click", ".sqs-add-to-cart-button-inner", ""),
            ("fill", "input[name=email]", "ed@example.com"),
            ("click", ".react-form-contents button", ""),
            ("wait", ".form-submission-text", ""),
            ("click-nav", ".cart-checkout-button", ""),
            ("goto", "/squarespace/order-confirmed?oid=SQ-77", ""),
        ],
        {"AddToCart": 1, "Lead": 1, "InitiateCheckout": 1, "Purchase": 1},
        {"Purchase": "SQ-77"},
    ),
    "kajabi": (
        "/kajabi/home",
        [
            ("goto", "/kajabi/home", ""),
            ("fill", "input[name='form_submission[name]']", "Fay"),
            ("fill", "input[name='form_submission[email]']", "fay@example.com"),
            ("click-nav", "form button", ""),
            ("click-nav", "a[href='/kajabi/offers/abc123']", ""),
            ("click-nav", "#pay", ""),
        ],
        {"Lead": 1, "InitiateCheckout": 1, "Purchase": 1},
        {},
    ),
    "clickfunnels": (
        "/clickfunnels/optin",
        [
            ("goto", "/clickfunnels/optin", ""),
            ("fill", "input[name=email]", "gus@example.com"),
            ("click-nav", "a[href='#submit-form'] .elButtonMain", ""),
            ("fill", "input[name='contact[email]']", "gus@example.com"),
            ("click-nav", "button.elButton", ""),
        ],
        {"Lead": 1, "InitiateCheckout": 1, "Purchase": 1},
        {},
    ),
    "shopify": (
        "/shopify/products/wool-socks",
        [
            ("goto", "/shopify/products/wool-socks", ""),
            ("click-nav", "#ProductSubmitButton-template", ""),
        ],
        {},  # the Custom Pixel sends Shopify's events (test_shopify_custom_pixel.py)
        {},
    ),
}


def test_every_platform_has_a_journey() -> None:
    assert set(JOURNEYS) == set(PRESETS)


async def _detect(bench: Bench, path: str) -> dict[str, Any]:
    page: Page = await bench.browser.new_page()
    try:
        await page.route(OFFSITE_RE, lambda route: route.abort("internetdisconnected"))
        return detection_report(await probe_page(page, bench.url(path), settle_ms=300))
    finally:
        await page.close()


async def _walk(bench: Bench, steps: list[Step]) -> None:
    page = bench.page
    for action, target, value in steps:
        if action == "goto":
            await page.goto(bench.url(target))
        elif action == "click":
            await page.click(target)
        elif action == "click-nav":
            async with page.expect_navigation():
                await page.click(target)
        elif action == "wait":  # the site shows success: a user would see it before moving on
            await page.wait_for_selector(target, state="visible", timeout=5000)
        elif action == "fill":
            await page.fill(target, value)
        else:
            raise ValueError(action)


@pytest.mark.asyncio
@pytest.mark.browser
@pytest.mark.parametrize("platform", sorted(JOURNEYS))
async def test_platform_preset_journey(platform: str) -> None:
    detect_path, steps, expected, expected_ids = JOURNEYS[platform]
    async with open_bench(None) as bench:
        report = await _detect(bench, detect_path)
        assert report["platform"] == platform, report["evidence"]
        assert report["evidence"]
        preset = report["preset"]
        assert preset == preset_for(platform, report["native_events"])
        bench.config = parse_config(
            {
                "version": 1,
                "pixel_id": PIXEL_ID,
                "site": {"platform": platform},
                "rules": preset["rules"],
            }
        )
        await _walk(bench, steps)
        total = sum(expected.values())
        await bench.wait_for(lambda: len(bench.mirrors) >= total and len(bench.events()) >= total)
        # Round trip through the page so any extra (duplicate) request would have landed.
        await bench.page.evaluate("fetch('/').then(r => r.text())")
        for event, count in expected.items():
            ids = await bench.assert_paired(event, count)
            if event in expected_ids:
                assert ids == [expected_ids[event]]
        assert {m["event_name"] for m in bench.mirrors} == set(expected)
        assert bench.diagnostics == []


@pytest.mark.asyncio
@pytest.mark.browser
async def test_webflow_native_events_are_adopted_not_sent_twice() -> None:
    async with open_bench(None) as bench:
        preset = preset_for("webflow")
        assert {s["event"] for s in preset["skipped"]} == {"AddToCart", "Purchase"}
        bench.config = parse_config({"version": 1, "pixel_id": PIXEL_ID, "rules": preset["rules"]})
        await bench.page.goto(bench.url("/webflow/product"))
        await bench.page.click("[data-node-type=commerce-add-to-cart-button]")
        await bench.wait_for(lambda: len(bench.mirrored("AddToCart")) == 1)
        await bench.page.evaluate("fetch('/').then(r => r.text())")
        # webflow.js's own call, given an eventID and a relay copy: one event, deduplicated.
        await bench.assert_paired("AddToCart")
        assert bench.mirrored("AddToCart")[0]["custom_data"]["content_ids"] == [
            "65a1f0c2e4b0a1d2c3f4a5d9"
        ]
        # Opting out leaves the page's call untouched (no eventID, no copy).
        bench.config = parse_config(
            {"version": 1, "pixel_id": PIXEL_ID, "rules": [], "options": {"adopt_native": False}}
        )
        bench.pixel_hits.clear()
        bench.mirrors.clear()
        await bench.page.goto(bench.url("/webflow/product"))
        await bench.page.click("[data-node-type=commerce-add-to-cart-button]")
        await bench.wait_for(lambda: len(bench.events("AddToCart")) == 1)
        await bench.page.evaluate("fetch('/').then(r => r.text())")
        assert "eid" not in bench.events("AddToCart")[0] and bench.mirrors == []


@pytest.mark.asyncio
@pytest.mark.browser
async def test_detect_reports_existing_pixel_and_its_events() -> None:
    async with open_bench(None) as bench:
        report = await _detect(bench, "/generic/basecode.html")
        assert report["platform"] is None
        assert report["pixel_ids"] == ["1234567890"]
        assert report["native_events"] == ["PageView"]
        assert re.search(r"/generic/basecode\.html$", report["url"])
