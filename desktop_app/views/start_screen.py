"""The first thing an owner sees: their sites, and three ways to begin.

“Set up a new site” opens the guided setup, “Try it without a Meta account” runs the demo
shop against the built-in sandbox, “Open a workspace file” imports a file a consultant or
colleague exported. Passive: every choice is a signal; `show_workspaces` fills the list.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import SignalInstance

from desktop_app.services.workspaces import FILE_SUFFIX, Workspace
from desktop_app.views.qt import (
    QEvent,
    QHBoxLayout,
    QIcon,
    QLabel,
    QProgressBar,
    QPushButton,
    QSize,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_app.views.qt_forms import QFileDialog, QListWidget, QListWidgetItem
from desktop_app.views.styles import BLUE, apply_style, follow_theme

logger = logging.getLogger(__name__)

ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "pixelbridge.svg"
# Fixed pairs (white on blue, brown on cream) read the same in both themes; the rest follows the
# palette, resolved when the sheet is applied (`follow_theme` re-applies it on a theme change).
STYLE = f"""
QLabel#startTitle {{ font-size: 26px; font-weight: 700; }}
QLabel#startTagline {{ font-size: 14px; }}
QPushButton#startChoice {{ text-align: left; padding: 12px 16px; font-size: 14px; }}
QPushButton#startPrimary {{ text-align: left; padding: 12px 16px; font-size: 14px;
    font-weight: 600; color: #ffffff; background: {BLUE}; border: 1px solid {BLUE};
    border-radius: 4px; }}
QLabel#choiceHint {{ font-size: 12px; color: palette(window-text); }}
QListWidget#recentSites {{ background: palette(base); color: palette(text); }}
QListWidget#recentSites::item {{ padding: 6px 4px; }}
QLabel#sectionTitle {{ font-size: 15px; font-weight: 600; }}
QLabel#browserNotice {{ background: #fef7e0; color: #5f3b00; border: 1px solid #f9ab00;
    border-radius: 4px; padding: 8px; }}
"""


def start_style(_dark: bool) -> str:
    return STYLE


def ago(seconds: float) -> str:
    """'just now', '5 minutes ago', '3 days ago': how recent sites are described."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        count = int(seconds // size)
        if count >= 1:
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


