"""`pixelbridge locate URL CSS`: the locator bundle the tagger would store for an element.

Opens the page in headless Chromium, takes the first element CSS selects (CSS as Playwright
reads it, so it reaches into open shadow roots) and prints up to three plain CSS selectors,
best first, each unique in the element's own document or shadow root, with its text and role.
Exit 1 when CSS selects nothing or the page cannot be opened.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from typing import Any

from desktop_app.errors import UsageError

logger = logging.getLogger(__name__)

NOTHING_SELECTED = 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "locate",
        help="print the stable selectors the tagger would store for an element",
        description="Open URL in headless Chromium and print the locator bundle for the first "
        "element CSS selects: up to three plain CSS selectors (best first, each unique in the "
        "element's own document or shadow root), its text and role, and how many elements "
        "each selector matches. CSS is read as Playwright reads it, so it reaches into open "
        "shadow roots. Exit 1 when CSS selects nothing.",
    )
    parser.add_argument("url", help="page to open, e.g. https://shop.example/product/hoodie")
    parser.add_argument("css", help="CSS selector of the element, e.g. 'button.single_add_to_cart'")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument(
        "--wait",
        type=float,
        default=2.0,
        help="seconds to wait for the element to appear after load (default 2)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not args.url.startswith(("http://", "https://", "file://")):
        raise UsageError(f"URL must start with http:// or https://, not {args.url!r}")
    if args.wait < 0:
        raise UsageError("--wait must not be negative")
    result, problem = asyncio.run(locate(args.url, args.css, wait_s=args.wait))
    if result is None:
        print(f"pixelbridge: {problem}", file=sys.stderr)
        return NOTHING_SELECTED
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_text(result))
    return 0


async def locate(url: str, css: str, *, wait_s: float = 2.0) -> tuple[dict[str, Any] | None, str]:
    """The bundle JSON for the first element `css` selects, or (None, why not)."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    from desktop_app.services.chromium import launch_headless
    from desktop_app.services.page_locator import (
        bundle_for_handle,
        ensure_locator,
        own_root_counts,
    )

    async with async_playwright() as pw:
        browser = await launch_headless(pw)
        try:
            page = await browser.new_page()
            try:
                await page.goto(url, wait_until="load")
            except PlaywrightError as exc:
                return None, f"cannot open {url}: {str(exc).splitlines()[0]}"
            elements = page.locator(css)
            try:
                await elements.first.wait_for(state="attached", timeout=wait_s * 1000)
            except PlaywrightError as exc:
                if "Unexpected token" in str(exc) or "not a valid selector" in str(exc):
                    raise UsageError(f"not a valid CSS selector: {css}") from None
                return None, f"{css!r} selects nothing on {url}"
            selected = await elements.count()
            handle = await elements.first.element_handle()
            await ensure_locator(page.main_frame)
            frame = await handle.owner_frame()
            if frame is not None:
                await ensure_locator(frame)
            bundle = await bundle_for_handle(handle)
            matches = await own_root_counts(handle, bundle.selectors)
        finally:
            await browser.close()
    result = {
        "selectors": bundle.selectors,
        "text": bundle.text,
        "role": bundle.role,
        "matches": matches,
        "name": bundle.name,
        "tag": bundle.tag,
        "kinds": bundle.kinds,
        "in_shadow": bundle.in_shadow,
        "selected": selected,
    }
    return result, ""


def format_text(result: dict[str, Any]) -> str:
    lines = ["Selectors (best first):"]
    if not result["selectors"]:
        lines.append("  (none is unique: add an id or a data-testid to this element)")
    for index, (css, count) in enumerate(zip(result["selectors"], result["matches"], strict=True)):
        lines.append(f"  {index + 1}. {css}    matches {count}")
    lines.append(f"Text: {result['text'] or '(none)'}")
    lines.append(f"Role: {result['role'] or '(none)'}")
    if result["in_shadow"]:
        lines.append("Inside a shadow root: selectors are relative to that root.")
    if result["selected"] > 1:
        lines.append(f"Note: CSS selects {result['selected']} elements; this is the first.")
    return "\n".join(lines)
