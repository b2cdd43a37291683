"""Per-workspace cookies in the embedded browser, and the "can't reach" message.

A real loopback shop sets a session cookie (a cart id) and records the Cookie header of every
page load; the app's real `BrowserView` runs in child processes (QtWebEngine's CDP settings are
read once per process, and a restart is what the cookies must survive).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import pytest
from qt_child import run_qt_child
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from desktop_app.app import DesktopOptions, DesktopShell
from desktop_app.services.embedded_browser import free_port
from desktop_app.services.http_server import LocalServer
from desktop_app.views.browser_profile import storage_name
from desktop_app.views.qt import QApplication, QObject, Signal

CHILD = Path(__file__).with_name("browser_profile_child.py")


@asynccontextmanager
async def cookie_shop(seen: dict[str, str | None]) -> AsyncIterator[str]:
    """Each page load with ?step=X records X → the `cart` cookie it carried; first visits
    (no cart yet) get a fresh session cookie, as a shop does for a new cart."""

    async def page(request: Request) -> HTMLResponse:
        cart = request.cookies.get("cart")
        seen[request.query_params.get("step", "")] = cart
        response = HTMLResponse(f"<html><body><p id=cart>{cart or 'empty'}</p></body></html>")
        if cart is None:
            response.set_cookie("cart", uuid.uuid4().hex)  # no max_age: a session cookie
        return response

    server = LocalServer(Starlette(routes=[Route("/", page)]), name="cookie-shop")
    url = await server.start()
    try:
        yield url
    finally:
        await server.stop()


async def run_child(*args: str) -> dict[str, Any]:
    return await run_qt_child(CHILD, *args)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.asyncio
async def test_cookies_stay_per_workspace_across_views_and_restarts(tmp_path: Path) -> None:
    seen: dict[str, str | None] = {}
    folder_a, folder_b = tmp_path / "shop-a-1a2b3c", tmp_path / "shop-b-4d5e6f"
    closed = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    async with cookie_shop(seen) as site:
        first = await run_child("first", site, closed, str(folder_a), str(folder_b))
        second = await run_child("second", site, closed, str(folder_a), str(folder_b))

    # Workspace A: a persistent profile stored in A's folder, found by Playwright over CDP.
    assert first["a1_ok"] and not first["a_profile_off_the_record"]
    assert seen["a1"] is None  # first visit: the shop set the cart cookie
    cart = first["cdp_a_cookie"].removeprefix("cart=")
    assert len(cart) == 32, first["cdp_a_cookie"]
    assert first["captured"] == ["PageView"]  # pixel capture attaches to the profile's page
    assert (folder_a / "browser").is_dir()
    # Workspace B: its own profile, no cookie from A (no bleed between client sites).
    assert first["b1_ok"] and not first["b_profile_off_the_record"]
    assert seen["b1"] is None and first["cdp_b_cookie"].startswith("cart=")
    assert first["cdp_b_cookie"] != first["cdp_a_cookie"]
    # The replaced page is gone (not left running in the background, nor listed over CDP).
    assert first["old_page_closed"]
    assert [u for u in first["pages_after_switch"] if "step=" in u] == [f"{site}/?step=b1"]
    # Demo / sandbox: off the record, sees neither site's cookie.
    assert first["demo_profile_off_the_record"] and seen["demo"] is None
    # A again in a recreated view: A's cart is still there.
    assert first["a2_ok"] and seen["a2"] == cart
    # After a restart (a new process): A keeps its session cookie, B keeps its own.
    assert second["restart_a_ok"] and seen["restart-a"] == cart
    assert second["restart_b_ok"] and seen["restart-b"] == first["cdp_b_cookie"][5:]
    assert seen["restart-b"] != cart

    # The unreachable site: a plain message with Retry, gone once a page loads again.
    assert first["closed_ok"] is False
    assert first["banner_visible"]
    host = closed.removeprefix("http://").rstrip("/")
    assert first["banner_text"] == (
        f"Can't reach {host} — check the address and your internet connection."
    )
    assert first["retry_started_hidden"]
    assert first["reachable_ok"] and not first["banner_after_success"]

    # Pages were deleted before their profiles (Qt warns otherwise).
    for messages in (first["qt_messages"], second["qt_messages"]):
        assert not [m for m in messages if "Release of profile" in m], messages


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://shop.example/cart", "shop.example"),
        ("http://127.0.0.1:8080/", "127.0.0.1:8080"),
    ],
)
def test_unreachable_text_names_the_site(url: str, host: str) -> None:
    from desktop_app.views.browser_view import unreachable_text
    from desktop_app.views.qt import QUrl

    assert unreachable_text(QUrl(url)) == (
        f"Can't reach {host} — check the address and your internet connection."
    )


def test_storage_names_are_one_per_workspace_folder() -> None:
    assert storage_name(Path("/x/shop-a-1a2b3c")) == "pixelbridge-shop-a-1a2b3c"
    assert storage_name(Path("/x/shop-a-1a2b3c")) != storage_name(Path("/x/shop-b-4d5e6f"))
    assert storage_name(Path("/x/ü")) == "pixelbridge-site"


class RecordingBrowser(QObject):
    """Stands in for BrowserView in the presenter wiring test (no QtWebEngine in pytest's own
    process: its CDP settings must come first). Records what the presenter asks of it."""

    load_finished = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, object]] = []

    def use_workspace(self, folder: Path | None) -> None:
        self.calls.append(("profile", folder))

    def load(self, url: str) -> None:
        self.calls.append(("load", url))

    def current_url(self) -> str:
        return ""


@pytest.mark.asyncio
async def test_opening_a_site_switches_the_view_to_that_sites_profile() -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    shell = DesktopShell(app, DesktopOptions(browser=False), endpoint=None)
    main = asyncio.ensure_future(shell.main())
    try:
        for _ in range(200):  # site tools are built after the first paint
            if shell.site_tools is not None:
                break
            await asyncio.sleep(0.05)
        tools = shell.site_tools
        assert tools is not None
        store = shell.workspaces.store
        shop_a = store.create(site_url="http://127.0.0.1:9/a")
        shop_b = store.create(site_url="http://127.0.0.1:9/b")
        view = RecordingBrowser()
        tools.set_browser(cast(Any, view))
        shell.workspaces.open_workspace(shop_a.id)
        shell.workspaces.open_workspace(shop_b.id)
        assert view.calls == [
            ("profile", shop_a.folder),
            ("load", "http://127.0.0.1:9/a"),
            ("profile", shop_b.folder),
            ("load", "http://127.0.0.1:9/b"),
        ]
        assert shop_a.folder != shop_b.folder
    finally:
        shell.request_quit()
        assert await asyncio.wait_for(main, 30) == 0
