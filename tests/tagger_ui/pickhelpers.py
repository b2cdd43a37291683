"""Helpers shared by the tagger UI tests (importable as `tagger_ui.pickhelpers`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Page, async_playwright
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from desktop_app.services.chromium import launch_headless
from desktop_app.services.http_server import LocalServer
from desktop_app.services.picker import PickerService

SITES = Path(__file__).parent / "sites"


@dataclass
class Session:
    page: Page
    picker: PickerService
    site_url: str


@contextlib.asynccontextmanager
async def sites_server() -> AsyncIterator[str]:
    """The test sites on a real loopback server."""
    app = Starlette(routes=[Mount("/", StaticFiles(directory=SITES, html=True))])
    server = LocalServer(app, name="tagger-test-sites")
    try:
        yield await server.start()
    finally:
        await server.stop()


@contextlib.asynccontextmanager
async def session() -> AsyncIterator[Session]:
    """Test sites + headless Chromium + pick mode attached to its page."""
    async with sites_server() as url, async_playwright() as pw:
        browser = await launch_headless(pw)
        try:
            context = await browser.new_context(viewport={"width": 1000, "height": 800})
            page = await context.new_page()
            picker = PickerService()
            await picker.attach(page)
            yield Session(page, picker, url)
        finally:
            await browser.close()


async def click_element(page: Page, css: str) -> None:
    """Click at the centre of the element `css` selects, like a person would."""
    box = await page.locator(css).bounding_box()
    assert box is not None, f"{css} is not visible"
    await page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


async def expect_marks(page: Page, selectors: list[str]) -> list[object]:
    """The data-expect marker of the single element each selector selects (deep query)."""
    return [
        await page.evaluate(
            """(s) => {
                 const roots = [document];
                 for (let i = 0; i < roots.length; i++)
                   for (const n of roots[i].querySelectorAll('*'))
                     if (n.shadowRoot) roots.push(n.shadowRoot);
                 const found = roots.flatMap((r) => [...r.querySelectorAll(s)]);
                 if (found.length !== 1) return `${found.length} matches`;
                 return found[0].dataset.expect ?? null;
               }""",
            css,
        )
        for css in selectors
    ]


async def wait_for(condition: Callable[[], Awaitable[bool]], timeout_s: float = 5.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not await condition():  # noqa: ASYNC110 - polling a page condition
            await asyncio.sleep(0.02)
