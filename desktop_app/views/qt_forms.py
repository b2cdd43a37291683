"""Qt form widgets used by the site screens (start screen, setup wizard, dialogs).

Kept apart from `views/qt.py` (the main window's imports) so the screens can grow their own
set without touching the shared module.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTextBrowser,
)

logger = logging.getLogger(__name__)

__all__ = [
    "QButtonGroup",
    "QCheckBox",
    "QDesktopServices",
    "QDialog",
    "QDialogButtonBox",
    "QDockWidget",
    "QFileDialog",
    "QFormLayout",
    "QGridLayout",
    "QGroupBox",
    "QListWidget",
    "QListWidgetItem",
    "QMenu",
    "QRadioButton",
    "QScrollArea",
    "QSpinBox",
    "QStackedWidget",
    "QTextBrowser",
]
