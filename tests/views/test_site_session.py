""" "Test this rule" on the owner's own site: a loopback page WITHOUT any snippet, a click rule
saved through the tagging presenter, then "test this rule" starts a site session (sandbox,
relay, capture, injected snippet) and a deduplicated pair for that event reaches the log.

Headless Chromium stands in for the embedded view (both are Playwright pages)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
from views.page_helpers import click_center, headless_page, until

from desktop_app.services.http_server import LocalServer
from desktop_app.services.site_session import SLOT
from desktop_app.views.messages import MessageBridge
from desktop_app.views.pair_model import PairTableModel
from desktop_app.views.site_session_presenter import SiteSessionPresenter
from desktop_app.views.tagging_panel import TaggingPanel
from desktop_app.views.tagging_presenter import TaggingPresenter
from desktop_app.views.tasks import TaskOwner

pytestmark = [pytest.mark.browser]

PLAIN_SHOP = """<!doctype html><html><head><title>Plain shop</title></head><body><main>
<h1>Blue mug</h1><p class="price">12.00</p>
<button id="buy" type="button">Add to cart</button>
<a id="contact" href="#contact">Contact us</a>
</main></body></html>"""


@pytest.mark.asyncio
@pytest.mark.slow
async def test_test_this_rule_on_a_site_without_the_snippet(qtbot: Any) -> None:
    async def shop(_request: Any) -> HTMLResponse:
        return HTMLResponse(PLAIN_SHOP)

    server = LocalServer(Starlette(routes=[Route("/mug", shop)]), name="plain-shop")
    base = await server.start()
    model = PairTableModel()
    saved: list[Any] = []
    sessions = SiteSessionPresenter(model, test_event_code=lambda: "TEST123")
    presenter: TaggingPresenter | None = None
    try:
        async with headless_page() as page:

            async def provider() -> Page:
                return page

            presenter = TaggingPresenter(
                TaggingPanel(),
                MessageBridge(),
                TaskOwner(),
                save_rules=lambda rules: saved.append([dict(r) for r in rules]),
                model=model,
                page_provider=provider,
            )
            presenter.before_test = sessions.prepare
            panel = presenter.panel
            await page.goto(base.rstrip("/") + "/mug")
            assert await page.evaluate("() => window.pixelbridge === undefined")
            await presenter.refresh_page()
            panel.point_button.click()
            await until(lambda: presenter is not None and presenter.picker.mode == "element")
            await click_center(page, "#buy")
            await until(lambda: panel.draft.bundle is not None)
            panel.save_button.click()
            assert saved and saved[-1][0]["event"] == "AddToCart"
            rule = saved[-1][0]
            assert rule["trigger"]["type"] == "click"

            text = await presenter.test_rule(rule["id"])
            assert "Started a test session" in text, text
            assert "AddToCart: browser ✓, server ✓ (counted once)" in text, text
            assert panel.rules.test_label.text() == text
            pairs = [p for p in model.pairs() if p.event_name == "AddToCart"]
            assert len(pairs) == 1
            assert pairs[0].pixel is not None and pairs[0].server is not None
            assert pairs[0].counted == "once"
            assert sessions.session is not None and sessions.session.relay is not None
            # The server copy went through the session's relay with the workspace's test code.
            rows = sessions.session.relay.deliveries(limit=10)
            assert any(r["payload"].get("event_name") == "AddToCart" for r in rows), rows

            # A second test reuses the session and runs a changed rule set on the next load.
            first = sessions.session
            text2 = await presenter.test_rule(rule["id"])
            assert "Started" not in text2 and "AddToCart: browser ✓, server ✓" in text2, text2
            assert sessions.session is first
            assert len([p for p in model.pairs() if p.event_name == "AddToCart"]) == 2
            # Edited rule (same button, now Lead): the next load runs only the edited rule.
            presenter.on_rule_saved({**rule, "event": "Lead"})
            await sessions.prepare(page, presenter.rules)
            assert await page.evaluate(f"() => typeof window[{SLOT!r}]") == "function"
            capture = first.capture
            seen = len(capture.observations)
            await page.click("#buy")
            await until(lambda: any(o.event_name == "Lead" for o in capture.observations[seen:]))
            assert "AddToCart" not in {o.event_name for o in capture.observations[seen:]}
    finally:
        await sessions.stop()
        if presenter is not None:
            await presenter.tasks.cancel_all()
        await server.stop()


@pytest.mark.asyncio
async def test_a_page_with_its_own_snippet_is_left_alone(qtbot: Any) -> None:
    page_html = "<!doctype html><html><head><script>window.pixelbridge={v:1}</script></head></html>"

    async def own(_request: Any) -> HTMLResponse:
        return HTMLResponse(page_html)

    server = LocalServer(Starlette(routes=[Route("/", own)]), name="own-snippet")
    base = await server.start()
    sessions = SiteSessionPresenter(PairTableModel())
    try:
        async with headless_page() as page:
            await page.goto(base)
            assert await sessions.prepare(page, []) == ""
            assert sessions.session is None
    finally:
        await sessions.stop()
        await server.stop()
