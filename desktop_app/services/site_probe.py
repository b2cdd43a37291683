"""Open a page headless and read what detection needs: platform signals, Pixel ids, and the
events the page already sends to the Pixel on its own.

Meta's endpoints are answered locally while probing (fbevents.js by our stand-in, /tr by an
empty GIF), so probing a live site never sends a real event to anyone's Pixel.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from playwright.async_api import Page, Request, Route
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from desktop_app.tagger.platforms import PageFacts, detect_platform, probe_inputs
from desktop_app.tagger.presets import preset_for
from desktop_app.tagger.snippet import FBEVENTS_STUB_PATH, RESOURCES_DIR

logger = logging.getLogger(__name__)

PIXEL_RE = re.compile(r"^https://www\.facebook\.com/tr/?(\?|$)")
FBEVENTS_RE = re.compile(r"^https://connect\.facebook\.net/[^/]+/fbevents\.js")
PAGE_FACTS_JS = RESOURCES_DIR / "snippet" / "page_facts.js"
_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b"
)


def _facts_script() -> str:
    lines = PAGE_FACTS_JS.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("//"))


class MetaStub:
    """Answers Meta's endpoints on one page and notes every Pixel request the page makes.

    Attached once per page (the setup wizard keeps its page for several probes); `seen` holds
    (pixel id, event name) of the requests since the last `clear()`.
    """

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.page: Page | None = None

    async def attach(self, page: Page) -> None:
        if self.page is page:
            return
        await page.route(PIXEL_RE, self._on_pixel)
        await page.route(FBEVENTS_RE, self._on_fbevents)
        self.page = page

    async def _on_pixel(self, route: Route, request: Request) -> None:
        params = dict(parse_qsl(urlsplit(request.url).query))
        if request.post_data:
            params.update(parse_qsl(request.post_data))
        if params.get("id") and params.get("ev"):
            self.seen.append((params["id"], params["ev"]))
        await route.fulfill(status=200, content_type="image/gif", body=_GIF)

    async def _on_fbevents(self, route: Route, request: Request) -> None:
        await route.fulfill(
            status=200, content_type="application/javascript", path=str(FBEVENTS_STUB_PATH)
        )


async def probe_page(
    page: Page, url: str, *, settle_ms: int = 1500, stub: MetaStub | None = None
) -> PageFacts:
    """Load `url` in `page` and return its facts (platform signals, Pixel ids, native events).

    `stub`: the page's `MetaStub` when it is reused for several probes (else one is attached).
    """
    if stub is None:
        stub = MetaStub()
    await stub.attach(page)
    stub.seen.clear()
    response = await page.goto(url, wait_until="load")
    try:
        # Bounded wait for late scripts (tag managers, plugins) to fire their events.
        await page.wait_for_load_state("networkidle", timeout=settle_ms)
    except PlaywrightTimeoutError:  # a busy page is still probed as it is
        logger.debug("page %s still busy after %d ms", url, settle_ms)
    raw: dict[str, Any] = await page.evaluate(_facts_script(), probe_inputs())
    facts = PageFacts.from_json(raw)
    if response is not None:
        facts.headers = {k.lower(): v for k, v in (await response.all_headers()).items()}
    seen = list(stub.seen)
    ids = list(dict.fromkeys([*facts.pixel_ids, *(pid for pid, _ in seen)]))
    facts.pixel_ids = ids
    facts.native_events = list(dict.fromkeys(ev for _, ev in seen))
    return facts


def detection_report(facts: PageFacts) -> dict[str, Any]:
    """The `pixelbridge detect --json` document."""
    detection = detect_platform(facts)
    return {
        "url": facts.url,
        "platform": detection.platform,
        "evidence": detection.evidence,
        "pixel_ids": facts.pixel_ids,
        "native_events": facts.native_events,
        "preset": preset_for(detection.platform, facts.native_events),
    }


async def detect_site(url: str, timeout_s: float = 30.0) -> dict[str, Any]:
    """Open `url` in a fresh headless Chromium and return `detection_report` for it."""
    from playwright.async_api import async_playwright

    from desktop_app.services.chromium import launch_headless

    async with async_playwright() as pw:
        browser = await launch_headless(pw)
        try:
            page = await browser.new_page()
            page.set_default_navigation_timeout(timeout_s * 1000)
            facts = await probe_page(page, url)
        finally:
            await browser.close()
    return detection_report(facts)
