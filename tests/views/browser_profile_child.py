"""Child process for `test_browser_profile.py`: the app's real `BrowserView` (QtWebEngine,
offscreen) switching between workspace profiles, with Playwright attached over CDP.

QtWebEngine reads its CDP settings once, before its first object exists, and a restart is
what cookies must survive, so each run is its own interpreter:
`python browser_profile_child.py MODE SITE_URL CLOSED_URL FOLDER_A FOLDER_B`. Every page load
carries `?step=NAME`; the parent's server records the Cookie header per step. Prints one JSON
line with what this process saw.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PIXEL = "https://www.facebook.com/tr/?id=1234&ev=PageView&eid=ev-1"
qt_messages: list[str] = []


async def loaded(view: Any, url: str, timeout_s: float = 20.0) -> bool:
    """Load `url` in the BrowserView and wait for its loadFinished (ok flag)."""
    done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def finished(ok: bool) -> None:
        if not done.done():
            done.set_result(ok)

    view.view.loadFinished.connect(finished)
    try:
        view.load(url)
        return await asyncio.wait_for(done, timeout_s)
    finally:
        view.view.loadFinished.disconnect(finished)


async def delete_view(view: Any) -> None:
    """Delete the view the way the app does (deleteLater) and wait until Qt destroyed it."""
    gone = asyncio.Event()
    view.destroyed.connect(lambda *_: gone.set())
    view.close()
    view.deleteLater()
    await asyncio.wait_for(gone.wait(), 10)
    await asyncio.sleep(0.2)  # let QtWebEngine's own teardown tasks run on the loop


async def first_run(endpoint: Any, site: str, closed: str, a: Path, b: Path) -> dict[str, Any]:
    from desktop_app.services.embedded_browser import EmbeddedBrowser
    from desktop_app.services.pixel_capture import PixelCapture
    from desktop_app.views.browser_view import BrowserView

    out: dict[str, Any] = {}
    view = BrowserView()
    view.resize(900, 700)
    view.show()
    view.use_workspace(a)
    out["a1_ok"] = await loaded(view, f"{site}/?step=a1")
    out["a_profile_off_the_record"] = view.view.page().profile().isOffTheRecord()
    embedded = EmbeddedBrowser(endpoint)
    try:
        page = await embedded.page(lambda u: "step=a1" in u, timeout_s=10)
        out["cdp_a_cookie"] = await page.evaluate("() => document.cookie")
        capture = PixelCapture()
        await capture.attach(page)
        await page.evaluate(f"() => {{ new Image().src = {PIXEL!r}; }}")
        for _ in range(100):  # bounded wait for the routed pixel request
            if capture.observations:
                break
            await asyncio.sleep(0.05)
        out["captured"] = [o.event_name for o in capture.observations]

        view.use_workspace(b)
        out["b_profile_off_the_record"] = view.view.page().profile().isOffTheRecord()
        out["b1_ok"] = await loaded(view, f"{site}/?step=b1")
        page_b = await embedded.page(lambda u: "step=b1" in u, timeout_s=10)
        out["cdp_b_cookie"] = await page_b.evaluate("() => document.cookie")
        browser = await embedded.connect()
        for _ in range(100):  # bounded: the replaced page closes once Qt deleted it
            listed = [p.url for c in browser.contexts for p in c.pages]
            if not any("step=a1" in u for u in listed):
                break
            await asyncio.sleep(0.05)
        out["pages_after_switch"] = listed
        out["old_page_closed"] = page.is_closed()

        view.use_workspace(None)  # the demo / sandbox: off the record
        out["demo_profile_off_the_record"] = view.view.page().profile().isOffTheRecord()
        out["demo_ok"] = await loaded(view, f"{site}/?step=demo")
    finally:
        await embedded.close()

    await delete_view(view)
    view = BrowserView()  # the view recreated (as after closing and reopening the window)
    view.show()
    view.use_workspace(a)
    out["a2_ok"] = await loaded(view, f"{site}/?step=a2")

    out["closed_ok"] = await loaded(view, closed)
    out["banner_visible"] = view.unreachable.isVisible()
    out["banner_text"] = view.unreachable.message.text()
    started = asyncio.Event()
    retried: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def retry_finished(ok: bool) -> None:
        if not retried.done():
            retried.set_result(ok)

    view.view.loadStarted.connect(started.set)
    view.view.loadFinished.connect(retry_finished)
    view.unreachable.retry.click()
    await asyncio.wait_for(started.wait(), 10)
    out["retry_started_hidden"] = not view.unreachable.isVisible()
    # The retry of the closed address fails again; its late loadFinished(False) must not be
    # taken for the next load's answer (a flake seen under load).
    await asyncio.wait_for(retried, 20)
    view.view.loadFinished.disconnect(retry_finished)
    out["reachable_ok"] = await loaded(view, f"{site}/?step=a3")
    out["banner_after_success"] = view.unreachable.isVisible()
    await delete_view(view)
    return out


async def second_run(site: str, a: Path, b: Path) -> dict[str, Any]:
    from desktop_app.views.browser_view import BrowserView

    view = BrowserView()
    view.show()
    view.use_workspace(a)
    out = {"restart_a_ok": await loaded(view, f"{site}/?step=restart-a")}
    view.use_workspace(b)
    out["restart_b_ok"] = await loaded(view, f"{site}/?step=restart-b")
    await delete_view(view)
    return out


def main() -> None:
    import qasync
    from PySide6.QtCore import qInstallMessageHandler

    from desktop_app.services.embedded_browser import prepare_environment

    mode, site, closed, folder_a, folder_b = sys.argv[1:6]
    endpoint = prepare_environment()  # before any QtWebEngine object exists
    from desktop_app.views.qt import QApplication, share_gl_contexts

    share_gl_contexts()
    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    qInstallMessageHandler(lambda _kind, _ctx, text: qt_messages.append(text))
    a, b = Path(folder_a), Path(folder_b)
    scenario = (
        first_run(endpoint, site, closed, a, b) if mode == "first" else second_run(site, a, b)
    )
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        result = runner.run(asyncio.wait_for(scenario, 90))
    result["qt_messages"] = qt_messages
    print(json.dumps(result), flush=True)
    os._exit(0)  # interpreter-exit teardown of QtWebEngine is not under test


if __name__ == "__main__":
    main()
