"""A headless browser session for jobs (headless demo, verify, tests).

One object owns the Playwright driver, the Chromium it launched and the pages it opened, and
`close()` ends all of them, in the right order, whatever state they are in, so that no Chromium
or Playwright driver process outlives the job. Use it as an async context manager:

    async with HeadlessBrowser() as browser:
        page = await browser.new_page()

Each page gets its own fresh context (Playwright's contexts are off the record: cookies and
storage live in memory, never in a profile on disk).
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from desktop_app.services.chromium import launch_headless

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page, Playwright, ViewportSize

logger = logging.getLogger(__name__)

DEFAULT_VIEWPORT = (1200, 860)


class BrowserStartError(RuntimeError):
    """Chromium or the Playwright driver could not start; the message says what to do."""


class HeadlessBrowser:
    def __init__(
        self, *, headless: bool = True, viewport: tuple[int, int] = DEFAULT_VIEWPORT
    ) -> None:
        self.headless = headless
        self.viewport = viewport
        self._playwright: Playwright | None = None
        self._manager: Any = None
        self._browser: Browser | None = None
        self._contexts: list[BrowserContext] = []

    @property
    def browser(self) -> Browser:
        if self._browser is None:
            raise RuntimeError("browser not started")
        return self._browser

    @property
    def running(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    async def start(self) -> Self:
        if self._browser is not None:
            return self
        from playwright.async_api import async_playwright

        self._manager = async_playwright()
        try:
            self._playwright = await self._manager.start()
            self._browser = await launch_headless(self._playwright, headless=self.headless)
        except Exception as exc:
            await self.close()
            raise BrowserStartError(str(exc).strip().splitlines()[0]) from exc
        logger.info("headless Chromium %s started", self._browser.version)
        return self

    async def new_page(self) -> Page:
        """A page in its own fresh context (cookies and storage in memory only)."""
        size: ViewportSize = {"width": self.viewport[0], "height": self.viewport[1]}
        context = await self.browser.new_context(viewport=size)
        self._contexts.append(context)
        return await context.new_page()

    async def close(self) -> None:
        """Close pages, contexts, Chromium and the driver; safe to call twice or after a crash."""
        contexts, self._contexts = self._contexts, []
        for context in contexts:
            try:
                await context.close()
            except Exception:  # already gone with the browser
                logger.debug("context close failed", exc_info=True)
        browser, self._browser = self._browser, None
        if browser is not None:
            try:
                await browser.close()
            except Exception:
                logger.debug("browser close failed", exc_info=True)
        manager, self._manager, self._playwright = self._manager, None, None
        if manager is not None:
            try:
                await manager.__aexit__(None, None, None)
            except Exception:
                logger.debug("playwright stop failed", exc_info=True)

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
