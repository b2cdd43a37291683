"""`pixelbridge token {store,status,check,forget} --pixel ID`: the access token in the keyring.

`store` reads the token from stdin (never a flag: flags end up in shell history and `ps`), so
`pixelbridge token store --pixel 123 < token.txt` or a paste followed by Ctrl-D both work.
`check` asks the Graph API (or `--graph-url`, e.g. the sandbox) and prints the plain-words
verdict from services/token_health.py; exit 0 only when the token works.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

from desktop_app.errors import UsageError

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "token",
        help="store, check or forget the Meta access token (OS keyring)",
        description="Manage the Conversions API access token for a Pixel. It lives in the OS "
        "keyring (service 'PixelBridge', account = Pixel id), never in a file.",
    )
    parser.add_argument("action", choices=("store", "status", "check", "forget"))
    parser.add_argument("--pixel", required=True, metavar="ID", help="the Pixel (dataset) id")
    parser.add_argument(
        "--graph-url", default=None, help="Graph API base URL (default Meta's; a sandbox URL)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from desktop_app.services import token_store

    pixel = str(args.pixel).strip()
    if not pixel.isdigit():
        raise UsageError(f"--pixel must be the Pixel id (digits), got {pixel!r}")
    try:
        if args.action == "store":
            token = sys.stdin.readline().strip()
            if not token:
                raise UsageError("no token on stdin: paste it, then press Enter")
            token_store.set_token(pixel, token)
            print(f"stored in the keyring for pixel {pixel}")
            return 0
        if args.action == "forget":
            removed = token_store.delete_token(pixel)
            print("removed" if removed else "no token was stored")
            return 0
        if args.action == "status":
            source = token_store.token_source(pixel)
            print(
                {"env": "from PIXELBRIDGE_ACCESS_TOKEN", "keyring": "stored in the keyring"}.get(
                    source or "", "no token"
                )
            )
            return 0 if source else 1
        return _check(pixel, args.graph_url)
    except token_store.TokenStoreError as exc:
        raise UsageError(str(exc)) from None


def _check(pixel: str, graph_url: str | None) -> int:
    from desktop_app.capi.graph_api import DEFAULT_GRAPH_URL
    from desktop_app.services import token_store
    from desktop_app.services.token_health import check_token

    result = asyncio.run(
        check_token(token_store.get_token(pixel), pixel, graph_url=graph_url or DEFAULT_GRAPH_URL)
    )
    print(result.title)
    if not result.ok:
        print(result.next_step)
    return 0 if result.ok else 1
