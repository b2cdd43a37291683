"""Checking exported files in the app: HAR + server log → the side-by-side log."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlencode

import pytest

from desktop_app.views.import_presenter import ImportPresenter
from desktop_app.views.main_window import MainWindow
from desktop_app.views.messages import MessageBridge
from desktop_app.views.pair_model import PairTableModel
from desktop_app.views.qt import QFileDialog


def write_har(path: Path, *eids: str) -> Path:
    entries = [
        {
            "startedDateTime": f"2026-11-27T05:00:0{i}Z",
            "request": {
                "method": "GET",
                "url": "https://www.facebook.com/tr/?"
                + urlencode({"id": "42", "ev": "Purchase", "eid": eid}),
            },
            "response": {"status": 200},
        }
        for i, eid in enumerate(eids)
    ]
    path.write_text(json.dumps({"log": {"entries": entries}}), encoding="utf-8")
    return path


def write_log(path: Path, *eids: str) -> Path:
    lines = [
        json.dumps({"data": [{"event_name": "Purchase", "event_id": e, "event_time": 1795755600}]})
        for e in eids
    ]
    path.write_text("\n".join([*lines, "{not json"]), encoding="utf-8")
    return path


def _window() -> tuple[MainWindow, MessageBridge]:
    messages = MessageBridge()
    return MainWindow(PairTableModel(), messages), messages


@pytest.mark.asyncio
async def test_import_pairs_files_into_the_log(tmp_path: Path) -> None:
    window, messages = _window()
    stopped: list[bool] = []

    async def stop_demo() -> None:
        stopped.append(True)

    presenter = ImportPresenter(window, messages, before_import=stop_demo)
    har = write_har(tmp_path / "shop.har", "o1", "o2")
    log = write_log(tmp_path / "capi.jsonl", "o1")
    pairs = await presenter.import_files(har, log)
    assert pairs is not None and stopped == [True]
    assert window.model.summary() == ("2 conversions: 1 counted once, 1 seen in the browser only")
    assert window.windowTitle().endswith("Checking exported files")
    assert "1 unreadable line(s) skipped" in window.status_text.text()  # the "{not json" line
    window.deleteLater()


@pytest.mark.asyncio
async def test_unreadable_har_is_a_message(tmp_path: Path) -> None:
    window, messages = _window()
    presenter = ImportPresenter(window, messages)
    empty = tmp_path / "empty.har"
    empty.write_text(json.dumps({"log": {"entries": []}}))
    assert await presenter.import_files(empty, None) is None
    assert messages.history[-1].level == "error"
    assert "empty.har" in messages.history[-1].text
    assert window.model.rowCount() == 0
    window.deleteLater()


async def _dialog(window: MainWindow, title: str) -> QFileDialog:
    for _ in range(200):
        for dialog in window.findChildren(QFileDialog):
            if dialog.isVisible() and dialog.windowTitle().startswith(title):
                return dialog
        await asyncio.sleep(0.01)
    raise TimeoutError(f"no dialog {title!r}")


@pytest.mark.asyncio
async def test_dialogs_are_non_modal_and_server_log_is_optional(tmp_path: Path) -> None:
    window, messages = _window()
    window.show()
    presenter = ImportPresenter(window, messages)
    har = write_har(tmp_path / "shop.har", "o1")
    task = asyncio.ensure_future(presenter.ask_and_import())
    first = await _dialog(window, "Browser export")
    # Qt's own dialog lists folders asynchronously; emulate the user's choice directly.
    first.fileSelected.emit(str(har))
    first.accept()
    second = await _dialog(window, "Server events log")
    second.reject()  # no server log: every conversion shows as browser-only
    pairs = await asyncio.wait_for(task, 10)
    assert pairs is not None and [p.verdict for p in pairs] == ["pixel_only"]
    window.close()
    window.deleteLater()
