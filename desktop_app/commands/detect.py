"""`pixelbridge detect URL [--json]`: which platform a site runs on, what it already sends to the
Pixel, and the tag rules PixelBridge suggests for it (headless Chromium, Meta answered locally).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from typing import Any

from desktop_app.errors import UsageError

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "detect",
        help="detect a site's platform, existing Pixel and suggested rules",
        description="Open URL in a headless browser and print the platform (with its evidence), "
        "the Pixel ids and events the page already sends, and the preset tag rules. Meta's "
        "endpoints are answered locally: nothing is sent to any Pixel.",
    )
    parser.add_argument("url", help="page to inspect, e.g. https://shop.example/product/x")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="S", help="page load timeout (seconds)"
    )
    parser.set_defaults(handler=run)


async def detect(url: str, timeout_s: float = 30.0) -> dict[str, Any]:
    from desktop_app.services.site_probe import detect_site

    return await detect_site(url, timeout_s)


def format_text(report: dict[str, Any]) -> str:
    lines = [f"Platform: {report['platform'] or 'unknown (custom site)'}"]
    lines += [f"  - {item}" for item in report["evidence"]]
    lines.append(f"Pixel ids on the page: {', '.join(report['pixel_ids']) or 'none'}")
    lines.append(f"Events the page already sends: {', '.join(report['native_events']) or 'none'}")
    preset = report["preset"]
    lines.append(f"Suggested rules ({len(preset['rules'])}):")
    lines += [
        f"  {rule['id']}: {rule['event']} on {rule['trigger']['type']}" for rule in preset["rules"]
    ]
    for skipped in preset["skipped"]:
        lines.append(f"  not tagged: {skipped['event']} ({skipped['reason']})")
    lines += [f"Note: {note}" for note in preset["notes"]]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if not args.url.startswith(("http://", "https://")):
        raise UsageError(f"URL must start with http:// or https://, got {args.url!r}")
    try:
        report = asyncio.run(detect(args.url, args.timeout))
    except Exception as exc:
        if type(exc).__name__ in ("Error", "TimeoutError") and "net::" in str(exc):
            raise UsageError(f"could not open {args.url}: {str(exc).splitlines()[0]}") from None
        raise
    print(json.dumps(report, indent=2) if args.json else format_text(report))
    return 0
