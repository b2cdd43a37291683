"""`pixelbridge relay`: the relay alone, headless, as on a server (see docs/deploy.md).

The access token comes from `PIXELBRIDGE_ACCESS_TOKEN` or the OS keyring, never from a flag
(flags end up in shell history and `ps`). Logs are JSON lines on stderr; the first stdout
line is `listening on URL`, printed only once the port accepts connections. SIGTERM/SIGINT
stop accepting, let the request in flight finish and be recorded, then exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from desktop_app.errors import UsageError

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "relay",
        help="run the relay (site events → hashed → Meta Conversions API)",
        description="Receive event mirrors from the install snippet, hash customer data, store "
        "them durably and deliver them to Meta's Conversions API (or the sandbox with "
        "--graph-url). The access token is read from PIXELBRIDGE_ACCESS_TOKEN or the OS "
        "keyring (entry 'PixelBridge' / pixel id). Prints 'listening on URL' first.",
    )
    parser.add_argument("--config", required=True, help="the tag config JSON (pixel id, site)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: a free port)")
    parser.add_argument(
        "--graph-url", default=None, help="Graph API base URL (default Meta's; a sandbox URL)"
    )
    parser.add_argument(
        "--test-event-code", default=None, help="send to Events Manager → Test Events"
    )
    parser.add_argument(
        "--data-dir", default=None, help="where the outbox lives (default: the app data dir)"
    )
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="IP",
        help="honour X-Forwarded-For from this proxy address (repeatable; default none)",
    )
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="HOST",
        help="another Host header to accept (repeatable; relay_url's host is accepted)",
    )
    parser.add_argument(
        "--timeout", type=float, default=5.0, help="seconds per Graph request (default 5)"
    )
    parser.add_argument(
        "--durability",
        choices=("full", "process"),
        default="full",
        help="full (default): fsync every commit, nothing acknowledged is lost even on power "
        "loss; process: survives relay crashes and kill -9 but not an OS crash, faster",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from desktop_app.services import logs
    from desktop_app.tagger.config import load_config

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}")
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    config = load_config(args.config)
    logs.configure(verbose=getattr(args, "verbose", False), json_lines=True)
    logging.getLogger("desktop_app").setLevel(logging.INFO)
    return asyncio.run(_serve(args, config))


async def _serve(args: argparse.Namespace, config: Any) -> int:
    from desktop_app.capi.graph_api import DEFAULT_GRAPH_URL
    from desktop_app.services import token_store
    from desktop_app.services.http_server import ServerStartError
    from desktop_app.services.outbox import OutboxLockedError
    from desktop_app.services.paths import AppPaths
    from desktop_app.services.relay import RelayService, RelaySettings

    settings = RelaySettings(
        host=args.host,
        port=args.port,
        graph_url=args.graph_url or DEFAULT_GRAPH_URL,
        test_event_code=args.test_event_code,
        data_dir=Path(args.data_dir) if args.data_dir else AppPaths.default().data / "relay",
        timeout_s=args.timeout,
        trusted_proxies=list(args.trusted_proxy),
        extra_hosts=list(args.allowed_host),
        durability=args.durability,
    )
    try:
        settings.app_secret = token_store.get_app_secret(config.pixel_id)
    except token_store.TokenStoreError:
        settings.app_secret = None
    provider = token_store.token_provider(config.pixel_id)
    if provider() is None:
        logger.warning(
            "no access token for pixel %s: events are stored and sent once one is set "
            "(PIXELBRIDGE_ACCESS_TOKEN or the keyring)",
            config.pixel_id,
        )
    relay = RelayService(config, settings, provider)
    try:
        url = await relay.start()
    except (ServerStartError, OutboxLockedError) as exc:
        print(f"pixelbridge: error: {exc}", file=sys.stderr)
        return 1
    print(f"listening on {url}", flush=True)
    # Everything alive now (modules, phone and country tables, the app) lives as long as the
    # process: taking it out of the cyclic collector's view makes each collection scan only
    # what requests allocate (https://docs.python.org/3/library/gc.html#gc.freeze).
    gc.freeze()
    logger.info(
        "relay ready",
        extra={"fields": {"url": url, "pixel_id": config.pixel_id, "graph": settings.graph_url}},
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
        logger.info("shutting down: finishing the request in flight")
    finally:
        await relay.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    logger.info("relay stopped")
    return 0
