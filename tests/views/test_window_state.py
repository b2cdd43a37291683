"""The window comes back the size the user left it; a damaged layout file is ignored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop_app.views.main_window import MainWindow
from desktop_app.views.messages import MessageBridge
from desktop_app.views.pair_model import PairTableModel
from desktop_app.views.window_state import restore_window_state, save_window_state


def _window(qtbot: Any) -> MainWindow:
    window = MainWindow(PairTableModel(), MessageBridge())
    qtbot.addWidget(window)
    return window


def test_size_survives_a_restart(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "config" / "window.json"
    first = _window(qtbot)
    first.resize(701, 503)
    first.show()
    save_window_state(first, path)
    assert set(json.loads(path.read_text())) == {"geometry", "splitters"}  # layout only
    second = _window(qtbot)
    assert restore_window_state(second, path)
    assert (second.width(), second.height()) == (701, 503)


def test_missing_or_broken_layout_is_ignored(qtbot: Any, tmp_path: Path) -> None:
    window = _window(qtbot)
    assert not restore_window_state(window, tmp_path / "nope.json")
    broken = tmp_path / "window.json"
    broken.write_text('{"geometry": "%%%"}')
    assert not restore_window_state(window, broken)
