"""Trigger types and the hard cases of real pages, in Chromium: re-rendered nodes, shadow DOM,
double clicks, SPA history, success detection, throwing pages, invalid selectors."""

from __future__ import annotations

from typing import Any

import pytest
from tagger.harness import config_for, open_bench

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]

WIDGET_RULES: list[dict[str, Any]] = [
    {"id": "call", "event": "Schedule", "trigger": {"type": "click", "selectors": ["button.cta"]}},
    # Two rules match a click on #inner: only the first fires (one rule per gesture).
    {"id": "buy", "event": "AddToCart", "trigger": {"type": "click", "selectors": ["#inner"]}},
    {"id": "card", "event": "ViewContent", "trigger": {"type": "click", "selectors": [".card"]}},
    {
        "id": "shadow",
        "event": "InitiateCheckout",
        "trigger": {"type": "click", "selectors": ["button.shadow-buy"]},
    },
    {
        "id": "guide",
        "event": "DownloadGuide",
        "trigger": {"type": "click", "selectors": ["#does-not-exist"], "text": "Get the guide"},
    },
    {
        "id": "seen",
        "event": "PricingSeen",
        "trigger": {"type": "visible", "selectors": ["#pricing"]},
    },
    # Taller than the screen: counts once half the screen shows it.
    {"id": "tall", "event": "TallSeen", "trigger": {"type": "visible", "selectors": ["#tall"]}},
    {
        "id": "lead",
        "event": "Lead",
        "trigger": {
            "type": "submit",
            "selectors": ["form#contact"],
            "success": {"selector": "#done"},
        },
    },
]


async def test_rerendered_shadow_double_click_text_fallback_and_one_rule_per_gesture() -> None:
    async with open_bench(config_for(WIDGET_RULES)) as b:
        await b.page.goto(b.url("/generic/widgets.html"))
        await b.page.click("#rerender")
        await b.wait_for(lambda: len(b.mirrored("Schedule")) == 1)
        await b.page.click("#rerender")  # a brand-new node (the first was replaced)
        await b.wait_for(lambda: len(b.mirrored("Schedule")) == 2)
        assert await b.page.text_content("#clicks") == "1"  # site handler was on the old node
        await b.assert_paired("Schedule", count=2)

        await b.page.dblclick("#inner")
        await b.page.click("shop-button button.shadow-buy span")  # Playwright pierces open roots
        await b.page.click("#fallback")
        await b.wait_for(lambda: len(b.mirrored("InitiateCheckout")) == 1)
        await b.wait_for(lambda: len(b.mirrored("DownloadGuide")) == 1)
        await b.assert_paired("AddToCart")  # double click → one event
        assert b.mirrored("ViewContent") == [] and b.events("ViewContent") == []
        await b.assert_paired("InitiateCheckout")
        await b.assert_paired("DownloadGuide")  # custom name → trackCustom, same wire format

        await b.page.locator("#pricing").scroll_into_view_if_needed()
        await b.wait_for(lambda: len(b.mirrored("PricingSeen")) == 1)
        await b.page.mouse.wheel(0, -3000)
        await b.page.locator("#pricing").scroll_into_view_if_needed()
        await b.assert_paired("PricingSeen")
        await b.assert_paired("TallSeen")

        await b.page.fill("#contact input[name=email]", "lead@example.com")
        await b.page.click("#contact button")
        await b.wait_for(lambda: len(b.mirrored("Lead")) == 1)
        await b.assert_paired("Lead")
        assert b.mirrored("Lead")[0]["user_data"] == {"em": "lead@example.com"}
        assert b.page_errors == [] and b.diagnostics == []


async def test_submit_waits_for_the_success_message() -> None:
    rules = [
        {
            "id": "lead",
            "event": "Lead",
            "trigger": {
                "type": "submit",
                "selectors": ["#contact"],
                "success": {"selector": "#ok"},
            },
        }
    ]
    async with open_bench(config_for(rules)) as b:
        await b.page.goto(b.url("/generic/widgets.html"))
        # This variant of the form fails validation server-side: no success message appears.
        await b.page.evaluate(
            "document.getElementById('contact').onsubmit = e => e.preventDefault();"
            "document.getElementById('done').id = 'ok';"
        )
        await b.page.click("#contact button")
        await b.page.evaluate("fetch('/generic/cart.html').then(r => r.text())")
        assert b.mirrors == []
        await b.page.evaluate("document.getElementById('ok').hidden = false")
        await b.wait_for(lambda: len(b.mirrored("Lead")) == 1)
        await b.assert_paired("Lead")


