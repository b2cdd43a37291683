"""Pick mode on any Playwright `Page`: the headless Chromium of tests and jobs, or the desktop
app's QWebEngineView page reached over CDP. Qt-free.

`attach(page)` exposes two bindings and injects `resources/tagger/locator.js` + `picker.js`
with `add_init_script` (so they survive reloads and navigations) and into the current document.
In-page helpers (scripts, bundles of an element handle) live in `page_locator.py`.
`start(mode)` turns the overlay on in the top frame and every same-origin frame; each click
arrives as a `Pick` through listeners and an async queue. The service also counts a rule's
live matches and offers the most similar element when a rule no longer matches (rule repair).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from desktop_app.services.page_locator import (
    MatchCount,
    bundle_for_handle,
    ensure_locator,
    picker_script,
)
from desktop_app.tagger.fingerprint import Fingerprint, RepairMatch, best_match
from desktop_app.tagger.locators import (
    LocatorBundle,
    UrlPattern,
    bundle_from_page,
    classify_field,
    parse_price,
    suggest_url_pattern,
)

if TYPE_CHECKING:
    from playwright.async_api import Frame, Page

logger = logging.getLogger(__name__)

PICK_BINDING = "__pixelbridgePick"
LEFT_BINDING = "__pixelbridgePickerLeft"
MODES = ("element", "value", "field")

CROSS_ORIGIN_REASON = (
    "This part of the page comes from another site ({origin}) and cannot be tagged: the browser "
    "keeps another site's frame sealed off, so the snippet on your page cannot see clicks inside "
    "it. Use that service's own Meta integration or its thank-you page instead."
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(slots=True)
class Pick:
    """One thing the owner pointed at."""

    mode: str  # element | value | field | page
    url: str
    title: str = ""
    bundle: LocatorBundle | None = None
    blocked_reason: str | None = None  # set when the target cannot be tagged (cross-origin frame)
    frame_url: str | None = None  # same-origin iframe the element lives in
    frame_selectors: list[str] = field(default_factory=list)
    whole_form: bool = False
    field_kind: str | None = None  # "field" mode: email, phone, first_name…
    price: tuple[float, str | None] | None = None  # "value" mode: parsed page text
    url_pattern: UrlPattern | None = None  # "page" mode
    page_ms: int | None = None  # page clock when clicked (for latency measurements)

    @property
    def ok(self) -> bool:
        return self.blocked_reason is None and (self.mode == "page" or bool(self.bundle))


PickListener = Callable[[Pick], None]


class PickerService:
    """Owns pick mode on one page at a time."""

    def __init__(self) -> None:
        self._page: Page | None = None
        self._mode: str | None = None
        self._listeners: list[PickListener] = []
        self._left_listeners: list[Callable[[], None]] = []
        self._queue: asyncio.Queue[Pick] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._sticky = False

    @property
    def mode(self) -> str | None:
        return self._mode

    @property
    def page(self) -> Page | None:
        return self._page

    def add_listener(self, callback: PickListener) -> None:
        self._listeners.append(callback)

    def add_left_listener(self, callback: Callable[[], None]) -> None:
        """Called when the owner presses Esc in the page."""
        self._left_listeners.append(callback)

    async def attach(self, page: Page) -> None:
        self._page = page
        await page.expose_binding(PICK_BINDING, self._on_binding)
        await page.expose_binding(LEFT_BINDING, self._on_left)
        await page.add_init_script(script=picker_script())
        for frame in page.frames:
            await self._inject(frame)
        page.on("framenavigated", self._on_navigated)

    async def _inject(self, frame: Frame) -> None:
        try:
            if not await frame.evaluate("() => !!window.__pixelbridgePicker"):
                await frame.evaluate(picker_script())
        except Exception as exc:  # detached or cross-origin-navigating frame: nothing to do
            logger.debug("picker injection skipped in %s: %s", frame.url, exc)

    def _same_origin(self, frame: Frame) -> bool:
        assert self._page is not None
        return _origin(frame.url) == _origin(self._page.main_frame.url)

    async def start(self, mode: str = "element", *, sticky: bool = False) -> None:
        """Turn pick mode on. One click ends it unless `sticky` (then only Esc or `stop()`)."""
        if mode not in MODES:
            raise ValueError(f"unknown pick mode {mode!r}; use one of {', '.join(MODES)}")
        if self._page is None:
            raise RuntimeError("attach a page first")
        self._mode = mode
        self._sticky = sticky
        await asyncio.gather(*(self._start_in(f) for f in self._page.frames))

    async def _start_in(self, frame: Frame) -> None:
        if self._mode is None:
            return
        # In a frame from another site the overlay only explains why it cannot be tagged (the
        # site's snippet could not see it either) and keeps the click from reaching it.
        mode = self._mode if self._same_origin(frame) else "blocked"
        try:
            await self._inject(frame)
            await frame.evaluate(
                "([m, s]) => window.__pixelbridgePicker.start(m, s)", [mode, self._sticky]
            )
        except Exception as exc:
            logger.debug("pick mode not started in %s: %s", frame.url, exc)

    async def stop(self) -> None:
        self._mode = None
        if self._page is None:
            return
        for frame in self._page.frames:
            try:
                await frame.evaluate("() => window.__pixelbridgePicker?.stop()")
            except Exception as exc:
                logger.debug("stop skipped in %s: %s", frame.url, exc)

    def _on_navigated(self, frame: Frame) -> None:
        # A reload or a new page starts with the overlay idle: turn it back on.
        if self._mode is None:
            return
        task = asyncio.get_running_loop().create_task(self._start_in(frame))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_left(self, source: dict[str, Any]) -> None:
        # Esc in one frame: the overlays of the other frames go too.
        task = asyncio.get_running_loop().create_task(self.stop())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._mode = None
        for callback in self._left_listeners:
            callback()

    async def _on_binding(self, source: dict[str, Any], payload: dict[str, Any]) -> None:
        frame: Frame | None = source.get("frame")
        owner_mode = self._mode
        pick = await self._make_pick(frame, payload, owner_mode)
        self._queue.put_nowait(pick)
        for callback in self._listeners:
            try:
                callback(pick)
            except Exception:
                logger.exception("pick listener failed")
        if not self._sticky:
            # One pick per request: the clicked frame's overlay already went; the others go too.
            await self.stop()

    async def _make_pick(
        self, frame: Frame | None, payload: dict[str, Any], owner_mode: str | None
    ) -> Pick:
        mode = str(payload.get("mode") or "element")
        if mode == "blocked":  # reported from a cross-origin frame: keep the owner's mode
            mode = owner_mode or "element"
        pick = Pick(
            mode=mode,
            url=str(payload.get("url") or ""),
            title=str(payload.get("title") or ""),
            whole_form=bool(payload.get("whole_form")),
            page_ms=payload.get("at"),
        )
        blocked = payload.get("blocked")
        if blocked:
            pick.blocked_reason = str(blocked.get("reason"))
            return pick
        if frame is not None and self._page is not None and frame != self._page.main_frame:
            if not self._same_origin(frame):
                pick.blocked_reason = CROSS_ORIGIN_REASON.format(origin=_origin(frame.url))
                return pick
            pick.frame_url = frame.url
            pick.frame_selectors = await self._frame_selectors(frame)
        pick.bundle = bundle_from_page(payload)
        if mode == "field":
            pick.field_kind = classify_field(pick.bundle.field_info)
        elif mode == "value":
            pick.price = parse_price(pick.bundle.text)
        return pick

    async def _frame_selectors(self, frame: Frame) -> list[str]:
        try:
            element = await frame.frame_element()
            parent = frame.parent_frame
            if parent is not None:
                await ensure_locator(parent)
            return (await bundle_for_handle(element)).selectors
        except Exception as exc:
            logger.debug("no selector for frame %s: %s", frame.url, exc)
            return []

    async def next_pick(self, timeout_s: float = 30.0) -> Pick:
        return await asyncio.wait_for(self._queue.get(), timeout_s)

    def page_pick(self) -> Pick:
        """ "This page": the current URL with a suggested URL condition."""
        if self._page is None:
            raise RuntimeError("attach a page first")
        url = self._page.url
        return Pick(mode="page", url=url, url_pattern=suggest_url_pattern(url))

    async def count_matches(self, selectors: list[str], text: str | None = None) -> MatchCount:
        """Live count of what a rule's selectors select in the top document (open shadow
        roots included), for "matches 1 element on this page"."""
        if self._page is None:
            raise RuntimeError("attach a page first")
        frame = self._page.main_frame
        await ensure_locator(frame)
        raw = await frame.evaluate("s => window.__pixelbridgeLocator.count(s)", selectors)
        text_matches = 0
        if text and raw["total"] == 0:
            text_matches = await frame.evaluate(
                "t => window.__pixelbridgeLocator.countText(null, t)", text
            )
        return MatchCount(list(raw["per_selector"]), int(raw["total"]), int(text_matches))

    async def trigger_rule(self, rule: dict[str, Any]) -> str:
        """ "Test this rule": do in the page what the rule waits for (pick mode off), so the
        snippet fires it and the capture shows the Pixel and server events. Returns what was
        done, in words."""
        if self._page is None:
            raise RuntimeError("attach a page first")
        await self.stop()
        trigger = rule.get("trigger") or {}
        kind = trigger.get("type")
        if kind == "pageview":
            await self._page.reload()
            return "Reloaded the page."
        count = await self.count_matches(list(trigger.get("selectors") or []))
        for css, hits in zip(trigger.get("selectors") or [], count.per_selector, strict=True):
            if hits < 1:
                continue
            target = self._page.locator(css).first  # Playwright's CSS reaches shadow roots
            if kind == "submit":
                await target.evaluate("f => f.requestSubmit ? f.requestSubmit() : f.submit()")
                return f"Sent the form {css}."
            await target.click()
            return f"Clicked {css}."
        if trigger.get("text"):
            await self._page.get_by_text(str(trigger["text"]), exact=True).first.click()
            return f"Clicked “{trigger['text']}” (matched by its text)."
        return "Nothing on this page matches the rule."

    async def repair(self, saved: Fingerprint) -> tuple[RepairMatch, LocatorBundle] | None:
        """The element most like `saved` on the current page, with a fresh bundle for it."""
        if self._page is None:
            raise RuntimeError("attach a page first")
        frame = self._page.main_frame
        await ensure_locator(frame)
        found: list[Fingerprint] = await frame.evaluate("() => window.__pixelbridgeLocator.scan()")
        match = best_match(saved, found)
        if match is None:
            return None
        raw = await frame.evaluate("i => window.__pixelbridgeLocator.bundleAt(i)", match.index)
        if raw is None:
            return None
        return match, bundle_from_page(raw)
