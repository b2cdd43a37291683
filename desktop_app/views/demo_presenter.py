"""Wires the demo services to the window: run the demo in the embedded browser, show it live.

`DemoRun` (services/demo.py) starts the sandbox, relay and shop and walks the shop on a
Playwright page; here that page is the window's QtWebEngine page reached over CDP, so the user
watches the walk and can keep shopping afterwards while new events appear in the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desktop_app.capi.dedup import Pair
from desktop_app.views.live_pairs import LivePairs

if TYPE_CHECKING:
    from playwright.async_api import Page

    from desktop_app.services.demo import DemoCustomer, DemoProgress, DemoRun
    from desktop_app.services.embedded_browser import EmbeddedBrowser
    from desktop_app.views.browser_view import BrowserView
    from desktop_app.views.main_window import MainWindow
    from desktop_app.views.messages import MessageBridge

logger = logging.getLogger(__name__)


class DemoPresenter:
    def __init__(
        self,
        window: MainWindow,
        messages: MessageBridge,
        *,
        browser_view: BrowserView | None = None,
        embedded: EmbeddedBrowser | None = None,
        browser_ready: asyncio.Event | None = None,
        customer_factory: Callable[[], DemoCustomer] | None = None,
    ) -> None:
        self.window = window
        self.messages = messages
        self.browser_view = browser_view
        self.embedded = embedded
        self._browser_ready = browser_ready  # set once `browser_view` exists (it comes late)
        # A factory, so the demo's services (Starlette, uvicorn…) load only when a demo runs.
        self._customer_factory = customer_factory
        self.demo: DemoRun | None = None
        self._live: LivePairs | None = None
        self._headless: Any = None  # HeadlessBrowser when there is no embedded browser
        self.pairs: list[Pair] = []
        self._page_in_use: Page | None = None

    def raw_user_data(self, event_id: str) -> Any:
        relay = self.demo.relay if self.demo else None
        return relay.raw_user_data(event_id) if relay else None

    async def run_demo(self) -> list[Pair]:
        """Start the demo services, shop once in the visible browser, keep the log live."""
        from desktop_app.services.demo import DemoRun

        await self.stop()
        self.window.model.clear()
        self.window.set_busy(True)
        try:
            customer = self._customer_factory() if self._customer_factory else None
            demo = self.demo = DemoRun(customer, on_progress=self._on_progress)
            shop_url = await demo.start()
            self.window.set_mode("sandbox")
            self._go_live(demo)
            page = self._page_in_use = await self._page(shop_url)
            self.pairs = await demo.walk(page)
            if self._live is not None:
                await self._live.refresh()
            self._select_last_conversion()
            self.messages.info(
                f"Demo finished: {self.window.model.summary()}.",
                "Keep clicking through the shop: new events appear here as they happen.",
            )
            return self.pairs
        finally:
            self.window.set_busy(False)

    def _select_last_conversion(self) -> None:
        pairs = self.window.model.pairs()
        rows = [row for row, pair in enumerate(pairs) if pair.is_conversion]
        if rows:
            self.window.log.select_row(rows[-1])

    def _go_live(self, demo: DemoRun) -> None:
        relay = demo.relay
        live = LivePairs(
            lambda: demo.capture.observations,
            lambda: relay.server_observations() if relay else [],
            self.window.model.pairs,
            self.window.model.set_pairs,
        )
        demo.capture.add_listener(live.poke)
        if relay is not None:
            relay.add_listener(live.poke)
        self._live = live

    async def _page(self, shop_url: str) -> Page:
        if self.embedded is not None and self._browser_ready is not None:
            await self._browser_ready.wait()
        if self.browser_view is not None and self.embedded is not None:
            self.browser_view.use_workspace(None)  # the demo shop: off the record
            self.browser_view.load(shop_url)
            return await self.embedded.page(lambda url: url.startswith(shop_url))
        from desktop_app.services.browser import HeadlessBrowser

        # No embedded browser (QtWebEngine missing): the walk still runs, out of sight.
        self._headless = HeadlessBrowser()
        await self._headless.start()
        page: Page = await self._headless.new_page()
        return page

    def _on_progress(self, update: DemoProgress) -> None:
        if update.step == "warning":
            self.messages.warning(update.message)
            return
        fraction = update.done / update.total if update.total else None
        self.window.on_progress(update.message, None if update.step == "done" else fraction)

    async def stop(self) -> None:
        live, self._live = self._live, None
        if live is not None:
            await live.close()
        demo, self.demo = self.demo, None
        page, self._page_in_use = self._page_in_use, None
        if demo is not None:
            if page is not None and not page.is_closed():
                try:  # the embedded page outlives the run: drop this run's Meta routes
                    await demo.capture.detach(page)
                except Exception:
                    logger.debug("could not detach the pixel capture", exc_info=True)
            await demo.stop()
        headless, self._headless = self._headless, None
        if headless is not None:
            await headless.close()
