"""The built-in demo shop (Clayworks): a small Starlette app served on loopback.

It has a product grid, product pages, a cart kept on the server (keyed by a cookie), a
checkout form and a thank-you page. The install snippet is injected into every page at the
`<!--pixelbridge:snippet-->` placeholder, exactly where a site owner would paste it.

The checkout form is thrown away unread: the shop needs none of it, and customer data must
never reach a URL, a log or a file. The POST answers `303 See Other` to
`/thank-you?order=<id>`, so the order id (the Purchase event_id) is the only thing in the URL.
"""

from __future__ import annotations

import html
import json
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from desktop_app.resources import resource_path
from desktop_app.services.http_server import LocalServer

logger = logging.getLogger(__name__)

DEMO_SITE_DIR = resource_path("demo_site")
SNIPPET_PLACEHOLDER = "<!--pixelbridge:snippet-->"
CART_COOKIE = "cw_cart"
MAX_BODY_BYTES = 64 * 1024
STATIC_FILES = {"style.css": "text/css", "shop.js": "text/javascript"}
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# Fragments inserted as HTML (they are our own templates, already escaped while filled).
_RAW_KEYS = frozenset({"content", "product_cards", "cart_lines"})


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    slug: str
    name: str
    price: Decimal
    color: str
    accent: str
    blurb: str

    def values(self) -> dict[str, str]:
        return {
            "sku": self.sku,
            "slug": self.slug,
            "name": self.name,
            "price": f"{self.price:.2f}",
            "color": self.color,
            "accent": self.accent,
            "blurb": self.blurb,
        }


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    total: Decimal
    currency: str
    items: tuple[tuple[str, int], ...]  # (sku, qty): no customer data is ever kept


@dataclass(slots=True)
class ShopState:
    """Carts and orders, in memory only: the demo forgets everything when it stops."""

    carts: dict[str, dict[str, int]] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace `{{key}}`: escaped text, except the few keys that carry our own HTML."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        value = values.get(key, "")
        return value if key in _RAW_KEYS else html.escape(value)

    return _PLACEHOLDER.sub(replace, template)


def load_catalog(site_dir: Path) -> tuple[str, dict[str, Product]]:
    data = json.loads((site_dir / "catalog.json").read_text(encoding="utf-8"))
    products = {
        item["sku"]: Product(
            sku=item["sku"],
            slug=item["slug"],
            name=item["name"],
            price=Decimal(item["price"]),
            color=item["color"],
            accent=item["accent"],
            blurb=item["blurb"],
        )
        for item in data["products"]
    }
    return str(data["currency"]), products


