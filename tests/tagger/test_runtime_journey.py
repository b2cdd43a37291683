"""The site runtime in real Chromium: a shop journey, reloads, a blocked Pixel, cookies."""

from __future__ import annotations

import hashlib
import re

import pytest
from tagger.harness import PIXEL_ID, SHOP_RULES, config_for, open_bench

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]


CUSTOMER = {"email": "Jane.Doe@Example.com", "phone": "+33 6 12 34 56 78"}


async def test_shop_journey_pairs_every_event_once_and_keeps_customer_data_off_the_pixel() -> None:
    async with open_bench(config_for(SHOP_RULES)) as b:
        await b.page.goto(b.url("/generic/product.html"))
        await b.wait_for(lambda: len(b.mirrored("ViewContent")) == 1)
        await b.page.click("#add")
        await b.wait_for(lambda: len(b.mirrored("AddToCart")) == 1)

        await b.page.goto(b.url("/generic/cart.html"))
        async with b.page.expect_navigation():
            await b.page.click("a.checkout-button span")
        await b.wait_for(lambda: len(b.mirrored("InitiateCheckout")) == 1)

        await b.page.fill("input[name=first_name]", "Jane")
        await b.page.fill("input[name=last_name]", "Doe")
        await b.page.fill("input[name=email]", CUSTOMER["email"])
        await b.page.fill("input[name=phone]", CUSTOMER["phone"])
        await b.page.fill("input[name=billing_city]", "Paris")
        await b.page.fill("input[name=cf_7]", "+33 7 00 00 00 01")
        await b.page.fill("input[name=pw]", "hunter2")
        async with b.page.expect_navigation(url=re.compile(r"thank-you")):
            await b.page.click("#place-order")
        await b.wait_for(
            lambda: len(b.mirrored("Purchase")) == 1 and len(b.events("Purchase")) == 1
        )

        for name in ("ViewContent", "AddToCart", "InitiateCheckout"):
            await b.assert_paired(name)
        assert await b.assert_paired("Purchase") == ["A-1001"]  # the order id is the event_id

        vc = b.events("ViewContent")[0]
        assert vc["cd[value]"] == "49.9" and vc["cd[currency]"] == "EUR"
        assert vc["cd[content_ids]"] == '["SKU-42"]'
        assert b.mirrored("AddToCart")[0]["custom_data"] == {"value": 1249.9, "currency": "EUR"}
        purchase = b.mirrored("Purchase")[0]
        assert purchase["custom_data"] == {"order_id": "A-1001", "value": 99.8, "currency": "EUR"}
        assert purchase["user_data"] == {
            "fn": "Jane",
            "ln": "Doe",
            "em": CUSTOMER["email"],
            "ph": "+33 7 00 00 00 01",  # user_fields wins over the type=tel guess
            "ct": "Paris",
        }
        assert purchase["action_source"] == "website"
        assert purchase["pixel_id"] == PIXEL_ID
        assert purchase["event_source_url"].endswith("/generic/thank-you.html?order=A-1001")
        assert re.fullmatch(r"fb\.0\.\d{13}\.\d+", purchase["fbp"])
        assert all(m["fbp"] == purchase["fbp"] for m in b.mirrors)
        # Raw customer data never reaches a Pixel request, nor does the password anywhere.
        every_pixel_value = " ".join(v for hit in b.pixel_hits for v in hit.values())
        for raw in (*CUSTOMER.values(), "Jane", "Doe", "Paris", "hunter2", "jane.doe", "+33 7"):
            assert raw.lower() not in every_pixel_value.lower()
        assert "hunter2" not in str(b.mirrors)

        # A reload of the thank-you page (or a second visit) never re-fires the Purchase.
        await b.page.reload()
        await b.wait_for(lambda: len([h for h in b.pixel_hits if h["ev"] == "PageView"]) == 5)
        await b.page.goto(b.url("/generic/product.html"))
        await b.wait_for(lambda: len(b.mirrored("ViewContent")) == 2)
        assert len(b.events("Purchase")) == 1 and len(b.mirrored("Purchase")) == 1
        assert b.page_errors == [] and b.diagnostics == []


async def test_blocked_pixel_still_mirrors_every_event_with_a_meta_format_fbp() -> None:
    async with open_bench(config_for(SHOP_RULES), block_pixel=True) as b:
        await b.page.goto(b.url("/generic/product.html"))
        await b.wait_for(lambda: len(b.mirrored("ViewContent")) == 1)
        await b.page.click("#add")
        await b.wait_for(lambda: len(b.mirrored("AddToCart")) == 1)
        await b.page.goto(b.url("/generic/thank-you.html?order=B-7"))
        await b.wait_for(lambda: len(b.mirrored("Purchase")) == 1)
        assert b.pixel_hits == []
        fbps = {m["fbp"] for m in b.mirrors}
        assert len(fbps) == 1
        (fbp,) = fbps
        assert re.fullmatch(r"fb\.0\.\d{13}\.\d{1,10}", fbp)
        cookie = await b.page.evaluate("document.cookie")
        assert f"_fbp={fbp}" in cookie
        assert b.mirrored("Purchase")[0]["event_id"] == "B-7"
        assert b.page_errors == []


