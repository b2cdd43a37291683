"""Shared pieces for the workspace tests: a demo shop with a Pixel on it, and the sandbox."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from desktop_app.services.demo_site import DemoSiteServer
from desktop_app.services.sandbox import MetaSandbox
from desktop_app.tagger.config import parse_config
from desktop_app.tagger.snippet import RESOURCES_DIR, render_snippet

SHOP_PIXEL = json.loads((RESOURCES_DIR / "demo_site" / "tags.json").read_text())["pixel_id"]
TOKEN = "EAAworkspacetest" + "Q7" * 20  # the shape of a real token, so redaction would fire


@dataclass
class World:
    sandbox: MetaSandbox
    shop: DemoSiteServer

    @property
    def graph_url(self) -> str:
        return self.sandbox.url


@asynccontextmanager
async def world(sandbox_token: str | None = None) -> AsyncIterator[World]:
    """The sandbox (as Meta) and the demo shop with PixelBridge's snippet on every page."""
    sandbox = MetaSandbox(token=sandbox_token)
    await sandbox.start()
    data = json.loads((RESOURCES_DIR / "demo_site" / "tags.json").read_text())
    snippet = render_snippet(parse_config(data), "http://127.0.0.1:9/v1/events")
    shop = DemoSiteServer(snippet)
    await shop.start()
    try:
        yield World(sandbox, shop)
    finally:
        await shop.stop()
        await sandbox.stop()


async def wait_for(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    """Poll `condition` on the running loop (never a nested Qt loop) until true or timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


def files_containing(root: Path, needle: str) -> list[Path]:
    data = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and data in p.read_bytes()]
