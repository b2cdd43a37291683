"""Guard against the PySide6 6.12-on-Python-3.11 abort (environment.md §1).

There, every void-returning Qt call drops one reference to `None` and the process dies with
`none_dealloc` after a few thousand calls. On Python ≥ 3.12 `None` is immortal, so the delta is
zero; on an older Python the same probe would show about −1 per call.
"""

from __future__ import annotations

import sys
from typing import Any

import PySide6

from desktop_app.views.qt import QLabel, QTimer, QWidget


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2] if part.isdigit())


def test_interpreter_and_pyside_combination_is_safe() -> None:
    assert sys.version_info >= (3, 12) or _version(PySide6.__version__) < (6, 12), (
        f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} aborts "
        "(none_dealloc); use Python >= 3.12 or PySide6 < 6.12"
    )


def test_void_qt_calls_keep_none_alive(qtbot: Any) -> None:
    widget = QWidget()
    label = QLabel(widget)
    timer = QTimer()
    qtbot.addWidget(widget)
    calls = 0
    before = sys.getrefcount(None)
    for i in range(1000):
        widget.update()
        label.setText(str(i))
        timer.stop()
        calls += 3
    delta = sys.getrefcount(None) - before
    assert delta > -10, f"None lost {-delta} references over {calls} void Qt calls"
