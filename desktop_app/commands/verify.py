"""`pixelbridge verify URL --config FILE`: does every conversion on the live site count once?

Opens the site in headless Chromium, optionally injects the snippet (`--inject`, for a site
not yet installed: a relay of its own then delivers to `--graph-url`, by default the built-in
Meta sandbox), replays a recorded journey, captures the Pixel and the server copies, waits for
the deliveries and prints the verdicts. Exit status: 0 when every conversion is counted exactly
once, 1 otherwise (also when no conversion was seen), 2 for unusable input, 3 when the check
itself could not run (no Chromium, site unreachable, a journey step failed). Made for cron:
see docs/verify.md.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from desktop_app.commands.pair import add_output_arguments, check_output_path, finish
from desktop_app.errors import UsageError

logger = logging.getLogger(__name__)

EXIT_CHECK_FAILED = 3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="open a site headless, capture Pixel and server events, give dedup verdicts",
        description="Open URL in a headless Chromium, optionally inject the PixelBridge snippet, "
        "replay a recorded journey, capture the Meta Pixel requests and the server (CAPI) "
        "copies, and say for each conversion whether Meta counts it once. Exits 0 when every "
        "conversion is counted exactly once, 1 otherwise, 2 for bad input, 3 when the check "
        "could not run.",
    )
    parser.add_argument("url", help="the page to open, e.g. https://shop.example/")
    parser.add_argument(
        "--config", type=Path, required=True, metavar="FILE", help="the tag config (JSON)"
    )
    parser.add_argument(
        "--journey",
        type=Path,
        metavar="FILE",
        help='steps to replay: {"steps":[{"action":"goto|click|fill|wait",...}]}',
    )
    parser.add_argument(
        "--inject",
        action="store_true",
        help="inject the snippet into the page and run a relay for it (site not yet installed)",
    )
    parser.add_argument(
        "--graph-url",
        metavar="URL",
        help="with --inject: where the relay sends (default: the built-in Meta sandbox)",
    )
    parser.add_argument(
        "--relay-url",
        metavar="URL",
        help="without --inject: the site's relay to read deliveries from "
        "(default: relay.url of the config)",
    )
    parser.add_argument(
        "--test-event-code", metavar="CODE", help="with --inject: send with this test code"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="how long to stay on the last page for events to fire (default 3)",
    )
    parser.add_argument(
        "--delivery-timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="how long to wait for the server copies (default 20)",
    )
    add_output_arguments(parser)
    parser.set_defaults(handler=run)


def _settings(args: Any, config: Any) -> Any:
    from desktop_app.services.journey import load_journey
    from desktop_app.services.verify import VerifySettings

    if not args.url.startswith(("http://", "https://")):
        raise UsageError("URL must start with http:// or https://")
    if args.graph_url and not args.inject:
        raise UsageError("--graph-url only applies with --inject")
    if not 0 <= args.settle <= 600 or not 0 < args.delivery_timeout <= 3600:
        raise UsageError("--settle must be 0–600 s and --delivery-timeout 1–3600 s")
    token_provider = None
    if args.inject and args.graph_url:
        from desktop_app.services.token_store import token_provider as stored_token

        token_provider = stored_token(config.pixel_id)
        if not token_provider():
            raise UsageError(
                f"--graph-url: no access token for pixel {config.pixel_id}; store one in the "
                "desktop app or set PIXELBRIDGE_ACCESS_TOKEN"
            )
    return VerifySettings(
        url=args.url,
        inject=args.inject,
        graph_url=args.graph_url,
        relay_url=args.relay_url,
        journey=load_journey(args.journey) if args.journey else None,
        settle_s=args.settle,
        delivery_timeout_s=args.delivery_timeout,
        test_event_code=args.test_event_code,
        token_provider=token_provider,
    )


def run(args: Any) -> int:
    from desktop_app.tagger.config import load_config

    check_output_path(args.report, "--report")
    check_output_path(args.html, "--html")
    config = load_config(args.config)
    settings = _settings(args, config)
    try:
        result = asyncio.run(_verify(config, settings, quiet=args.quiet))
    except UsageError:
        raise
    except Exception as exc:  # the check itself failed: say why in one line, exit 3
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"pixelbridge verify: could not check {args.url}: {message}", file=sys.stderr)
        logger.debug("verify failed", exc_info=True)
        return EXIT_CHECK_FAILED
    for note in result.notes:
        print(f"pixelbridge verify: {note}", file=sys.stderr)
    for problem in result.problems:
        print(f"pixelbridge verify: {problem}", file=sys.stderr)
    return finish(result.pairs, result.report(), args, title=f"PixelBridge verify: {args.url}")


async def _verify(config: Any, settings: Any, *, quiet: bool) -> Any:
    from desktop_app.services.verify import VerifyJob

    def progress(message: str) -> None:
        if not quiet:
            print(f"· {message}", file=sys.stderr)

    return await VerifyJob(config, settings, on_progress=progress).run()
