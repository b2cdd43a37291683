"""`pixelbridge sandbox`: run the local Meta Graph API stand-in until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import Any

from desktop_app.errors import UsageError

logger = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run the local Meta sandbox (answers like the Graph API)",
        description="Serve a local stand-in for Meta's Conversions API on loopback: "
        "POST /vNN.N/{pixel_id}/events answers like Meta, GET /_sandbox/events lists what "
        "was accepted, POST /_sandbox/faults scripts errors. Prints 'listening on URL' first.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=0, help="port to listen on (default 0: a free port)"
    )
    parser.add_argument(
        "--token",
        default=None,
        help="the only access token to accept (default: any non-empty token)",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="delay every Graph answer by this many milliseconds, like a distant Meta (default 0)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}")
    if not 0 <= args.latency_ms <= 60_000:
        raise UsageError(f"--latency-ms must be between 0 and 60000, not {args.latency_ms:g}")
    return asyncio.run(_serve(args.host, args.port, args.token, args.latency_ms / 1000))


async def _serve(host: str, port: int, token: str | None, latency_s: float) -> int:
    from desktop_app.services.http_server import ServerStartError
    from desktop_app.services.sandbox import MetaSandbox

    sandbox = MetaSandbox(token=token, latency_s=latency_s)
    try:
        url = await sandbox.start(host=host, port=port)
    except ServerStartError as exc:
        print(f"pixelbridge: error: {exc}", file=sys.stderr)
        return 1
    print(f"listening on {url}", flush=True)
    if host not in LOOPBACK_HOSTS:
        # A stand-in for Meta with no real auth: say so when it is reachable from outside.
        print(f"warning: the sandbox is reachable from the network on {host}", file=sys.stderr)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        # Handlers stay until the server is down: a second signal (e.g. `timeout` signals
        # the child and then its group) must not interrupt the shutdown.
        await sandbox.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    return 0
