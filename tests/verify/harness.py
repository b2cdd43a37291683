"""Test bench for live verification: fixture sites on a real loopback server, the real relay
delivering to the real sandbox, headless Chromium with `PixelCapture` answering Meta's endpoints.

Pages under `tests/verify/sites/` fire the Pixel themselves (Meta's base code) and send their
"server-side" copy to the relay named in `?relay=…`, so each page reproduces one real failure.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from desktop_app.capi.dedup import Pair, pair_events
from desktop_app.capi.observations import PixelObservation, ServerObservation
from desktop_app.services.chromium import launch_headless
from desktop_app.services.http_server import LocalServer
from desktop_app.services.pixel_capture import PixelCapture
from desktop_app.services.relay import RelayService, RelaySettings
from desktop_app.services.sandbox import MetaSandbox
from desktop_app.tagger.config import TagConfig, parse_config

SITES = Path(__file__).parent / "sites"
PIXEL_ID = "1234567890123456"
TOKEN = "verify-test-token"
SETTLED = frozenset({"delivered", "rejected", "expired", "blocked"})


async def wait_until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def site_app() -> Starlette:
    return Starlette(routes=[Mount("/", StaticFiles(directory=SITES, html=True))])


@dataclass
class Bench:
    browser: Browser
    context: BrowserContext
    page: Page
    capture: PixelCapture
    relay: RelayService
    sandbox: MetaSandbox
    site_url: str
    config: TagConfig

    def url(self, page: str) -> str:
        return f"{self.site_url}/{page}?relay={quote(self.relay.events_url, safe='')}"

    def pixels(self, name: str = "Purchase") -> list[PixelObservation]:
        return [o for o in self.capture.observations if o.event_name == name]

    def servers(self) -> list[ServerObservation]:
        return self.relay.server_observations()

    async def wait_for(self, pixels: int, servers: int, timeout_s: float = 15.0) -> None:
        """Until `pixels` Purchase hits and `servers` settled server copies have arrived."""
        await wait_until(lambda: len(self.pixels()) >= pixels, timeout_s, f"{pixels} Pixel hits")
        await wait_until(
            lambda: sum(s.status in SETTLED for s in self.servers()) >= servers,
            timeout_s,
            f"{servers} delivered server events",
        )
        assert await self.relay.wait_idle(timeout_s)

    def pairs(self) -> list[Pair]:
        return pair_events(self.capture.observations, self.servers())


def config_for(site_url: str) -> TagConfig:
    return parse_config(
        {"version": 1, "pixel_id": PIXEL_ID, "site": {"url": site_url}, "rules": []}
    )


@asynccontextmanager
async def open_bench(tmp_path: Path, **context_options: Any) -> AsyncIterator[Bench]:
    sandbox = MetaSandbox(token=TOKEN)
    graph_url = await sandbox.start()
    site = LocalServer(site_app(), name="fixture site")
    site_url = await site.start()
    config = config_for(site_url)
    relay = RelayService(
        config, RelaySettings(graph_url=graph_url, data_dir=tmp_path / "relay"), lambda: TOKEN
    )
    await relay.start()
    try:
        async with async_playwright() as playwright:
            browser = await launch_headless(playwright)
            try:
                context = await browser.new_context(**context_options)
                page = await context.new_page()
                capture = PixelCapture()
                await capture.attach(page)
                yield Bench(browser, context, page, capture, relay, sandbox, site_url, config)
                await context.close()
            finally:
                await browser.close()
    finally:
        await relay.stop()
        await site.stop()
        await sandbox.stop()