async def test_spa_history_reevaluates_url_rules_and_pageview_stays_with_the_pixel() -> None:
    rules = [
        {
            "id": "pricing",
            "event": "ViewContent",
            "trigger": {"type": "pageview"},
            "url": {"match": "equals", "value": "/generic/spa/pricing"},
        },
        {
            "id": "thanks",
            "event": "Lead",
            "trigger": {"type": "pageview"},
            "url": {"match": "regex", "value": "/spa/thanks$"},
        },
        {
            "id": "step",
            "event": "Contact",
            "trigger": {"type": "pageview"},
            "url": {"match": "regex", "value": "#step-2$"},
        },
    ]
    async with open_bench(config_for(rules)) as b:
        await b.page.goto(b.url("/generic/spa.html"))
        await b.wait_for(lambda: len(b.pixel_hits) == 1)
        assert b.mirrors == []
        await b.page.click("text=Pricing")
        await b.wait_for(lambda: len(b.mirrored("ViewContent")) == 1)
        await b.page.click("text=Thanks")
        await b.wait_for(lambda: len(b.mirrored("Lead")) == 1)
        await b.page.go_back()
        await b.wait_for(lambda: len(b.mirrored("ViewContent")) == 2)
        await b.assert_paired("ViewContent", count=2)
        await b.assert_paired("Lead")
        await b.page.evaluate("location.hash = '#step-2'")
        await b.wait_for(lambda: len(b.mirrored("Contact")) == 1)
        await b.assert_paired("Contact")
        # The base pixel sent PageView on load and on each pushState; we never add our own.
        assert [h["ev"] for h in b.pixel_hits].count("PageView") == 3


async def test_throwing_page_and_invalid_selector_leave_the_page_working() -> None:
    rules = [
        {"id": "bad", "event": "Lead", "trigger": {"type": "click", "selectors": ["button[id="]}},
        {"id": "good", "event": "Contact", "trigger": {"type": "click", "selectors": ["#go"]}},
    ]
    async with open_bench(config_for(rules)) as b:
        await b.page.goto(b.url("/generic/broken.html"))
        await b.page.click("#go")
        await b.wait_for(lambda: len(b.mirrored("Contact")) == 1 and len(b.diagnostics) == 1)
        assert await b.page.text_content("#out") == "clicked"
        await b.assert_paired("Contact")
        diagnostic = b.diagnostics[0]["diagnostic"]
        assert diagnostic["rule"] == "bad" and "selector" in diagnostic["error"].lower()
        # Only the page's own two errors; nothing thrown by the runtime.
        assert len(b.page_errors) == 2, b.page_errors
        await b.page.click("#go")  # the broken rule stays skipped, the good one keeps firing
        await b.page.evaluate("fetch('/generic/cart.html').then(r => r.text())")
        assert len(b.diagnostics) == 1


async def test_existing_base_code_means_no_second_init_or_pageview() -> None:
    rules = [
        {"id": "atc", "event": "AddToCart", "trigger": {"type": "click", "selectors": ["#add"]}}
    ]
    async with open_bench(config_for(rules)) as b:
        await b.page.goto(b.url("/generic/basecode.html"))
        await b.page.click("#add")
        await b.wait_for(lambda: len(b.mirrored("AddToCart")) == 1)
        await b.assert_paired("AddToCart")
        assert [h["ev"] for h in b.pixel_hits].count("PageView") == 1
        scripts = await b.page.evaluate(
            "document.querySelectorAll('script[src*=\"fbevents.js\"]').length"
        )
        assert scripts == 1
        assert b.mirrored("AddToCart")[0]["fbp"] == b.events("AddToCart")[0]["fbp"]


async def test_base_code_pasted_after_the_snippet_sends_no_second_pageview() -> None:
    rules = [
        {"id": "atc", "event": "AddToCart", "trigger": {"type": "click", "selectors": ["#add"]}}
    ]
    async with open_bench(config_for(rules)) as b:
        await b.page.goto(b.url("/generic/late-basecode.html"))
        await b.page.click("#add")
        await b.wait_for(lambda: len(b.mirrored("AddToCart")) == 1)
        await b.assert_paired("AddToCart")
        assert [h["ev"] for h in b.pixel_hits].count("PageView") == 1
        scripts = await b.page.evaluate(
            "document.querySelectorAll('script[src*=\"fbevents.js\"]').length"
        )
        assert scripts == 1


async def test_snippet_installed_twice_fires_once() -> None:
    rules = [
        {"id": "atc", "event": "AddToCart", "trigger": {"type": "click", "selectors": ["#add"]}}
    ]
    async with open_bench(config_for(rules)) as b:
        await b.page.goto(b.url("/generic/product.html"))
        snippet = await b.page.evaluate(
            "document.querySelector('script[data-pixelbridge]').textContent"
        )
        await b.page.add_script_tag(content=snippet)
        await b.page.click("#add")
        await b.wait_for(lambda: len(b.mirrored("AddToCart")) == 1)
        await b.page.evaluate("fetch('/generic/cart.html').then(r => r.text())")
        await b.assert_paired("AddToCart")


async def test_sandboxed_iframe_without_cookies_or_storage_still_fires() -> None:
    rules = [
        {"id": "atc", "event": "AddToCart", "trigger": {"type": "click", "selectors": ["#add"]}}
    ]
    async with open_bench(config_for(rules)) as b:
        await b.page.goto(b.url("/generic/frame-host.html"))
        frame = b.page.frame_locator("#embed")
        await frame.locator("#add").click()
        await b.assert_paired("AddToCart")
        assert b.mirrored("AddToCart")[0].get("fbp") is None  # no cookie jar in this frame
        assert b.page_errors == []
