"""The tagging presenter on a real page: pick → rule saved in the site → live count →
"test this rule" shows both copies in the log → platform banner → rule repair.

Headless Chromium stands in for the embedded view here (both are Playwright pages, and the
embedded view is exercised in tests/tagger_ui/test_embedded_view.py)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
from views.page_helpers import click_center, headless_page, until

from desktop_app.services.demo import DemoRun
from desktop_app.services.http_server import LocalServer
from desktop_app.views.live_pairs import LivePairs
from desktop_app.views.messages import MessageBridge
from desktop_app.views.pair_model import PairTableModel
from desktop_app.views.tagging_panel import TaggingPanel
from desktop_app.views.tagging_presenter import TaggingPresenter
from desktop_app.views.tasks import TaskOwner

pytestmark = [pytest.mark.browser]


def _presenter(page: Page, saved: list[Any], model: PairTableModel) -> TaggingPresenter:
    async def provider() -> Page:
        return page

    panel = TaggingPanel()
    return TaggingPresenter(
        panel,
        MessageBridge(),
        TaskOwner(),
        save_rules=lambda rules: saved.append([dict(r) for r in rules]),
        model=model,
        page_provider=provider,
    )


@pytest.mark.asyncio
@pytest.mark.slow
async def test_pick_save_count_and_test_rule_on_the_demo_shop(qtbot: Any) -> None:
    saved: list[Any] = []
    model = PairTableModel()
    async with DemoRun() as demo, headless_page() as page:
        assert demo.shop is not None
        relay = demo.relay
        live = LivePairs(
            lambda: demo.capture.observations,
            lambda: relay.server_observations() if relay else [],
            model.pairs,
            model.set_pairs,
        )
        demo.capture.add_listener(live.poke)
        if relay is not None:
            relay.add_listener(live.poke)
        await demo.capture.attach(page)
        await page.goto(demo.shop.product_url())
        presenter = _presenter(page, saved, model)
        panel = presenter.panel
        try:
            await presenter.refresh_page()
            assert presenter.picker.page is page
            assert not panel.banner.isVisibleTo(panel)  # the demo shop is no known platform
            # "Point at a button" → a real click on Add to cart selects it (no cart change).
            panel.point_button.click()
            await until(lambda: presenter.picker.mode == "element")
            await click_center(page, "#add-to-cart")
            await until(lambda: panel.draft.bundle is not None)
            await until(lambda: panel.match_label.text() == "Matches 1 element on this page.")
            assert await page.locator("#cart-count").inner_text() == "0"
            panel.save_button.click()
            assert saved and saved[-1][0]["event"] == "AddToCart"
            rule = saved[-1][0]
            assert rule["trigger"]["type"] == "click"
            assert await page.locator(rule["trigger"]["selectors"][0]).count() == 1
            assert panel.rules.rules_list.count() == 1
            # "Test this rule": the click fires in the page; both copies reach the log.
            text = await presenter.test_rule(rule["id"])
            assert "Clicked" in text, text
            assert "AddToCart: browser ✓, server ✓ (counted once)" in text, text
            assert panel.rules.test_label.text() == text
            # Turning it off and deleting reach the site's storage too.
            presenter.on_rule_toggled(rule["id"], False)
            assert saved[-1][0]["enabled"] is False
            presenter.on_rule_deleted(rule["id"])
            assert saved[-1] == []
        finally:
            await live.close()
            await presenter.tasks.cancel_all()


WOO_PAGE = """<!doctype html><html><head><meta name="generator" content="WooCommerce 8.5.1">
</head><body class="woocommerce woocommerce-page">
<div class="summary"><p class="price"><span class="woocommerce-Price-amount">12.00</span></p>
<button type="submit" name="add-to-cart" class="single_add_to_cart_button">Add to basket</button>
</div></body></html>"""

REDESIGNED = """<!doctype html><html><body><main>
<button id="buy-now-v2" class="cta">Add to cart</button></main></body></html>"""


@pytest.mark.asyncio
async def test_platform_banner_and_rule_repair(qtbot: Any) -> None:
    async def woo(_request: Any) -> HTMLResponse:
        return HTMLResponse(WOO_PAGE)

    async def redesigned(_request: Any) -> HTMLResponse:
        return HTMLResponse(REDESIGNED)

    app = Starlette(routes=[Route("/shop", woo), Route("/new", redesigned)])
    server = LocalServer(app, name="woo-test")
    url = await server.start()
    saved: list[Any] = []
    try:
        async with headless_page() as page:
            presenter = _presenter(page, saved, PairTableModel())
            panel = presenter.panel
            await page.goto(f"{url}/shop")
            await presenter.refresh_page()
            assert panel.banner.isVisibleTo(panel)
            words = panel.banner_label.text()
            assert words.startswith("WooCommerce detected — "), words
            assert "can be tracked automatically. Use them?" in words
            panel.banner_button.click()
            assert saved and {r["event"] for r in saved[-1]} >= {"AddToCart", "Purchase"}
            assert not panel.banner.isVisibleTo(panel)
            # A rule whose button was renamed in a redesign: the similar element is offered.
            old_rule = {
                "id": "addtocart-1",
                "event": "AddToCart",
                "trigger": {"type": "click", "selectors": ["#add-to-cart"], "text": "Add to cart"},
                "fingerprint": {"tag": "button", "text": "Add to cart", "id": "add-to-cart"},
            }
            presenter.set_rules([old_rule])
            await page.goto(f"{url}/new")
            await presenter.refresh_page()
            assert "Matches nothing here any more" in panel.rules.repair_label.text()
            panel.rules.repair_button.click()
            repaired = saved[-1][0]
            assert repaired["trigger"]["selectors"][0] != "#add-to-cart"
            assert await page.locator(repaired["trigger"]["selectors"][0]).count() == 1
            assert (
                await page.locator(repaired["trigger"]["selectors"][0]).get_attribute("id")
                == "buy-now-v2"
            )
            await presenter.tasks.cancel_all()
    finally:
        await server.stop()


@pytest.mark.asyncio
async def test_pointing_without_a_page_says_what_to_do(qtbot: Any) -> None:
    async def no_page() -> Page:
        raise RuntimeError("open a page first: type your site's address above the browser")

    messages = MessageBridge()
    panel = TaggingPanel()
    qtbot.addWidget(panel)
    presenter = TaggingPresenter(panel, messages, TaskOwner(), page_provider=no_page)
    assert await presenter.start_pick("element") is None
    last = messages.history[-1]
    assert last.level == "warning"
    assert last.text == "Open a page of your site in the browser first."
    assert "type your site's address" in (last.next_step or "")
