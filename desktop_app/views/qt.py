"""The one place that imports PySide6 widgets, so the rest of the code names Qt in one way.

QtWebEngine is deliberately not imported here: its import must follow the CDP environment set
up by `desktop_app.services.embedded_browser.prepare_environment()`, so only
`views/browser_view.py` imports it, lazily.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QAbstractTableModel,
    QByteArray,
    QElapsedTimer,
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QCloseEvent,
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QImage,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStatusBar,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

logger = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex

__all__ = [
    "ModelIndex",
    "QAbstractItemModel",
    "QAbstractItemView",
    "QAbstractProxyModel",
    "QAbstractTableModel",
    "QAction",
    "QApplication",
    "QBrush",
    "QByteArray",
    "QCloseEvent",
    "QColor",
    "QComboBox",
    "QElapsedTimer",
    "QEvent",
    "QFileDialog",
    "QFont",
    "QFontDatabase",
    "QFrame",
    "QGuiApplication",
    "QHBoxLayout",
    "QHeaderView",
    "QIcon",
    "QImage",
    "QItemSelection",
    "QKeySequence",
    "QLabel",
    "QLineEdit",
    "QMainWindow",
    "QMessageBox",
    "QModelIndex",
    "QObject",
    "QPaintEvent",
    "QPainter",
    "QPalette",
    "QPersistentModelIndex",
    "QPixmap",
    "QPlainTextEdit",
    "QPoint",
    "QProgressBar",
    "QPushButton",
    "QSize",
    "QSizePolicy",
    "QSortFilterProxyModel",
    "QSplitter",
    "QStatusBar",
    "QTabWidget",
    "QTableView",
    "QTimer",
    "QToolBar",
    "QToolButton",
    "QTreeWidget",
    "QTreeWidgetItem",
    "QUrl",
    "QVBoxLayout",
    "QWidget",
    "Qt",
    "Signal",
    "Slot",
]


def ensure_application() -> QApplication:
    """The running QApplication, created if needed (screenshots and tests render without one)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    return QApplication([])


def load_webengine() -> tuple[type[Any], type[Any]]:
    """(QWebEngineView, QWebEnginePage), imported only after the CDP environment is set."""
    from PySide6.QtWebEngineCore import QWebEnginePage
    from PySide6.QtWebEngineWidgets import QWebEngineView

    return QWebEngineView, QWebEnginePage


def share_gl_contexts() -> None:
    """QtWebEngine needs shared GL contexts, set before the QApplication is created."""
    QGuiApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts, True)
