"""Start screen, test/live switch, token panel, export dialog and the presenter that wires them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from workspace.helpers import TOKEN, files_containing, wait_for

from desktop_app.services import token_store
from desktop_app.services.setup_checks import SetupDraft, SiteCheck
from desktop_app.services.token_health import TokenState
from desktop_app.services.workspaces import Workspace, WorkspaceStore
from desktop_app.tagger.config import parse_config
from desktop_app.views.export_dialog import ExportDialog
from desktop_app.views.main_window import MainWindow
from desktop_app.views.messages import MessageBridge
from desktop_app.views.pair_model import PairTableModel
from desktop_app.views.qt import QMessageBox
from desktop_app.views.start_screen import StartScreen, ago
from desktop_app.views.tasks import TaskOwner
from desktop_app.views.test_mode import ModeSwitch
from desktop_app.views.workspace_presenter import WorkspacePresenter

PIXEL = "123456789012345"


def _answer(box: QMessageBox | None, text: str) -> None:
    assert box is not None and box.isVisible()
    button = next(b for b in box.buttons() if b.text() == text)
    button.click()


def test_going_live_with_a_test_code_asks_first(qtbot: QtBot) -> None:
    switch = ModeSwitch()
    qtbot.addWidget(switch)
    changes: list[str] = []
    switch.mode_changed.connect(changes.append)
    switch.set_test_code("TEST123")
    switch.set_mode("test")
    assert "TEST123" in switch.banner.text()
    switch.buttons["live"].click()
    assert changes == [] and switch.mode == "test"
    _answer(switch.pending_question, "Stay in test mode")
    assert switch.mode == "test" and switch.buttons["test"].isChecked()
    cleared: list[bool] = []
    switch.test_code_cleared.connect(lambda: cleared.append(True))
    switch.buttons["live"].click()
    _answer(switch.pending_question, "Remove the code and go live")
    assert changes == ["live"] and cleared == [True] and switch.mode == "live"
    assert not switch.buttons["test"].isEnabled()  # no code left: test mode is not offered
    switch.set_test_code("TEST124")
    switch.buttons["test"].click()  # towards test: no question
    assert changes == ["live", "test"]


def test_start_screen_lists_sites_and_emits_choices(qtbot: QtBot) -> None:
    screen = StartScreen()
    qtbot.addWidget(screen)
    assert not screen.open_site_button.isEnabled()
    sites = [
        Workspace("b-1", "Shop B", "https://b.example", PIXEL, opened_at=1000.0),
        Workspace("a-1", "Shop A", "", "", opened_at=10.0),
    ]
    screen.show_workspaces(sites, now=1000.0 + 7200)
    assert screen.sites.count() == 2
    assert "opened 2 hours ago" in screen.sites.item(0).text()
    assert "no Pixel yet" in screen.sites.item(1).text()
    opened: list[str] = []
    screen.open_requested.connect(opened.append)
    screen.open_site_button.click()
    assert opened == ["b-1"]
    with qtbot.waitSignal(screen.new_site_requested, timeout=1000):
        screen.new_button.click()
    with qtbot.waitSignal(screen.sandbox_requested, timeout=1000):
        screen.sandbox_button.click()
    assert ago(30) == "just now" and ago(86400 * 3) == "3 days ago"


def test_export_dialog_asks_before_writing_a_test_code(qtbot: QtBot, tmp_path: Path) -> None:
    config = parse_config({"version": 1, "pixel_id": PIXEL, "rules": []})
    dialog = ExportDialog(config, "TEST9")
    qtbot.addWidget(dialog)
    written: list[list[Path]] = []
    dialog.exported.connect(written.append)
    assert not dialog.include_code.isChecked()
    dialog.export_to(tmp_path / "clean")
    assert written and "TEST9" not in (tmp_path / "clean" / "tags.json").read_text()
    dialog.include_code.setChecked(True)
    assert "Test events" in dialog.warnings.text()
    dialog.export_to(tmp_path / "with-code")
    assert len(written) == 1  # nothing written before the answer
    _answer(dialog.question, "Export with the test code")
    assert len(written) == 2
    assert json.loads((tmp_path / "with-code" / "tags.json").read_text())["test_event_code"] == (
        "TEST9"
    )


def _presenter(qtbot: QtBot) -> tuple[WorkspacePresenter, MainWindow, MessageBridge]:
    messages = MessageBridge()
    window = MainWindow(PairTableModel(), messages)
    qtbot.addWidget(window)
    presenter = WorkspacePresenter(window, messages, TaskOwner())
    # As in the app: the main window is up, so hiding the start screen does not quit Qt.
    window.show()
    return presenter, window, messages


@pytest.mark.asyncio
async def test_presenter_site_lifecycle_token_and_modes(qtbot: QtBot, isolated_home: Path) -> None:
    token_store.delete_token(PIXEL)
    presenter, window, _messages = _presenter(qtbot)
    try:
        presenter.start()
        assert presenter.start_screen.isVisible() and presenter.start_screen.sites.count() == 0
        draft = SetupDraft(
            mode="test",
            site_url="https://shop.example",
            site=SiteCheck("https://shop.example", True, platform="webflow"),
            pixel_id=PIXEL,
            test_event_code="TEST55",
        )
        opened: list[Workspace] = []
        presenter.opened_listeners.append(opened.append)
        workspace = presenter.create_from_draft(draft)
        assert [w.id for w in opened] == [workspace.id]
        rule = {"id": "buy", "event": "Purchase", "trigger": {"type": "pageview"}}
        presenter.save_rules([rule])
        assert WorkspaceStore.default().get(workspace.id).rules == [rule]
        assert not presenter.start_screen.isVisible()
        assert window.windowTitle().endswith("TEST MODE")
        assert presenter.relay_settings("http://g").test_event_code == "TEST55"
        assert presenter.settings.get("last_workspace") == workspace.id
        dialog = presenter.show_export()
        assert dialog is not None and dialog.isVisible()
        assert dialog.include_code.text().count("TEST55") == 1
        assert "install-snippet.html" in dialog.bundle.files
        dialog.reject()

        # token: none stored → "missing"; stored → works against the built-in sandbox
        presenter.mode_switch.set_mode("sandbox")
        presenter.set_mode("sandbox")
        assert "Sandbox" in window.windowTitle()
        result = await presenter.tokens.check()
        assert result is not None and result.state is TokenState.MISSING
        presenter.token_panel.replace_button.click()
        presenter.token_panel.token_field.setText(TOKEN)
        presenter.token_panel.save_button.click()
        assert presenter.token_panel.token_field.text() == ""
        assert token_store.get_token(PIXEL) == TOKEN
        assert await wait_for(
            lambda: presenter.tokens.last is not None and presenter.tokens.last.ok
        )
        assert "works" in presenter.token_panel.headline.text()
        assert TOKEN not in presenter.token_panel.stored.text()
        presenter.token_panel.forget_button.click()
        assert token_store.get_token(PIXEL) is None

        # live with the test code: the question, then the code is gone from the workspace
        presenter.mode_switch.set_mode("test")
        presenter.mode_switch.buttons["live"].click()
        _answer(presenter.mode_switch.pending_question, "Remove the code and go live")
        assert window.windowTitle() == "PixelBridge"
        stored = WorkspaceStore.default().get(workspace.id)
        assert stored.test_event_code == "" and stored.mode == "live"
        assert presenter.relay_settings("http://g").test_event_code is None

        # diagnostics: versions and paths, never the token
        token_store.set_token(PIXEL, TOKEN)
        text = presenter.copy_diagnostics()
        assert "PixelBridge" in text and "Keyring backend" in text and TOKEN not in text

        # save as file, import back: listed on the start screen, recent first
        saved = presenter.save_as_file(workspace.id, isolated_home / "shop.pixelbridge.json")
        presenter.import_file(saved)
        presenter.show_start()
        assert presenter.start_screen.sites.count() == 2
        assert files_containing(isolated_home, TOKEN) == []
    finally:
        await presenter.stop()
        token_store.delete_token(PIXEL)


@pytest.mark.asyncio
async def test_first_run_says_which_browser_to_install(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from desktop_app.services import chromium

    presenter, _window, _messages = _presenter(qtbot)
    try:
        presenter.show_start()
        assert not presenter.start_screen.notice.isVisible()  # Chromium is installed here
        monkeypatch.setattr(chromium, "find_chromium", lambda: None)
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.delenv("PLAYWRIGHT_BROWSERS_PATH", raising=False)
        presenter.show_start()
        assert presenter.start_screen.notice.isVisible()
        assert "apt-get install chromium" in presenter.start_screen.notice.text()
    finally:
        await presenter.stop()
