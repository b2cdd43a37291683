"""The composition root with every screen wired: `pixelbridge` opens the start screen, the
main window has the "Tag events" tab, File → Export evidence writes HTML + JSON, and a
journey recorded in a page replays and never holds what the customer typed."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright

from desktop_app.app import DesktopOptions, DesktopShell
from desktop_app.capi.dedup import Pair
from desktop_app.services.chromium import launch_headless
from desktop_app.services.demo_site import DemoShop
from desktop_app.services.http_server import LocalServer
from desktop_app.services.journey import parse_journey, replay
from desktop_app.services.journey_recorder import PLACEHOLDERS, JourneyRecorder
from desktop_app.views.main_window import MainWindow
from desktop_app.views.messages import MessageBridge
from desktop_app.views.pair_model import PairTableModel
from desktop_app.views.qt import QApplication, QImage


async def _until(condition: Callable[[], object], timeout_s: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


@pytest.mark.asyncio
async def test_plain_start_shows_the_start_screen_and_exports_evidence(
    tmp_path: Path, sample_pairs: list[Pair]
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    shell = DesktopShell(app, DesktopOptions(browser=False), endpoint=None)
    main = asyncio.ensure_future(shell.main())
    try:
        await _until(lambda: shell.window is not None and shell.window.isVisible())
        window = shell.window
        assert window is not None
        await _until(lambda: shell.site_tools is not None)  # built after the first paint
        assert shell.site_tools is not None
        # `pixelbridge` with no site yet: the start screen, in front of the main window.
        await _until(shell.workspaces.start_screen.isVisible)
        tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        assert tabs == ["Events", "Tag events"]
        assert window.tagging is shell.site_tools.tagging.panel
        file_menu = window.menuBar().actions()[0].menu()
        assert file_menu is not None
        texts = [a.text() for a in file_menu.actions()]
        assert "Export evidence…" in texts and "Record journey" in texts
        assert texts.index("Set up a new site…") < texts.index("Run demo")
        # Empty log: a readable warning, no dialog.
        window.evidence_action.trigger()
        assert shell.site_tools.evidence.dialog is None
        assert "nothing to export" in shell.messages.history[-1].text
        window.model.set_pairs(sample_pairs)
        window.evidence_action.trigger()
        assert (
            shell.site_tools.evidence.dialog is not None
            and shell.site_tools.evidence.dialog.isVisible()
        )
        shell.site_tools.evidence.dialog.fileSelected.emit(str(tmp_path / "client-report.html"))
        shell.site_tools.evidence.dialog.close()
        html = (tmp_path / "client-report.html").read_text(encoding="utf-8")
        data = json.loads((tmp_path / "client-report.json").read_text(encoding="utf-8"))
        assert len(data["pairs"]) == len(sample_pairs)
        assert data["summary"]["conversions"] >= 1
        assert "<html" in html.lower() and "counted" in html
        # Without the embedded browser, tagging says why instead of hanging.
        with pytest.raises(RuntimeError, match="built-in browser is not available"):
            await shell.site_tools.visible_page()
        window.close()
        assert await asyncio.wait_for(main, 30) == 0
    finally:
        if not main.done():
            shell.request_quit()
            await asyncio.wait_for(main, 30)


@pytest.mark.asyncio
@pytest.mark.browser
async def test_recorded_journey_replays_and_keeps_no_typed_details() -> None:
    shop = LocalServer(DemoShop().app, name="journey-shop")
    url = await shop.start()
    typed_email, typed_name = "grace.hopper@navy.example", "Grace"
    try:
        async with async_playwright() as pw:
            browser = await launch_headless(pw)
            try:
                page = await browser.new_page()
                await page.goto(url)
                recorder = JourneyRecorder()
                await recorder.start(page)
                await page.goto(f"{url}/product/linen-mug")
                await page.click("#add-to-cart")
                await _until(lambda: len(recorder.steps) >= 3)
                await page.goto(f"{url}/checkout")
                await page.fill("#email", typed_email)
                await page.fill("#first_name", typed_name)
                await page.locator("#first_name").blur()
                await _until(lambda: sum(s["action"] == "fill" for s in recorder.steps) == 2)
                journey = recorder.stop()
                steps = journey["steps"]
                assert [s["action"] for s in steps[:3]] == ["goto", "goto", "click"]
                fills = {s["selector"]: s["value"] for s in steps if s["action"] == "fill"}
                assert sorted(fills.values()) == sorted(
                    [PLACEHOLDERS["email"], PLACEHOLDERS["first_name"]]
                )
                text = json.dumps(journey)
                assert typed_email not in text and typed_name not in text
                # Stopped: later clicks are not recorded.
                count = len(steps)
                await page.goto(url)
                assert len(recorder.steps) == count
                # What was recorded replays on a fresh page (what `verify --journey` does).
                fresh = await browser.new_page()
                await replay(fresh, parse_journey(journey), url)
                assert await fresh.locator("#email").input_value() == PLACEHOLDERS["email"]
                assert fresh.url == f"{url}/checkout"
            finally:
                await browser.close()
    finally:
        await shop.stop()


def test_safe_value_table() -> None:
    from desktop_app.services.journey_recorder import safe_value

    assert safe_value({"type": "tel", "name": "phone"}, None) == PLACEHOLDERS["phone"]
    assert safe_value({"type": "password", "name": "pw"}, None) == ""
    assert safe_value({"type": "text", "name": "coupon"}, "SPRING10") == "SPRING10"
    assert safe_value({"type": "text", "name": "address_line"}, None) == PLACEHOLDERS["name"]


def test_a_1440_window_shows_browser_both_sides_and_the_verdict(
    qtbot: Any, sample_pairs: list[Pair]
) -> None:
    model = PairTableModel()
    model.set_pairs(sample_pairs)
    window = MainWindow(model, MessageBridge(), browser_later=True)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    table = window.log.table
    # Nothing to scroll sideways once the layout has settled.
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0, timeout=3000)
    viewport = table.viewport().width()
    last = model.columnCount() - 1
    # Every column, Meta's answer included, starts and ends inside the visible table.
    assert table.columnViewportPosition(last) + 60 <= viewport
    assert sum(table.columnWidth(c) for c in range(last)) < viewport
    assert window.splitter.sizes()[0] >= 400  # the browser keeps a usable width
    # The texts an owner reads are not cut: the verdict with its icon, full event names.
    metrics = table.fontMetrics()
    assert table.columnWidth(3) >= metrics.horizontalAdvance("Not a conversion") + 30
    for column in (1, 4):
        assert table.columnWidth(column) >= metrics.horizontalAdvance("InitiateCheckout") + 12
    assert viewport - table.columnViewportPosition(last) >= 150  # "delivered: received 1"


@pytest.mark.asyncio
async def test_site_rules_and_journeys_go_to_the_open_site(tmp_path: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    shell = DesktopShell(app, DesktopOptions(browser=False), endpoint=None)
    main = asyncio.ensure_future(shell.main())
    try:
        await _until(lambda: shell.window is not None and shell.window.isVisible())
        await _until(lambda: shell.site_tools is not None)
        workspaces, tools = shell.workspaces, shell.site_tools
        assert tools is not None
        rule = {
            "id": "purchase-1",
            "event": "Purchase",
            "trigger": {"type": "pageview"},
            "url": {"match": "contains", "value": "/thank-you"},
        }
        site = workspaces.store.create(site_url="https://shop.example", pixel_id="1" * 15)
        site.rules = [rule]
        workspaces.store.save(site)
        workspaces.open_workspace(site.id)
        assert tools.tagging.rules == [rule]
        assert tools.tagging.panel.rules.rules_list.count() == 1
        tools.tagging.panel.rule_toggled.emit("purchase-1", False)
        assert workspaces.store.open(site.id).rules[0]["enabled"] is False
        # Recording needs the built-in browser: without it, a message and the switch back off.
        shell.window.record_action.trigger()  # type: ignore[union-attr]
        await _until(lambda: not shell.tasks.running("journey"))
        assert not shell.window.record_action.isChecked()  # type: ignore[union-attr]
        texts = [m.text for m in shell.messages.history]
        assert any("built-in browser is not available" in t for t in texts), texts
    finally:
        shell.request_quit()
        await asyncio.wait_for(main, 30)


@pytest.mark.browser
@pytest.mark.slow
def test_screenshot_script_drives_the_whole_app_with_the_embedded_browser(tmp_path: Path) -> None:
    """The README screenshots come from the real app: demo in the embedded view, then pick
    mode on its page through the "Tag events" tab (the script asserts each step)."""
    script = Path(__file__).with_name("doc_screenshots.py")
    env = {**os.environ, "PIXELBRIDGE_SHOTS_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, timeout=240, check=False
    )
    log = done.stderr.decode(errors="replace")
    assert done.returncode == 0, log[-3000:]
    assert "Traceback" not in log
    for name in ("main-window.png", "tagging.png"):
        image = QImage(str(tmp_path / name))
        assert (image.width(), image.height()) == (1440, 900), name


@pytest.mark.asyncio
@pytest.mark.browser
async def test_record_journey_button_keeps_the_journey_with_the_site(
    qtbot: Any, tmp_path: Path
) -> None:
    from desktop_app.views.journey_presenter import JourneyPresenter
    from desktop_app.views.tasks import TaskOwner
    from desktop_app.views.workspace_presenter import WorkspacePresenter

    shop = LocalServer(DemoShop().app, name="journey-button-shop")
    url = await shop.start()
    messages, tasks = MessageBridge(), TaskOwner()
    window = MainWindow(PairTableModel(), messages)
    qtbot.addWidget(window)
    workspaces = WorkspacePresenter(window, messages, tasks)
    try:
        site = workspaces.store.create(site_url=url, pixel_id="1" * 15)
        workspaces.open_workspace(site.id)
        async with async_playwright() as pw:
            browser = await launch_headless(pw)
            try:
                page = await browser.new_page()
                await page.goto(f"{url}/product/linen-mug")

                async def provider() -> Any:
                    return page

                journeys = JourneyPresenter(window, messages, tasks, provider, workspaces)
                window.record_action.trigger()  # on
                await _until(lambda: journeys.recorder.recording)
                await page.click("#add-to-cart")
                await _until(lambda: len(journeys.recorder.steps) == 2)
                window.record_action.trigger()  # off: kept with the site, file offered
                assert journeys.dialog is not None and journeys.dialog.isVisible()
                journeys.dialog.fileSelected.emit(str(tmp_path / "journey.json"))
                journeys.dialog.close()
            finally:
                await browser.close()
        saved = json.loads((tmp_path / "journey.json").read_text())
        assert saved["steps"] == [
            {"action": "goto", "url": f"{url}/product/linen-mug"},
            {"action": "click", "selector": "#add-to-cart"},
        ]
        kept = workspaces.store.open(site.id).journeys
        assert len(kept) == 1 and kept[0]["steps"] == saved["steps"]
    finally:
        await tasks.cancel_all()
        await workspaces.stop()
        await shop.stop()
