"""`pixelbridge demo`: the whole path on this computer — sandbox, relay, demo shop, Pixel.

With a display (and without `--headless`) the desktop app opens on the demo. Headless (asked
for, or no display on Linux) it walks the shop in a headless Chromium, prints the Pixel and
server events side by side, and exits 0 only if every demo conversion is counted once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.errors import UsageError

if TYPE_CHECKING:
    from desktop_app.capi.dedup import Pair
    from desktop_app.services.demo import DemoCustomer, ProgressCallback

logger = logging.getLogger(__name__)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the built-in demo shop end to end (Pixel + Conversions API, all local)",
        description="Start the Meta sandbox, the relay and the built-in demo shop on loopback, "
        "shop once (ViewContent, AddToCart, InitiateCheckout, Purchase) and show the Pixel and "
        "server events side by side. Headless when asked or when there is no display; exits 0 "
        "only if every demo conversion is deduplicated.",
    )
    parser.add_argument(
        "--headless", action="store_true", help="no window: print the table to stdout"
    )
    parser.add_argument("--report", type=Path, metavar="PATH", help="write the pairs as JSON")
    parser.add_argument(
        "--screenshot", type=Path, metavar="PATH", help="write a PNG of the app window"
    )
    parser.add_argument("--email", default=None, help="the demo customer's email")
    parser.add_argument("--phone", default=None, help="the demo customer's phone number")
    parser.set_defaults(handler=run)


def has_display() -> bool:
    """False on a Linux machine without X11 or Wayland (servers, CI): the demo runs headless."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _check_output_path(path: Path | None, flag: str) -> None:
    if path is None:
        return
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"{flag} {path} is a folder; give a file name")
    if not parent.is_dir():
        raise UsageError(f"{flag}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"{flag}: folder {parent} is not writable")


def _customer(args: argparse.Namespace) -> DemoCustomer:
    from desktop_app.services.demo import DemoCustomer

    default = DemoCustomer()
    email = default.email if args.email is None else args.email.strip()
    phone = default.phone if args.phone is None else args.phone.strip()
    # Checked here, so a typo is one line and exit 2, not a demo with a rejected field.
    if not _EMAIL.fullmatch(email):
        raise UsageError("--email must look like name@example.com")
    if sum(ch.isdigit() for ch in phone) < 7:
        raise UsageError("--phone must have at least 7 digits, e.g. +44 20 7946 0958")
    return DemoCustomer(email=email, phone=phone)


def run(args: argparse.Namespace) -> int:
    customer = _customer(args)
    _check_output_path(args.report, "--report")
    _check_output_path(args.screenshot, "--screenshot")
    if not args.headless and has_display():
        try:
            from desktop_app.app import run_desktop
        except ImportError as exc:
            logger.warning("desktop app unavailable (%s); running the demo headless", exc)
        else:
            args.demo = True
            result: int = run_desktop(args)
            return result
    return run_headless(customer, report=args.report, screenshot=args.screenshot)


def run_headless(customer: DemoCustomer, *, report: Path | None, screenshot: Path | None) -> int:
    from desktop_app.capi.dedup import report as build_report
    from desktop_app.services.demo import DemoError, DemoProgress

    def progress(update: DemoProgress) -> None:
        if update.step == "warning":
            print(f"  ! {update.message}", file=sys.stderr, flush=True)
        elif update.step != "done":
            print(f"  · {update.message}", file=sys.stderr, flush=True)

    try:
        pairs, context = asyncio.run(_walk(customer, progress))
    except DemoError as exc:
        print(f"pixelbridge: demo failed: {exc}", file=sys.stderr)
        return 1
    from desktop_app.commands.demo_table import (
        all_demo_events_counted_once,
        format_table,
        ordered,
    )

    print(format_table(pairs, context), flush=True)
    status = 0 if all_demo_events_counted_once(pairs) else 1
    if report is not None:
        data = build_report(pairs, source="demo", **context)
        try:
            report.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        except OSError as exc:
            print(f"pixelbridge: error: cannot write {report}: {exc.strerror}", file=sys.stderr)
            status = 1
    if screenshot is not None:
        try:
            from desktop_app.views.screenshot import render_demo_screenshot

            render_demo_screenshot(ordered(pairs), screenshot)
        except Exception as exc:  # Qt missing or no offscreen platform: say so, keep the table
            logger.debug("screenshot failed", exc_info=True)
            print(f"pixelbridge: error: no screenshot written: {exc}", file=sys.stderr)
            status = 1
    return status


async def _walk(
    customer: DemoCustomer, progress: ProgressCallback
) -> tuple[list[Pair], dict[str, Any]]:
    from desktop_app.services.browser import BrowserStartError, HeadlessBrowser
    from desktop_app.services.demo import DemoError, DemoRun
    from desktop_app.services.http_server import ServerStartError

    demo = DemoRun(customer, on_progress=progress)
    try:
        try:
            shop_url = await demo.start()
        except ServerStartError as exc:
            raise DemoError(str(exc)) from exc
        except (OSError, sqlite3.Error) as exc:  # e.g. the data folder is not writable
            logger.debug("demo start failed", exc_info=True)
            raise DemoError(f"could not start the demo services: {exc}") from exc
        try:
            async with HeadlessBrowser() as browser:
                page = await browser.new_page()
                pairs = await demo.walk(page)
        except BrowserStartError as exc:
            raise DemoError(f"Chromium did not start: {exc}") from exc
        context = {"shop_url": shop_url, "test_event_code": demo.test_event_code}
        return pairs, context
    finally:
        await demo.stop()