async def test_fbclid_becomes_fbc_with_case_kept_on_both_channels() -> None:
    async with open_bench(config_for(SHOP_RULES)) as b:
        await b.page.goto(b.url("/generic/product.html?fbclid=IwAR3xYz_AbC-9"))
        await b.wait_for(lambda: len(b.mirrored("ViewContent")) == 1)
        fbc = b.mirrored("ViewContent")[0]["fbc"]
        assert re.fullmatch(r"fb\.0\.\d{13}\.IwAR3xYz_AbC-9", fbc)
        assert b.events("ViewContent")[0]["fbc"] == fbc
        # Later pages without fbclid keep the same cookie.
        await b.page.goto(b.url("/generic/cart.html"))
        await b.page.click("a.checkout-button")
        await b.wait_for(lambda: len(b.mirrored("InitiateCheckout")) == 1)
        assert b.mirrored("InitiateCheckout")[0]["fbc"] == fbc


async def test_consent_holds_both_channels_until_granted_and_ldu_reaches_both() -> None:
    config = config_for(SHOP_RULES, consent="required", ldu={"country": 1, "state": 1000})
    async with open_bench(config) as b:
        await b.page.goto(b.url("/generic/product.html"))
        await b.page.click("#add")
        fired = await b.page.evaluate("window.pixelbridge.fired.length")
        assert fired == 0
        # Round trip through both servers: nothing may have been sent while consent is held.
        await b.page.evaluate("fetch('/generic/cart.html').then(r => r.text())")
        assert b.pixel_hits == [] and b.mirrors == []
        await b.page.evaluate("window.pixelbridge.consent('grant')")
        await b.wait_for(lambda: len(b.mirrors) == 2 and len(b.events()) == 2)
        await b.assert_paired("ViewContent")
        await b.assert_paired("AddToCart")
        assert [h["ev"] for h in b.pixel_hits].count("PageView") == 1
        for hit in b.pixel_hits:
            assert (hit["dpo"], hit["dpoco"], hit["dpost"]) == ("LDU", "1", "1000")
        for mirror in b.mirrors:
            assert mirror["data_processing_options"] == ["LDU"]
            assert mirror["data_processing_options_country"] == 1
            assert mirror["data_processing_options_state"] == 1000


async def test_fbevents_stub_hashes_advanced_matching_and_uses_beacon_for_long_requests() -> None:
    async with open_bench(None) as b:
        await b.page.goto(b.url("/generic/basecode.html"))
        await b.page.evaluate(
            """() => {
              fbq('init', '555', {em: ' Jane.Doe@Example.com ', ph: '+1 (650) 555-1212',
                                  external_id: 'abc-1'});
              fbq('trackSingle', '555', 'Lead', {value: 1}, {eventID: 'lead-1'});
              fbq('trackSingleCustom', '555', 'BigThing', {blob: 'x'.repeat(2500)},
                  {eventID: 'big-1'});
            }"""
        )
        await b.wait_for(lambda: {"Lead", "BigThing"} <= {h["ev"] for h in b.pixel_hits})
        lead = next(h for h in b.pixel_hits if h["ev"] == "Lead")
        assert lead["id"] == "555" and lead["eid"] == "lead-1" and lead["rqm"] == "GET"
        assert lead["ud[em]"] == hashlib.sha256(b"jane.doe@example.com").hexdigest()
        assert lead["ud[ph]"] == hashlib.sha256(b"16505551212").hexdigest()
        assert lead["ud[external_id]"] == hashlib.sha256(b"abc-1").hexdigest()
        assert "jane" not in str(b.pixel_hits).lower()
        big = next(h for h in b.pixel_hits if h["ev"] == "BigThing")
        assert big["rqm"] == "SB" and big["eid"] == "big-1" and len(big["cd[blob]"]) == 2500
        # The site's own PageView and init for 1234567890 went out once each.
        pageviews = [h for h in b.pixel_hits if h["ev"] == "PageView"]
        assert [h["id"] for h in pageviews] == ["1234567890"]
        assert sorted(h["ec"] for h in b.pixel_hits if h["id"] == "555") == ["0", "1"]


async def test_hosted_runtime_loader_behaves_like_the_inline_snippet() -> None:
    async with open_bench(config_for(SHOP_RULES)) as b:
        b.external = True
        await b.page.goto(b.url("/generic/product.html"))
        await b.page.click("#add")
        await b.assert_paired("ViewContent")
        await b.assert_paired("AddToCart")
        loader = await b.page.evaluate(
            "document.querySelector('script[data-pixelbridge]').dataset.pixelbridge"
        )
        assert loader == "loader"
        assert [h["ev"] for h in b.pixel_hits].count("PageView") == 1
