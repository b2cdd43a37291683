"""The app's style sheet (resources/styles/app.qss), applied to a top-level widget.

Applied per window, not to the QApplication, so tests and screenshots get the same look
without changing global state.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from desktop_app.views.qt import QWidget

logger = logging.getLogger(__name__)

STYLE_PATH = Path(__file__).resolve().parents[2] / "resources" / "styles" / "app.qss"


@cache
def style_sheet() -> str:
    try:
        return STYLE_PATH.read_text(encoding="utf-8")
    except OSError:
        logger.warning("style sheet %s missing; using the platform style", STYLE_PATH)
        return ""


def apply_style(widget: QWidget) -> None:
    widget.setStyleSheet(style_sheet())
