"""Pick mode in a real headless Chromium: click at element coordinates, check the bundle,
reload, and check the stored selectors still select exactly that element."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict

import pytest
from playwright.async_api import Page
from tagger_ui.pickhelpers import click_element, expect_marks, session, wait_for

from desktop_app.services.picker import Pick, PickerService
from desktop_app.services.rule_health import check_rules

pytestmark = [pytest.mark.browser, pytest.mark.asyncio]

GENERATED = ("framer-", "css-", "sc-", "__3xYz", "quantity_637b")


async def pick(page: Page, picker: PickerService, css: str, mode: str = "element") -> Pick:
    await picker.start(mode)
    await click_element(page, css)
    return await picker.next_pick(timeout_s=5)


async def clicked(page: Page) -> str | None:
    value: str | None = await page.evaluate("() => document.body.dataset.clicked ?? null")
    return value


async def test_duplicate_buttons_skip_generated_classes_and_survive_reload() -> None:
    async with session() as s:
        page, picker, site_url = s.page, s.picker, s.site_url
        await page.goto(f"{site_url}/shop.html")
        for mark in ("buy-hoodie", "buy-cap"):
            result = await pick(page, picker, f"[data-expect={mark}] span")
            bundle = result.bundle
            assert bundle is not None
            assert (bundle.tag, bundle.role, bundle.text) == ("button", "button", "Add to cart")
            assert 1 <= len(bundle.selectors) <= 3
            assert not any(bad in css for css in bundle.selectors for bad in GENERATED)
            assert await clicked(page) is None  # the site's own action did not run
            await page.reload()
            assert await expect_marks(page, bundle.selectors) == [mark] * len(bundle.selectors)
        # The card with a readable id gives a stable, position-free selector.
        hoodie = await pick(page, picker, "[data-expect=buy-hoodie]")
        assert hoodie.bundle is not None
        assert hoodie.bundle.selectors[0].startswith("#product-hoodie ")
        assert not hoodie.bundle.fragile
        # Not every selector hangs on that id: renaming it must not break the whole bundle.
        assert any("#product-hoodie" not in css for css in hoodie.bundle.selectors)


async def test_link_and_pointer_div_are_retargeted_without_navigating() -> None:
    async with session() as s:
        page, picker, site_url = s.page, s.picker, s.site_url
        await page.goto(f"{site_url}/shop.html")
        link = await pick(page, picker, "[data-expect=cart-link] span")
        assert link.bundle is not None and link.bundle.tag == "a"
        assert 'a[href^="/cart"]' in link.bundle.selectors
        assert page.url.endswith("/shop.html")  # the link did not navigate
        div = await pick(page, picker, "[data-expect=pointer-div] span")
        assert div.bundle is not None and div.bundle.tag == "div"
        assert not any(bad in css for css in div.bundle.selectors for bad in GENERATED)
        assert await expect_marks(page, div.bundle.selectors) == ["pointer-div"] * len(
            div.bundle.selectors
        )
        assert await clicked(page) is None


async def test_whole_form_by_shift_click_and_fields_without_their_values() -> None:
    async with session() as s:
        page, picker, site_url = s.page, s.picker, s.site_url
        await page.goto(f"{site_url}/shop.html")
        secret = "jane.doe@example.com"
        await page.fill("#nl-email", secret)
        await picker.start("element")
        await page.keyboard.down("Shift")
        await click_element(page, "[data-expect=subscribe]")
        await page.keyboard.up("Shift")
        form = await picker.next_pick(5)
        assert form.whole_form and form.bundle is not None and form.bundle.tag == "form"
        assert form.bundle.selectors[0] == "#newsletter"
        assert 'form[action*="/subscribe"]' in form.bundle.selectors
        assert await clicked(page) is None  # not submitted
        email = await pick(page, picker, "[data-expect=email]", mode="field")
        assert email.field_kind == "email"
        assert email.bundle is not None and email.bundle.selectors[0] == "#nl-email"
        phone = await pick(page, picker, "[data-expect=phone]", mode="field")
        assert phone.field_kind == "phone"
        for result in (form, email, phone):
            assert secret not in json.dumps(asdict(result.bundle) if result.bundle else {})


async def test_price_pick_and_escape_leaves_pick_mode() -> None:
    async with session() as s:
        page, picker, site_url = s.page, s.picker, s.site_url
        await page.goto(f"{site_url}/shop.html")
        price = await pick(page, picker, "[data-expect=price]", mode="value")
        assert price.price == (1234.56, "EUR")
        assert price.bundle is not None
        assert await expect_marks(page, price.bundle.selectors) == ["price"] * len(
            price.bundle.selectors
        )
        await click_element(page, "[data-expect=buy-cap]")
        assert await clicked(page) == "cap"  # one pick ended pick mode by itself
        left = asyncio.Event()
        picker.add_left_listener(left.set)
        await picker.start("element", sticky=True)
        await page.keyboard.press("Escape")
        await asyncio.wait_for(left.wait(), 5)
        assert picker.mode is None
        await click_element(page, "[data-expect=buy-hoodie]")
        assert await clicked(page) == "hoodie"  # clicks reach the site again


async def test_pick_mode_survives_reload_and_spa_navigation() -> None:
    async with session() as s:
        page, picker, site_url = s.page, s.picker, s.site_url
        await page.goto(f"{site_url}/spa.html")
        await picker.start("element", sticky=True)
        await page.reload()
        await click_element(page, "[data-expect=to-checkout]")
        first = await picker.next_pick(5)
        assert first.bundle is not None and first.bundle.text == "Go to checkout"
        assert page.url.endswith("/spa.html")  # picking did not navigate
        await page.evaluate("() => go('/spa/checkout')")  # client-side route change
        await click_element(page, "[data-expect=place-order]")
        order = await picker.next_pick(5)
        assert order.url.endswith("/spa/checkout")
        assert order.bundle is not None and order.bundle.text == "Place order"
        assert await expect_marks(page, order.bundle.selectors) == ["place-order"] * len(
            order.bundle.selectors
        )
        assert not any(bad in css for css in order.bundle.selectors for bad in GENERATED)


async def test_open_shadow_root() -> None:
    async with session() as s:
        page, picker, site_url = s.page, s.picker, s.site_url
        await page.goto(f"{site_url}/shadow.html")
        result = await pick(page, picker, "#buy-box [data-expect=shadow-buy] span")
        bundle = result.bundle
        assert bundle is not None and bundle.in_shadow and bundle.text == "Buy now"
        await page.reload()
        in_own_root = await page.evaluate(
            """(sels) => sels.map((s) => {
                 const found = document.querySelector('#buy-box').shadowRoot.querySelectorAll(s);
                 return found.length === 1 ? found[0].dataset.expect : found.length;
               })""",
            bundle.selectors,
        )
        assert in_own_root == ["shadow-buy"] * len(bundle.selectors)
        # The same component appears twice: the live count says so, so the owner is warned.
        count = await picker.count_matches(bundle.selectors)
        assert count.total == 2


async def test_same_origin_iframe_is_taggable_cross_origin_is_explained() -> None:
    async with session() as s:
        page, picker, site_url = s.page, s.picker, s.site_url
        await page.goto(f"{site_url}/frames.html")
        await wait_for(lambda: _frames_loaded(page))
        await picker.start("element", sticky=True)
        inner_frame = page.frame_locator("#same")
        box = await inner_frame.locator("[data-expect=inner-book]").bounding_box()
        assert box is not None
        await page.mouse.click(box["x"] + 5, box["y"] + 5)
        inner = await picker.next_pick(5)
        assert inner.blocked_reason is None and inner.bundle is not None
        assert inner.frame_url is not None and inner.frame_url.endswith("/inner.html")
        assert inner.frame_selectors[:1] == ["#same"]
        assert (
            inner.bundle.selectors[0] == "#same" or 'button[name="book"]' in inner.bundle.selectors
        )
        outer_box = await page.locator("#booking").bounding_box()
        assert outer_box is not None
        await page.mouse.click(outer_box["x"] + 20, outer_box["y"] + 20)
        blocked = await picker.next_pick(5)
        assert blocked.bundle is None and not blocked.ok
        assert blocked.blocked_reason is not None
        assert "cannot be tagged" in blocked.blocked_reason
        assert "localhost" in blocked.blocked_reason


async def _frames_loaded(page: Page) -> bool:
    urls = [f.url for f in page.frames]
    return any(u.endswith("/inner.html") for u in urls) and any(
        u.endswith("/other.html") for u in urls
    )


async def test_live_count_and_rule_repair_after_redesign() -> None:
    async with session() as s:
        page, picker, site_url = s.page, s.picker, s.site_url
        await page.goto(f"{site_url}/shop.html")
        result = await pick(page, picker, "[data-expect=buy-hoodie]")
        assert result.bundle is not None
        count = await picker.count_matches(result.bundle.selectors, result.bundle.text)
        assert count.total == 1 and count.per_selector == [1] * len(result.bundle.selectors)
        broad = await picker.count_matches(["button", "not a selector ::"])
        assert broad.per_selector[0] > 2 and broad.per_selector[1] == -1
        await picker.stop()
        await page.goto(f"{site_url}/shop_changed.html")
        gone = await picker.count_matches(result.bundle.selectors)
        assert gone.total == 0
        repaired = await picker.repair(result.bundle.fingerprint)
        assert repaired is not None
        match, bundle = repaired
        assert await expect_marks(page, bundle.selectors) == ["buy-hoodie"] * len(bundle.selectors)
        assert match.score > 0.55
        # The same, as the main window asks after a page load, for saved rules.
        rules = [
            {
                "id": "atc",
                "event": "AddToCart",
                "trigger": result.bundle.trigger(),
                "fingerprint": result.bundle.fingerprint,
            },
            {
                "id": "elsewhere",
                "event": "Lead",
                "url": {"match": "equals", "value": "/other"},
                "trigger": {"type": "click", "selectors": ["#nope"]},
            },
            {"id": "ok", "event": "Lead", "trigger": {"type": "click", "selectors": ["h2"]}},
        ]
        health = {h.rule_id: h for h in await check_rules(picker, rules)}
        assert set(health) == {"atc", "ok"}  # "elsewhere" does not apply to this page
        assert health["ok"].matches == 2
        assert health["atc"].matches == 0 and health["atc"].offer is not None
        assert health["atc"].offer.selectors == bundle.selectors
        assert "Is it “Add to cart now”?" in health["atc"].words()


async def test_panel_turns_a_real_pick_into_a_rule_that_still_matches_after_reload() -> None:
    from desktop_app.views.tagging_panel import TaggingPanel

    async with session() as s:
        page, picker, site_url = s.page, s.picker, s.site_url
        panel = TaggingPanel()
        saved: list[dict[str, object]] = []
        panel.rule_saved.connect(saved.append)
        panel.pick_requested.connect(lambda mode: None)
        await page.goto(f"{site_url}/shop.html")
        picker.add_listener(panel.on_pick)  # what the main window wires
        await picker.start("element")
        await click_element(page, "[data-expect=subscribe]")
        result = await picker.next_pick(5)
        assert result.bundle is not None
        panel.set_match_count(await picker.count_matches(result.bundle.selectors))
        assert panel.match_label.text() == "Matches 1 element on this page."
        panel.event_combo.setCurrentIndex(panel.event_combo.findData("Lead"))
        panel.save_button.click()
        (rule,) = saved
        trigger = rule["trigger"]
        assert isinstance(trigger, dict) and trigger["type"] == "click"
        await page.reload()
        selectors = list(trigger["selectors"])
        assert await expect_marks(page, selectors) == ["subscribe"] * len(selectors)
        panel.deleteLater()


async def test_test_this_rule_does_what_the_rule_waits_for() -> None:
    async with session() as s:
        page, picker = s.page, s.picker
        await page.goto(f"{s.site_url}/shop.html")
        hoodie = await pick(page, picker, "[data-expect=buy-hoodie]")
        assert hoodie.bundle is not None
        done = await picker.trigger_rule({"trigger": hoodie.bundle.trigger("click")})
        assert done.startswith("Clicked ") and await clicked(page) == "hoodie"
        form = {"trigger": {"type": "submit", "selectors": ["#newsletter"]}}
        assert await picker.trigger_rule(form) == "Sent the form #newsletter."
        assert await clicked(page) == "submitted"
        gone = {"trigger": {"type": "click", "selectors": ["#nope"]}}
        assert await picker.trigger_rule(gone) == "Nothing on this page matches the rule."


PLATFORM_CASES = [
    # (element clicked, what the best selector must be, text)
    ("woo-43", 'a[data-product_id="43"]', "Add to cart"),
    ("webflow-atc", 'input[data-node-type="commerce-add-to-cart-button"]', "Add to Cart"),
    ("react-checkout", '[data-testid="checkout-button"]', "Checkout"),
    ("wf-sales", 'a[href="/contact-sales"]', "Talk to sales"),
]


async def test_platform_markup_gets_its_stable_hooks() -> None:
    async with session() as s:
        page, picker = s.page, s.picker
        await page.goto(f"{s.site_url}/platforms.html")
        for mark, best, text in PLATFORM_CASES:
            result = await pick(page, picker, f"[data-expect={mark}]")
            assert result.bundle is not None, mark
            assert result.bundle.selectors[0] == best, (mark, result.bundle.selectors)
            assert result.bundle.text == text
            assert not any(":r1:" in c or "css-" in c for c in result.bundle.selectors)
            assert not any(".w-" in c for c in result.bundle.selectors)  # framework classes
            assert await expect_marks(page, result.bundle.selectors) == [mark] * len(
                result.bundle.selectors
            )
