"""Render the main window offscreen with given pairs and save a PNG (`demo --screenshot`).

Works without a display and without a running event loop: it creates an offscreen
QApplication when none exists, lays the window out, and grabs it. It never spins the Qt event
loop while an asyncio loop runs (that would be a nested loop): `grab()` lays out by itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from desktop_app.capi.dedup import Pair

logger = logging.getLogger(__name__)

DEFAULT_SIZE = (1440, 860)


def _application() -> object:
    # Must be decided before QtGui loads a platform plugin: no display here is the normal case.
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = QApplication(["pixelbridge"])
    return app


def _asyncio_loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _row_to_select(pairs: Sequence[Pair]) -> int | None:
    """The most telling row: the first problem conversion, else the last conversion."""
    conversions = [row for row, pair in enumerate(pairs) if pair.is_conversion]
    problems = [row for row in conversions if pairs[row].verdict != "deduplicated"]
    if problems:
        return problems[0]
    return conversions[-1] if conversions else None


def render_demo_screenshot(
    pairs: Sequence[Pair],
    path: str | os.PathLike[str],
    *,
    size: tuple[int, int] = DEFAULT_SIZE,
    status: str | None = None,
) -> Path:
    """Save a PNG of the main window showing `pairs`; returns the path written."""
    _application()
    from desktop_app.views.main_window import MainWindow
    from desktop_app.views.messages import MessageBridge
    from desktop_app.views.pair_model import PairTableModel, chronological
    from desktop_app.views.qt import QApplication, Qt

    pairs = chronological(pairs)
    model = PairTableModel()
    model.append_pairs(pairs)
    window = MainWindow(model, MessageBridge())
    # Closing this off-screen copy must never quit the application it may be running inside.
    window.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
    window.set_mode("sandbox")
    window.resize(*size)
    row = _row_to_select(pairs)
    if row is not None:
        window.log.select_row(row)
    window.on_progress(status or f"Demo finished · {model.summary()}")
    window.show()
    loop_running = _asyncio_loop_running()
    if not loop_running:
        QApplication.processEvents()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(target), "PNG")
    window.close()
    window.deleteLater()
    if not loop_running:
        QApplication.processEvents()
    if not ok:
        raise OSError(f"could not write the screenshot to {target}")
    logger.info("screenshot saved to %s", target)
    return target
