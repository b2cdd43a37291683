"""`pixelbridge snippet --config FILE [--relay-url URL] [--external URL]`: print the snippet.

One `<script>` element to paste into the site's `<head>`: self-contained (runtime and rules
inline) by default, or a small loader for a runtime hosted at `--external` (write that file with
`--write-runtime PATH`). `--shopify` prints the Shopify Custom Pixel instead.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from desktop_app.errors import UsageError
from desktop_app.tagger.config import load_config
from desktop_app.tagger.shopify import render_custom_pixel
from desktop_app.tagger.snippet import hosted_runtime, render_snippet

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "snippet",
        help="print the site snippet for a tag config",
        description="Print the <script> element to paste into your site's <head>. It loads the "
        "Meta Pixel (unless one is already on the page), fires your tag rules and sends a "
        "server copy of each event to the relay with the same event_id.",
    )
    parser.add_argument("--config", required=True, metavar="FILE", help="tag config JSON file")
    parser.add_argument(
        "--relay-url",
        metavar="URL",
        help="relay events URL (default: relay_url from the config), e.g. "
        "https://relay.example.com/v1/events",
    )
    parser.add_argument(
        "--external",
        metavar="URL",
        help="print a loader for a runtime hosted at URL instead of inlining it",
    )
    parser.add_argument(
        "--shopify",
        action="store_true",
        help="print the Shopify Custom Pixel (Settings → Customer events) instead: Shopify's "
        "checkout cannot be tagged with the site snippet",
    )
    parser.add_argument(
        "--write-runtime",
        metavar="PATH",
        type=Path,
        help="with --external: also write the runtime file to host at that URL",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    relay_url = args.relay_url or config.relay_url
    if not relay_url:
        raise UsageError(
            f"{args.config}: no relay_url in the config; pass --relay-url "
            "(e.g. https://relay.example.com/v1/events)"
        )
    if not relay_url.startswith(("http://", "https://")):
        raise UsageError(f"--relay-url must start with http:// or https://, got {relay_url!r}")
    if args.write_runtime and not args.external:
        raise UsageError("--write-runtime needs --external URL (where you will host the file)")
    if args.shopify:
        if args.external:
            raise UsageError("--shopify and --external cannot be combined")
        print(render_custom_pixel(config, relay_url))
        return 0
    print(render_snippet(config, relay_url, external=args.external))
    if args.write_runtime:
        args.write_runtime.write_text(hosted_runtime(), encoding="utf-8")
        logger.info("runtime written to %s", args.write_runtime)
    return 0