class DemoShop:
    """The Starlette app plus its state; `snippet` may be set or replaced at any time."""

    def __init__(self, site_dir: Path = DEMO_SITE_DIR, snippet: str = "") -> None:
        self.site_dir = site_dir
        self.snippet = snippet
        self.state = ShopState()
        self.currency, self.products = load_catalog(site_dir)
        self._by_slug = {p.slug: p for p in self.products.values()}
        self._templates = {
            path.stem: path.read_text(encoding="utf-8") for path in site_dir.glob("*.html")
        }
        self.app = Starlette(
            routes=[
                Route("/", self.home),
                Route("/product/{slug}", self.product),
                Route("/cart", self.cart),
                Route("/cart/add", self.cart_add, methods=["POST"]),
                Route("/checkout", self.checkout, methods=["GET"]),
                Route("/checkout", self.place_order, methods=["POST"]),
                Route("/thank-you", self.thank_you),
                Route("/static/{name}", self.static),
                Route("/healthz", self.healthz),
            ],
            middleware=[
                Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost", "[::1]"])
            ],
        )

    # -- rendering -------------------------------------------------------------------------
    def _cart_id(self, request: Request) -> str | None:
        cart_id = request.cookies.get(CART_COOKIE)
        return cart_id if cart_id in self.state.carts else None

    def _cart(self, request: Request) -> dict[str, int]:
        cart_id = self._cart_id(request)
        return self.state.carts.get(cart_id, {}) if cart_id else {}

    def _total(self, cart: Mapping[str, int]) -> Decimal:
        return sum((self.products[sku].price * qty for sku, qty in cart.items()), Decimal(0))

    def page(
        self, request: Request, name: str, title: str, values: Mapping[str, str], status: int = 200
    ) -> HTMLResponse:
        content = fill(self._templates[name], values)
        count = sum(self._cart(request).values())
        body = fill(
            self._templates["layout"],
            {"title": title, "cart_count": str(count), "content": content},
        )
        # Injected last and verbatim: the snippet is the site owner's paste, not a template.
        body = body.replace(SNIPPET_PLACEHOLDER, self.snippet, 1)
        return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    def not_found(self, request: Request, message: str) -> HTMLResponse:
        return self.page(request, "not_found", "Not found", {"message": message}, status=404)

    # -- routes ----------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        cards = "".join(
            fill(self._templates["product_card"], p.values()) for p in self.products.values()
        )
        return self.page(request, "home", "Shop", {"product_cards": cards})

    async def product(self, request: Request) -> Response:
        product = self._by_slug.get(request.path_params["slug"])
        if product is None:
            return self.not_found(request, "That product does not exist.")
        return self.page(request, "product", product.name, product.values())

    async def cart(self, request: Request) -> Response:
        cart = self._cart(request)
        lines = "".join(
            fill(
                self._templates["cart_line"],
                {
                    **self.products[sku].values(),
                    "qty": str(qty),
                    "amount": f"{self.products[sku].price * qty:.2f}",
                },
            )
            for sku, qty in cart.items()
        )
        if not lines:
            lines = '<p class="empty">Your cart is empty.</p>'
        return self.page(
            request, "cart", "Cart", {"cart_lines": lines, "total": f"{self._total(cart):.2f}"}
        )

    async def cart_add(self, request: Request) -> Response:
        body = await _read_capped(request)
        try:
            data = json.loads(body or b"{}")
            sku = str(data["sku"])
            qty = int(data.get("qty", 1))
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": 'expected {"sku": …, "qty": n}'}, status_code=400)
        if sku not in self.products or not 1 <= qty <= 99:
            return JSONResponse({"error": f"unknown sku or bad qty: {sku}"}, status_code=400)
        cart_id = self._cart_id(request) or secrets.token_urlsafe(12)
        cart = self.state.carts.setdefault(cart_id, {})
        cart[sku] = cart.get(sku, 0) + qty
        response = JSONResponse({"count": sum(cart.values()), "total": f"{self._total(cart):.2f}"})
        response.set_cookie(CART_COOKIE, cart_id, httponly=True, samesite="lax")
        return response

    async def checkout(self, request: Request) -> Response:
        total = self._total(self._cart(request))
        return self.page(request, "checkout", "Checkout", {"total": f"{total:.2f}"})

    async def place_order(self, request: Request) -> Response:
        # Read (so the client is not cut off mid-upload) and drop: the demo keeps no customer data.
        await _read_capped(request)
        cart = self._cart(request)
        order_id = f"CW-{secrets.token_hex(5).upper()}"
        self.state.orders[order_id] = Order(
            order_id, self._total(cart), self.currency, tuple(cart.items())
        )
        cart_id = self._cart_id(request)
        if cart_id:
            self.state.carts.pop(cart_id, None)
        logger.info("demo order %s placed", order_id)
        return RedirectResponse(f"/thank-you?order={order_id}", status_code=303)

    async def thank_you(self, request: Request) -> Response:
        order = self.state.orders.get(request.query_params.get("order", ""))
        if order is None:
            return self.not_found(request, "We could not find that order.")
        return self.page(
            request,
            "thank_you",
            "Thank you",
            {"order_id": order.order_id, "total": f"{order.total:.2f}"},
        )

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        media_type = STATIC_FILES.get(name)
        if media_type is None:  # a fixed list: no path from the URL ever reaches the disk
            return Response("not found", status_code=404)
        return FileResponse(self.site_dir / name, media_type=media_type)

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"ok": True})


async def _read_capped(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            break
        chunks.append(chunk)
    return b"".join(chunks)


class DemoSiteServer:
    """The demo shop on a loopback port: `await start()` → base URL, `await stop()`."""

    def __init__(
        self, snippet: str = "", *, host: str = "127.0.0.1", port: int = 0, **kwargs: Any
    ) -> None:
        self.shop = DemoShop(snippet=snippet, **kwargs)
        self._server = LocalServer(self.shop.app, host=host, port=port, name="demo shop")
        self.url = ""

    @property
    def snippet(self) -> str:
        return self.shop.snippet

    @snippet.setter
    def snippet(self, value: str) -> None:
        self.shop.snippet = value

    def product_url(self, slug: str | None = None) -> str:
        first = next(iter(self.shop.products.values()))
        return f"{self.url}/product/{slug or first.slug}"

    async def start(self) -> str:
        self.url = await self._server.start()
        return self.url

    async def stop(self) -> None:
        await self._server.stop()