class StartScreen(QWidget):
    new_site_requested = Signal()
    sandbox_requested = Signal()
    open_file_requested = Signal(object)  # Path
    open_requested = Signal(str)  # workspace id
    duplicate_requested = Signal(str)
    export_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        apply_style(self, start_style)
        self.setObjectName("startScreen")
        self.setWindowTitle("PixelBridge")
        self.setWindowIcon(QIcon(str(ICON)))
        self.resize(920, 560)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(32, 28, 32, 28)
        outer.setSpacing(32)

        # A fixed-width column: wrapped labels get their true height (height-for-width).
        left_column = QWidget()
        left_column.setFixedWidth(390)
        left = QVBoxLayout(left_column)
        left.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        logo = QLabel()
        logo.setPixmap(QIcon(str(ICON)).pixmap(QSize(48, 48)))
        title_row.addWidget(logo)
        title = QLabel("PixelBridge")
        title.setObjectName("startTitle")
        title_row.addWidget(title)
        title_row.addStretch(1)
        left.addLayout(title_row)
        tagline = QLabel(
            "Make sure every sale on your website reaches Meta (Facebook & Instagram ads), "
            "counted once — no developer needed."
        )
        tagline.setObjectName("startTagline")
        tagline.setWordWrap(True)
        left.addWidget(tagline)
        left.addSpacing(24)
        self.new_button = self._choice(
            left,
            "Set up a new site",
            "A few guided steps: your site's address, your Pixel, a test event, then the code "
            "to paste into your site.",
            primary=True,
        )
        self.new_button.clicked.connect(self.new_site_requested.emit)
        self.sandbox_button = self._choice(
            left,
            "Try it without a Meta account",
            "Shop in a pretend store and watch each sale reach a pretend Meta. "
            "Nothing is sent anywhere.",
        )
        self.sandbox_button.clicked.connect(self.sandbox_requested.emit)
        self.open_button = self._choice(
            left,
            "Open a site file…",
            f"A site set up on another computer or by your consultant (a {FILE_SUFFIX} file).",
        )
        self.open_button.clicked.connect(self.choose_file)
        self.notice = QLabel()
        self.notice.setObjectName("browserNotice")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        left.addWidget(self.notice)
        self.busy_label = QLabel()
        self.busy_label.setObjectName("startBusy")
        self.busy_label.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: what it waits for has no known length
        self.busy.setMaximumHeight(6)
        self.busy.setTextVisible(False)
        for widget in (self.busy_label, self.busy):
            widget.setVisible(False)
            left.addWidget(widget)
        left.addStretch(1)
        outer.addWidget(left_column)

        right = QVBoxLayout()
        heading = QLabel("Your sites")
        heading.setObjectName("sectionTitle")
        right.addWidget(heading)
        self.sites = QListWidget()
        self.sites.setObjectName("recentSites")
        self.sites.setAlternatingRowColors(True)
        self.sites.setWordWrap(True)
        self.sites.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sites.itemActivated.connect(self._activated)
        self.sites.itemSelectionChanged.connect(self._selection_changed)
        right.addWidget(self.sites, 1)
        self.empty = QLabel("No sites yet. Start with “Set up a new site”.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right.addWidget(self.empty)
        actions = QHBoxLayout()
        self.open_site_button = QPushButton("Open")
        self.open_site_button.clicked.connect(lambda: self._emit_selected(self.open_requested))
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.setToolTip("Copy this site's setup (without its event log)")
        self.duplicate_button.clicked.connect(lambda: self._emit_selected(self.duplicate_requested))
        self.export_button = QPushButton("Save as file…")
        self.export_button.setToolTip("Save this site's setup as one file (never the token)")
        self.export_button.clicked.connect(lambda: self._emit_selected(self.export_requested))
        for button in (self.open_site_button, self.duplicate_button, self.export_button):
            actions.addWidget(button)
        actions.addStretch(1)
        right.addLayout(actions)
        outer.addLayout(right, 6)
        self.show_workspaces([])

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        follow_theme(self, event, start_style)  # the desktop switched light ↔ dark

    def _choice(
        self, layout: QVBoxLayout, text: str, hint: str, *, primary: bool = False
    ) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("startPrimary" if primary else "startChoice")
        button.setMinimumHeight(44)
        layout.addWidget(button)
        label = QLabel(hint)
        label.setObjectName("choiceHint")
        label.setWordWrap(True)
        label.setContentsMargins(4, 2, 4, 0)
        layout.addWidget(label)
        layout.addSpacing(12)
        return button

    def show_workspaces(self, workspaces: list[Workspace], now: float | None = None) -> None:
        now = time.time() if now is None else now
        self.sites.clear()
        for workspace in workspaces:
            site = _host(workspace.site_url) or "no address yet"
            pixel = f"Pixel {workspace.pixel_id}" if workspace.pixel_id else "no Pixel yet"
            when = ago(max(0.0, now - workspace.opened_at))
            item = QListWidgetItem(f"{workspace.name}\n{site} · {pixel}\nopened {when}")
            item.setData(Qt.ItemDataRole.UserRole, workspace.id)
            item.setToolTip(workspace.site_url)
            self.sites.addItem(item)
        has = bool(workspaces)
        self.sites.setVisible(has)
        self.empty.setVisible(not has)
        if has:
            self.sites.setCurrentRow(0)
        self._selection_changed()

    def set_notice(self, text: str) -> None:
        """A first-run note (e.g. which browser to install); empty hides it."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def show_busy(self, text: str) -> None:
        self.busy_label.setText(text)
        self.busy_label.setVisible(True)
        self.busy.setVisible(True)

    def clear_busy(self) -> None:
        self.busy_label.setVisible(False)
        self.busy.setVisible(False)

    def selected_id(self) -> str | None:
        item = self.sites.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _selection_changed(self) -> None:
        enabled = self.selected_id() is not None
        for button in (self.open_site_button, self.duplicate_button, self.export_button):
            button.setEnabled(enabled)

    def _activated(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _emit_selected(self, signal: SignalInstance) -> None:
        selected = self.selected_id()
        if selected is not None:
            signal.emit(selected)

    def choose_file(self) -> None:
        dialog = QFileDialog(self, "Open a workspace file")
        dialog.setNameFilter(f"PixelBridge workspace (*{FILE_SUFFIX});;All files (*)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.open_file_requested.emit(Path(path)))
        dialog.open()
