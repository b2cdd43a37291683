"""The composition root in-process: demo → live log → hashing inspector → close → all stopped."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlsplit

import pytest

from desktop_app.app import DesktopOptions, DesktopShell
from desktop_app.views.qt import QApplication


def _port_open(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((parts.hostname or "127.0.0.1", parts.port or 80)) == 0


async def _until(condition: object, timeout_s: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


@pytest.mark.asyncio
@pytest.mark.browser
@pytest.mark.slow
async def test_demo_shows_pairs_and_close_stops_everything() -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    options = DesktopOptions(demo=False, browser=False, email="grace@example.org")
    shell = DesktopShell(app, options, endpoint=None)
    main = asyncio.ensure_future(shell.main())
    try:
        # `pixelbridge` then "Run demo" (the `--demo` start is covered in test_app_process).
        await _until(lambda: shell.window is not None and shell.window.isVisible(), 10)
        assert shell.window is not None
        shell.window.run_demo_action.trigger()
        await _until(lambda: shell.presenter is not None and shell.presenter.pairs, 90)
        window, presenter = shell.window, shell.presenter
        assert window is not None and presenter is not None and presenter.demo is not None
        shop_url = presenter.demo.shop_url
        assert _port_open(shop_url)
        await _until(lambda: window.model.conversions == 4, 10)
        assert window.log.summary.text() == "4 conversions: 4 counted once"
        # The selected Purchase shows what the customer typed, from the relay's memory.
        assert "Purchase" in window.detail.headline.text()
        typed = [
            window.detail.hashing.topLevelItem(i).text(1)
            for i in range(window.detail.hashing.topLevelItemCount())
        ]
        assert "grace@example.org" in typed
        # The user keeps shopping: new Pixel events show up live, without re-running the demo.
        rows_before = window.model.rowCount()
        page = presenter._page_in_use
        assert page is not None
        await page.goto(presenter.demo.shop.product_url())
        await _until(lambda: window.model.rowCount() > rows_before, 15)
        newest = window.model.pair_at(window.model.rowCount() - 1)
        assert newest.event_name in ("PageView", "ViewContent")
        window.close()  # the user closes the window: main() returns after stopping everything
        code = await asyncio.wait_for(main, 30)
        assert code == 0
        assert not _port_open(shop_url)
        assert shell.window is None and presenter.demo is None
    finally:
        if not main.done():
            shell.request_quit()
            await asyncio.wait_for(main, 30)


@pytest.mark.asyncio
async def test_demo_failure_is_a_readable_message_not_a_crash() -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    shell = DesktopShell(app, DesktopOptions(browser=False), endpoint=None)
    main = asyncio.ensure_future(shell.main())
    try:
        await _until(lambda: shell.window is not None and shell.window.isVisible(), 10)
        assert shell.window is not None and shell.presenter is not None

        async def broken_demo() -> list[object]:
            raise RuntimeError("demo shop could not listen on 127.0.0.1:8123")

        shell.presenter.run_demo = broken_demo  # type: ignore[method-assign,assignment]
        shell.window.run_demo_action.trigger()
        await _until(lambda: any(m.level == "error" for m in shell.messages.history), 10)
        error = next(m for m in shell.messages.history if m.level == "error")
        assert error.text == "The demo could not run: demo shop could not listen on 127.0.0.1:8123"
        assert "Nothing was sent to Meta" in error.next_step
        shell.request_quit()
        assert await asyncio.wait_for(main, 30) == 1
    finally:
        if not main.done():
            shell.request_quit()
            await asyncio.wait_for(main, 30)
