"""Headless-page helpers shared by the tagging and rule-test wiring tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from playwright.async_api import Page, async_playwright

from desktop_app.services.chromium import launch_headless


async def until(condition: Callable[[], object], timeout_s: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def headless_page() -> AsyncIterator[Page]:
    async with async_playwright() as pw:
        browser = await launch_headless(pw)
        try:
            context = await browser.new_context(viewport={"width": 1000, "height": 800})
            yield await context.new_page()
        finally:
            await browser.close()


async def click_center(page: Page, css: str) -> None:
    box = await page.locator(css).bounding_box()
    assert box is not None
    await page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
