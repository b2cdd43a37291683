"""The in-page locator (`resources/tagger/locator.js`) seen from Python: inject it, get an
element's bundle, count selector matches. Qt-free; used by `PickerService` and `locate`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from desktop_app.resources import resource_path
from desktop_app.tagger.locators import LocatorBundle, bundle_from_page

if TYPE_CHECKING:
    from playwright.async_api import ElementHandle, Frame

logger = logging.getLogger(__name__)


@cache
def locator_script() -> str:
    return resource_path("tagger", "locator.js").read_text(encoding="utf-8")


@cache
def picker_script() -> str:
    return locator_script() + "\n" + resource_path("tagger", "picker.js").read_text("utf-8")


@dataclass(frozen=True, slots=True)
class MatchCount:
    per_selector: list[int]  # -1 for an invalid selector
    total: int  # distinct elements matched by any selector (what the runtime would react to)
    text_matches: int = 0  # used only when no selector matches anything


async def ensure_locator(frame: Frame) -> None:
    """Make `__pixelbridgeLocator` exist in `frame` (idempotent)."""
    if not await frame.evaluate("() => !!window.__pixelbridgeLocator"):
        await frame.evaluate(locator_script())


async def bundle_for_handle(handle: ElementHandle) -> LocatorBundle:
    raw: dict[str, Any] = await handle.evaluate("el => window.__pixelbridgeLocator.bundle(el)")
    return bundle_from_page(raw)


async def own_root_counts(handle: ElementHandle, selectors: list[str]) -> list[int]:
    """How many elements each selector selects in the element's own document or shadow root."""
    counts: list[int] = await handle.evaluate(
        """(el, sels) => sels.map((s) => {
             try { return el.getRootNode().querySelectorAll(s).length; } catch (e) { return -1; }
           })""",
        selectors,
    )
    return counts
