"""Test bench for the site runtime: fixture pages on a real loopback server, a recording relay on
a second origin, Meta's endpoints answered by Playwright routes (regex from ARCHITECTURE.md).

Pages under `tests/tagger/sites/` carry `<!--PIXELBRIDGE-->` where the snippet goes (the way an
owner pastes it into `<head>`).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from playwright.async_api import Browser, Page, Request, Route, async_playwright
from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route as HttpRoute

from desktop_app.services.chromium import launch_headless
from desktop_app.services.http_server import LocalServer
from desktop_app.tagger.config import TagConfig, parse_config
from desktop_app.tagger.snippet import FBEVENTS_STUB_PATH, hosted_runtime, render_snippet

SITES = Path(__file__).parent / "sites"
PIXEL_RE = re.compile(r"^https://www\.facebook\.com/tr/?(\?|$)")
FBEVENTS_RE = re.compile(r"^https://connect\.facebook\.net/.*/fbevents\.js")
OFFSITE_RE = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")
PLACEHOLDER = "<!--PIXELBRIDGE-->"
GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b"
)
PIXEL_ID = "1234567890"

# The generic shop journey (sites/generic): product → cart → checkout → thank-you.
SHOP_RULES: list[dict[str, Any]] = [
    {
        "id": "vc",
        "event": "ViewContent",
        "trigger": {"type": "pageview"},
        "url": {"match": "contains", "value": "/product"},
        "params": {
            "value": {"structured": "price"},
            "currency": {"structured": "currency"},
            "content_ids": {"structured": "id"},
        },
    },
    {
        "id": "atc",
        "event": "AddToCart",
        "trigger": {"type": "click", "selectors": ["#add", "button.btn"]},
        "url": {"match": "contains", "value": "/product"},
        "params": {"value": {"selector": ".price .amount"}},
    },
    {
        "id": "ic",
        "event": "InitiateCheckout",
        "trigger": {"type": "click", "selectors": ["a.checkout-button"]},
        "url": {"match": "equals", "value": "/generic/cart.html"},
    },
    {
        "id": "buy",
        "event": "Purchase",
        "trigger": {"type": "pageview"},
        "url": {"match": "prefix", "value": "/generic/thank-you"},
        "params": {
            "order_id": {"query": "order"},
            "value": {"selector": "#order-total", "attr": "data-amount"},
            "currency": {"value": "EUR"},
        },
        # The owner pointed at a field the name-based guess cannot recognise.
        "user_fields": {"phone": "input[name=cf_7]"},
    },
]


@dataclass
class Bench:
    browser: Browser
    page: Page
    site_url: str
    relay_url: str
    pixel_hits: list[dict[str, str]] = field(default_factory=list)
    mirrors: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    config: TagConfig | None = None
    page_errors: list[str] = field(default_factory=list)
    external: bool = False  # install the loader + hosted runtime instead of the inline snippet

    def events(self, name: str | None = None) -> list[dict[str, str]]:
        """Pixel requests except PageView (owned by the base pixel), optionally one name."""
        return [
            h
            for h in self.pixel_hits
            if h["ev"] != "PageView" and (name is None or h["ev"] == name)
        ]

    def mirrored(self, name: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self.mirrors if name is None or m["event_name"] == name]

    async def wait_for(self, check: Callable[[], bool], timeout_s: float = 5.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; pixel={self.pixel_hits} mirrors={self.mirrors}")
            await asyncio.sleep(0.02)

    async def settle(self) -> None:
        """Let in-flight requests land: a round trip through the page and both servers."""
        await self.page.evaluate("() => new Promise(r => setTimeout(r, 0))")
        await asyncio.sleep(0)  # no timing assumption: callers then wait on conditions

    async def assert_paired(self, name: str, count: int = 1) -> list[str]:
        """Each Pixel event has exactly one mirror with the same name and event_id.

        Waits (bounded) until both channels reached `count`, then checks they hold exactly that.
        """
        await self.wait_for(
            lambda: len(self.events(name)) >= count and len(self.mirrored(name)) >= count
        )
        pixel_ids = [h.get("eid") for h in self.events(name)]
        mirror_ids = [m["event_id"] for m in self.mirrored(name)]
        assert len(pixel_ids) == count, (name, self.pixel_hits)
        assert sorted(map(str, pixel_ids)) == sorted(map(str, mirror_ids)), (
            name,
            pixel_ids,
            mirror_ids,
        )
        assert len(set(pixel_ids)) == count, pixel_ids
        return [str(i) for i in pixel_ids]

    def url(self, path: str) -> str:
        return self.site_url + path


def config_for(rules: list[dict[str, Any]], **options: Any) -> TagConfig:
    data: dict[str, Any] = {"version": 1, "pixel_id": PIXEL_ID, "rules": rules}
    if options:
        data["options"] = options
    return parse_config(data)


def site_app(bench_ref: dict[str, Bench]) -> Starlette:
    async def page(request: HttpRequest) -> Response:
        rel = request.path_params["path"] or "index.html"
        if rel == "pixelbridge.js":
            return Response(hosted_runtime(), media_type="application/javascript")
        path = (SITES / rel).resolve()
        if SITES.resolve() not in path.parents:
            return PlainTextResponse("no", status_code=404)
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            # Pretty URLs: /generic/thank-you/123 → generic/thank-you.html
            parts = rel.split("/")
            for cut in range(len(parts), 0, -1):
                candidate = SITES / ("/".join(parts[:cut]) + ".html")
                if candidate.is_file():
                    path = candidate
                    break
            else:
                return PlainTextResponse("not found", status_code=404)
        if path.suffix != ".html":
            return Response(path.read_bytes(), media_type="application/javascript")
        bench = bench_ref.get("bench")
        html = path.read_text(encoding="utf-8")
        if bench is not None and bench.config is not None:
            external = f"{bench.site_url}/pixelbridge.js" if bench.external else None
            snippet = render_snippet(bench.config, bench.relay_url, external=external)
            html = html.replace(PLACEHOLDER, snippet)
        return HTMLResponse(html)

    async def form_post(request: HttpRequest) -> Response:
        await request.body()  # discard customer data, as a real shop's backend would keep it
        target = request.query_params.get("next") or request.headers.get("referer") or "/"
        return Response(status_code=303, headers={"location": target})

    return Starlette(
        routes=[
            HttpRoute("/{path:path}", form_post, methods=["POST"]),
            HttpRoute("/{path:path}", page),
        ]
    )


def _relay_app(bench_ref: dict[str, Bench]) -> Starlette:
    import json

    async def events(request: HttpRequest) -> Response:
        bench_ref["bench"].mirrors.append(json.loads(await request.body()))
        return JSONResponse({"ok": True})

    async def diagnostics(request: HttpRequest) -> Response:
        bench_ref["bench"].diagnostics.append(json.loads(await request.body()))
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            HttpRoute("/v1/events", events, methods=["POST"]),
            HttpRoute("/v1/diagnostics", diagnostics, methods=["POST"]),
        ]
    )


@asynccontextmanager
async def open_bench(
    config: TagConfig | None = None, *, block_pixel: bool = False, relay_url: str | None = None
) -> AsyncIterator[Bench]:
    ref: dict[str, Bench] = {}
    site = LocalServer(site_app(ref), name="test-site")
    relay = LocalServer(_relay_app(ref), name="test-relay")
    site_url = await site.start()
    relay_base = await relay.start()
    try:
        async with async_playwright() as pw:
            browser = await launch_headless(pw)
            try:
                page = await browser.new_page()
                bench = Bench(
                    browser=browser,
                    page=page,
                    site_url=site_url,
                    relay_url=relay_url or f"{relay_base}/v1/events",
                    config=config,
                )
                ref["bench"] = bench
                page.on("pageerror", lambda exc: bench.page_errors.append(str(exc)))

                async def on_pixel(route: Route, request: Request) -> None:
                    params = dict(parse_qsl(urlsplit(request.url).query))
                    if request.method == "POST" and request.post_data:
                        params.update(parse_qsl(request.post_data))
                    bench.pixel_hits.append(params)
                    await route.fulfill(status=200, content_type="image/gif", body=GIF)

                async def on_fbevents(route: Route, request: Request) -> None:
                    if block_pixel:
                        await route.abort("blockedbyclient")
                    else:
                        await route.fulfill(
                            status=200,
                            content_type="application/javascript",
                            path=str(FBEVENTS_STUB_PATH),
                        )

                # Offline: anything not on loopback fails fast (fixture pages name real CDNs);
                # Meta's endpoints are registered after, so they take precedence.
                await page.route(OFFSITE_RE, lambda route: route.abort("internetdisconnected"))
                await page.route(PIXEL_RE, on_pixel)
                await page.route(FBEVENTS_RE, on_fbevents)
                yield bench
            finally:
                await browser.close()
    finally:
        await relay.stop()
        await site.stop()
