"""The demo shop over real loopback HTTP: pages, cart, checkout redirect, and what it refuses."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from desktop_app.services.demo_site import SNIPPET_PLACEHOLDER, DemoSiteServer
from desktop_app.services.http_server import ServerStartError

SNIPPET = '<script data-test="snippet">window.__snippet = 1;</script>'


# Not an async fixture: pytest-qt processes Qt events between test phases, which would run
# the server's qasync timers outside the loop. Start and stop inside the test instead.
@contextlib.asynccontextmanager
async def running_shop() -> AsyncIterator[tuple[DemoSiteServer, httpx.AsyncClient]]:
    server = DemoSiteServer(SNIPPET)
    url = await server.start()
    try:
        async with httpx.AsyncClient(base_url=url, timeout=5) as client:
            yield server, client
    finally:
        await server.stop()


@pytest.mark.asyncio
async def test_every_page_carries_the_snippet_once() -> None:
    async with running_shop() as (server, client):
        for path in ("/", "/product/linen-mug", "/cart", "/checkout"):
            response = await client.get(path)
            assert response.status_code == 200, path
            assert response.text.count(SNIPPET) == 1, path
            assert SNIPPET_PLACEHOLDER not in response.text
            # The snippet sits in <head>, where an owner pastes it.
            assert response.text.index(SNIPPET) < response.text.index("</head>")
        server.snippet = "<script>/*v2*/</script>"
        assert "/*v2*/" in (await client.get("/")).text


@pytest.mark.asyncio
async def test_checkout_drops_the_form_and_redirects_with_only_the_order_id() -> None:
    form = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace.hopper@example.org",
        "phone": "+1 202 555 0143",
    }
    async with running_shop() as (server, client):
        added = await client.post("/cart/add", json={"sku": "FP-002", "qty": 2})
        assert added.json() == {"count": 2, "total": "77.00"}
        cart = await client.get("/cart")
        assert "Fern Planter" in cart.text and 'data-amount="77.00"' in cart.text
        response = await client.post("/checkout", data=form)
        assert response.status_code == 303
        location = response.headers["location"]
        assert location.startswith("/thank-you?order=CW-")
        for value in ("grace", "hopper", "2025550143", "202"):
            assert value not in location.lower()
        order_id = location.split("=", 1)[1]
        thanks = await client.get(location)
        assert thanks.status_code == 200
        assert order_id in thanks.text and 'data-amount="77.00"' in thanks.text
        # Nothing of the form is kept: only totals and SKUs.
        assert "Hopper" not in repr(server.shop.state)
        # The cart is emptied by the order.
        assert 'id="cart-count">0<' in (await client.get("/")).text


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/product/no-such-thing", {}, 404),
        ("GET", "/thank-you?order=CW-NOPE", {}, 404),
        ("GET", "/static/catalog.json", {}, 404),
        ("GET", "/static/..%2Fcatalog.json", {}, 404),
        ("POST", "/cart/add", {"content": b"{not json"}, 400),
        ("POST", "/cart/add", {"json": {"sku": "LM-001", "qty": 1000}}, 400),
        ("POST", "/cart/add", {"json": {"sku": "NOPE"}}, 400),
        ("POST", "/cart/add", {"content": b"x" * 100_000}, 400),
        ("GET", "/", {"headers": {"Host": "evil.example"}}, 400),
    ],
)
async def test_bad_requests_get_a_clean_answer(
    method: str, path: str, kwargs: dict[str, object], status: int
) -> None:
    async with running_shop() as (_, client):
        response = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == status
        assert (await client.get("/healthz")).json() == {"ok": True}


@pytest.mark.asyncio
async def test_a_busy_port_is_an_error_not_an_exit() -> None:
    async with running_shop() as (server, _):
        second = DemoSiteServer(port=int(server.url.rsplit(":", 1)[1]))
        with pytest.raises(ServerStartError):
            await second.start()
        await second.stop()
        assert server.url  # the first one still serves
