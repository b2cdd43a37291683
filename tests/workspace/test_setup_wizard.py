"""The setup wizard end to end: demo shop (headless Chromium) → sandbox as Meta → snippet."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from workspace.helpers import SHOP_PIXEL, TOKEN, files_containing, world

from desktop_app.services import token_store
from desktop_app.services.diagnostics import install_file_log, remove_file_log
from desktop_app.services.paths import AppPaths
from desktop_app.services.setup_checks import SetupDraft, SetupService
from desktop_app.views.setup_steps import STEPS
from desktop_app.views.setup_wizard import SetupWizard


@pytest.fixture(autouse=True)
def no_stored_token() -> None:
    token_store.delete_token(SHOP_PIXEL)


@pytest.mark.asyncio
@pytest.mark.browser
async def test_wizard_end_to_end_against_the_sandbox(
    qtbot: QtBot, isolated_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    paths = AppPaths.default().ensure()
    log_file = install_file_log(paths, logging.DEBUG)
    async with world() as w:
        wizard = SetupWizard(SetupService(w.graph_url, paths.data), mode="test")
        qtbot.addWidget(wizard)
        finished: list[SetupDraft] = []
        wizard.finished_setup.connect(finished.append)

        # 1. site: a bad address is refused before anything is opened
        wizard.url_field.setText("not a site")
        assert await wizard.next_step() is False
        assert "address" in wizard.result.text()
        wizard.url_field.setText(w.shop.url)
        assert await wizard.next_step() is True, wizard.result.text()
        assert wizard.step.key == "pixel"
        # 2. the Pixel found on the shop is offered and prefilled
        assert SHOP_PIXEL in wizard.found_label.text() or wizard.pixel_field.text() == SHOP_PIXEL
        wizard.pixel_field.setText("12ab")
        assert await wizard.next_step() is False
        wizard.pixel_field.setText(SHOP_PIXEL)
        assert await wizard.next_step() is True
        # 3. token: empty is refused; pasted goes to the keyring, never stays in the field
        assert await wizard.next_step() is False
        wizard.token_field.setText(TOKEN)
        assert await wizard.next_step() is True, wizard.result.text()
        assert wizard.token_field.text() == ""
        assert token_store.get_token(SHOP_PIXEL) == TOKEN
        # 4. test code: format checked
        wizard.code_field.setText("hello")
        assert await wizard.next_step() is False
        wizard.code_field.setText("test4242")
        assert await wizard.next_step() is True
        assert wizard.draft.test_event_code == "TEST4242"
        # 5. tagging (the demo shop is custom-built: no preset, the picker is suggested)
        assert "point at your buttons" in wizard.tagging_note.text()
        assert await wizard.next_step() is True
        # 6. the test event reaches the sandbox, with the test code
        assert wizard.step.key == "test_event"
        assert "TEST4242" in wizard.where_to_look.text()
        assert await wizard.next_step() is True, wizard.result.text()
        received = w.sandbox.received(SHOP_PIXEL)
        assert [e["test_event_code"] for e in received] == ["TEST4242"]
        # 7. install: the snippet carries the Pixel id; Finish hands over the draft
        assert wizard.step.key == "install"
        assert SHOP_PIXEL in wizard.snippet_view.toPlainText()
        assert wizard.install_steps.text().startswith("1. ")
        assert await wizard.next_step() is True
        assert finished and finished[0].pixel_id == SHOP_PIXEL
        assert wizard.passed == {s.key for s in STEPS}

    remove_file_log(log_file)
    # the token is in no file the app wrote, nor in any log line
    assert log_file.stat().st_size > 0  # the run was logged: the search below covers the log
    assert files_containing(isolated_home, TOKEN) == []
    assert TOKEN not in caplog.text


@pytest.mark.asyncio
async def test_a_refused_token_stops_the_wizard_with_the_next_step(
    qtbot: QtBot, isolated_home: Path
) -> None:
    async with world(sandbox_token="EAAtherightone" + "x" * 24) as w:
        wizard = SetupWizard(SetupService(w.graph_url, isolated_home), mode="test")
        qtbot.addWidget(wizard)
        wizard.index = [s.key for s in STEPS].index("token")
        wizard.draft.pixel_id = SHOP_PIXEL
        wizard.token_field.setText(TOKEN)
        assert await wizard.next_step() is False
        assert "expired" in wizard.result.text() and "Replace token" in wizard.result.text()
        assert wizard.result.property("state") == "bad"
        assert wizard.step.key == "token"
