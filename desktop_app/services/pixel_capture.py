"""See every Meta Pixel request a page sends, and answer Meta's endpoints locally.

`PixelCapture.attach(page)` installs one Playwright route on a `Page` (a headless Chromium
page, or the desktop app's QWebEngineView page over CDP — both are Playwright pages):

- `connect.facebook.net/<locale>/fbevents.js` is answered with our stand-in
  (`resources/fbevents_stub/fbevents.js`), so the Pixel works offline;
- every Pixel hit (`https://www.facebook.com/tr/?…`, GET image, beacon, fetch or form POST) is
  parsed into a `PixelObservation`, recorded, and answered with a 1×1 GIF;
- every other Meta endpoint (signals config, other facebook.com paths) gets an empty local
  answer: nothing reaches Meta from a capture session.

Pixel URLs are matched with regexes (`capi/pixel.ENDPOINTS`), not a glob: `**/tr*` misses the
real `/tr/?…` form and catches unrelated `/track.js` (measured, see ARCHITECTURE.md).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.capi.observations import PixelObservation
from desktop_app.capi.pixel import is_pixel_request, parse_pixel_request
from desktop_app.resources import resource_path

if TYPE_CHECKING:
    from playwright.async_api import Page, Request, Route

logger = logging.getLogger(__name__)

FBEVENTS_STUB = resource_path("fbevents_stub", "fbevents.js")
# One route for all of Meta's hosts; the handler dispatches with the table below.
META_HOSTS = re.compile(
    r"^https?://([a-z0-9-]+\.)*(facebook\.com|facebook\.net|fbcdn\.net|fbsbx\.com)(:\d+)?/",
    re.IGNORECASE,
)
FBEVENTS_URL = re.compile(r"^https://connect\.facebook\.net/[A-Za-z_]+/fbevents\.js(\?|$)")
# The smallest transparent GIF, what /tr answers to an image request.
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

Listener = Callable[[PixelObservation], None]
Handler = Callable[["Route", "Request"], Awaitable[None]]
Parser = Callable[[str, str, str | None, str, float], PixelObservation | None]


class PixelCapture:
    """Records Pixel requests from any number of attached pages, in the order they were sent."""

    def __init__(
        self, fbevents_js: str | Path | None = None, *, parser: Parser | None = None
    ) -> None:
        self._stub_path = Path(fbevents_js) if fbevents_js is not None else FBEVENTS_STUB
        self._stub: bytes | None = None
        self._parser: Parser = parser or parse_pixel_request
        self._listeners: list[Listener] = []
        # Condition binds to the running loop on first use (3.10+), not here.
        self._changed = asyncio.Condition()
        self.observations: list[PixelObservation] = []
        self.unparsed: list[str] = []  # pixel URLs we could not read (kept for diagnostics)
        self._pages: list[Page] = []
        # (does this URL match?, how to answer it), first match wins.
        self._handlers: list[tuple[Callable[[str], object], Handler]] = [
            (FBEVENTS_URL.match, self._answer_fbevents),
            (is_pixel_request, self._answer_pixel),  # /tr, /tr/ and the privacy-sandbox twin
        ]

    # -- wiring ------------------------------------------------------------------------------
    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def attach(self, page: Page) -> None:
        """Route Meta's endpoints on `page`; safe to call once per page."""
        if page in self._pages:
            return
        if self._stub is None:
            try:
                self._stub = self._stub_path.read_bytes()
            except OSError as exc:
                raise FileNotFoundError(
                    f"fbevents.js stand-in not readable at {self._stub_path}: {exc.strerror}"
                ) from None
        await page.route(META_HOSTS, self._handle)
        self._pages.append(page)

    async def detach(self, page: Page) -> None:
        if page not in self._pages:
            return
        self._pages.remove(page)
        if not page.is_closed():
            await page.unroute(META_HOSTS, self._handle)

    def clear(self) -> None:
        self.observations.clear()
        self.unparsed.clear()

    # -- waiting -----------------------------------------------------------------------------
    async def wait_for(
        self, predicate: Callable[[PixelObservation], bool], timeout_s: float
    ) -> PixelObservation:
        """The first observation (past or future) matching `predicate`; TimeoutError if none."""
        condition = self._changed

        def found() -> PixelObservation | None:
            return next((o for o in self.observations if predicate(o)), None)

        async with condition:
            await asyncio.wait_for(condition.wait_for(lambda: found() is not None), timeout_s)
        result = found()
        assert result is not None
        return result

    # -- route handlers ----------------------------------------------------------------------
    async def _handle(self, route: Route, request: Request) -> None:
        url = request.url
        for matches, handler in self._handlers:
            if matches(url):
                try:
                    await handler(route, request)
                except Exception:  # a page closing mid-request must not break the capture
                    logger.debug("could not answer %s", url.split("?")[0], exc_info=True)
                return
        # Any other Meta endpoint: answered locally and empty; nothing goes to Meta.
        try:
            await route.fulfill(status=204, body=b"")
        except Exception:
            logger.debug("could not answer %s", url.split("?")[0], exc_info=True)

    async def _answer_fbevents(self, route: Route, request: Request) -> None:
        await route.fulfill(
            status=200,
            body=self._stub or b"",
            headers={"Content-Type": "application/javascript", "Cache-Control": "no-store"},
        )

    async def _answer_pixel(self, route: Route, request: Request) -> None:
        try:
            post_data = request.post_data
        except (UnicodeDecodeError, ValueError):
            post_data = None
        observation = self._parser(
            request.url, request.method, post_data, request.resource_type, time.time()
        )
        if observation is None:
            self.unparsed.append(request.url[:200])
            logger.info("unreadable Pixel request (%s %s)", request.method, request.resource_type)
        else:
            await self._record(observation)
        if request.method == "GET":
            await route.fulfill(
                status=200,
                body=PIXEL_GIF,
                headers={"Content-Type": "image/gif", "Cache-Control": "no-store"},
            )
        else:
            await route.fulfill(status=200, body=b"", headers={"Content-Type": "text/plain"})

    async def _record(self, observation: PixelObservation) -> None:
        self.observations.append(observation)
        logger.debug(
            "pixel %s eid=%s pixel_id=%s",
            observation.event_name,
            observation.event_id,
            observation.pixel_id,
        )
        for listener in list(self._listeners):
            try:
                listener(observation)
            except Exception:
                logger.exception("pixel capture listener failed")
        async with self._changed:
            self._changed.notify_all()
