"""The main window: embedded browser on the left; on the right two tabs, "Events" (the
side-by-side log and pair detail) and "Tag events" (the tagging panel).

Passive: it exposes actions and `on_*` slots; `desktop_app/app.py` wires services to it.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from desktop_app import __version__
from desktop_app.capi.dedup import Pair
from desktop_app.views.messages import Message, MessageBridge
from desktop_app.views.pair_detail import PairDetail, RawUserData
from desktop_app.views.pair_model import ICONS_DIR, PairTableModel
from desktop_app.views.qt import (
    QAction,
    QApplication,
    QCloseEvent,
    QEvent,
    QIcon,
    QKeySequence,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPaintEvent,
    QProgressBar,
    QSplitter,
    Qt,
    QTabWidget,
    QToolBar,
    QWidget,
    Signal,
)
from desktop_app.views.qt_forms import QScrollArea
from desktop_app.views.side_by_side import SideBySideView
from desktop_app.views.styles import THEME_EVENTS, apply_style, restyle

if TYPE_CHECKING:
    from desktop_app.views.tagging_panel import TaggingPanel

logger = logging.getLogger(__name__)

TITLE = "PixelBridge"
# Side-by-side log columns (browser time, event, ID · verdict · server event, ID, Meta's
# answer): narrow enough that a 1440 px window shows the browser, both sides and the verdict.
LOG_COLUMN_WIDTHS = (88, 124, 104, 160, 124, 104, 150)
BROWSER_WIDTH = 470  # of the default 1440 px: the demo shop's product page still fits


class MainWindow(QMainWindow):
    run_demo_requested = Signal()
    import_requested = Signal()  # check a HAR export + server log
    quit_requested = Signal()
    closed = Signal()  # the user closed the window: the app shuts down
    first_painted = Signal()  # startup benchmark and smoke runs
    record_journey_toggled = Signal(bool)  # "Record journey" in the embedded browser
    export_evidence_requested = Signal()  # File → Export evidence…

    def __init__(
        self,
        model: PairTableModel,
        messages: MessageBridge,
        *,
        browser: QWidget | None = None,
        browser_later: bool = False,
        raw_user_data: RawUserData | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        apply_style(self)
        self.model = model
        self.messages = messages
        self.browser = browser
        self.setWindowTitle(TITLE)
        self.setWindowIcon(QIcon(str(ICONS_DIR / "pixelbridge.svg")))
        self.resize(1440, 900)

        self.log = SideBySideView(model)
        for column, width in enumerate(LOG_COLUMN_WIDTHS):
            self.log.table.setColumnWidth(column, width)
        self.detail = PairDetail(raw_user_data)
        events = QSplitter(Qt.Orientation.Vertical)
        events.addWidget(self.log)
        events.addWidget(self.detail)
        events.setStretchFactor(0, 3)
        events.setStretchFactor(1, 2)
        events.setChildrenCollapsible(False)
        # The tagging panel comes after the first paint (`install_tagging`): its imports
        # (picker, locators, presets) would delay the first frame.
        self.tagging: TaggingPanel | None = None
        tagging_scroll = self.tagging_scroll = QScrollArea()
        tagging_scroll.setWidgetResizable(True)
        waiting = QLabel("Preparing the tagger…")
        waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        tagging_scroll.setWidget(waiting)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("rightTabs")
        self.events_tab = self.tabs.addTab(events, "Events")
        self.tagging_tab = self.tabs.addTab(tagging_scroll, "Tag events")
        self.tabs.setTabToolTip(
            self.tagging_tab, "Point at buttons and pages of your site and say what they mean"
        )
        right = self.tabs
        if browser is None and browser_later:
            # QtWebEngine takes ~0.5 s to start: paint the window first, add the browser next.
            browser = QLabel("Starting the built-in browser…")
            browser.setAlignment(Qt.AlignmentFlag.AlignCenter)
            browser.setObjectName("browserPlaceholder")
        if browser is not None:
            self.splitter = QSplitter(Qt.Orientation.Horizontal)
            self.splitter.addWidget(browser)
            self.splitter.addWidget(right)
            self.splitter.setStretchFactor(0, 2)
            self.splitter.setStretchFactor(1, 3)
            self.splitter.setSizes([BROWSER_WIDTH, 1440 - BROWSER_WIDTH])
            self.setCentralWidget(self.splitter)
        else:
            self.setCentralWidget(right)

        self._build_actions()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        self.status_text = QLabel()
        status = self.statusBar()
        status.addWidget(self.status_text, 1)
        status.addPermanentWidget(self.progress)

        self.log.pair_selected.connect(self.detail.show_pair)
        messages.posted.connect(self.on_message)
        self._open_boxes: list[QMessageBox] = []
        self._painted = False
        self._restyling = False

    def _build_actions(self) -> None:
        self.run_demo_action = QAction("Run demo", self)
        self.run_demo_action.setToolTip(
            "Open the built-in demo shop, buy something, and watch both copies of each event"
        )
        self.run_demo_action.setShortcut(QKeySequence("Ctrl+R"))
        self.run_demo_action.triggered.connect(self.run_demo_requested.emit)
        self.import_action = QAction("Check a HAR and server log…", self)
        self.import_action.setToolTip(
            "Pair the Pixel requests of a browser export (HAR) with your server's CAPI log"
        )
        self.import_action.setShortcut(QKeySequence.StandardKey.Open)
        self.import_action.triggered.connect(self.import_requested.emit)
        self.clear_action = QAction("Clear log", self)
        self.clear_action.triggered.connect(self.model.clear)
        self.copy_action = QAction("Copy event", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.triggered.connect(self.copy_selected)
        self.quit_action = QAction("Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.quit_requested.emit)
        self.about_action = QAction("About PixelBridge", self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        self.record_action = QAction("Record journey", self)
        self.record_action.setCheckable(True)
        self.record_action.setToolTip(
            "Record your clicks and form entries in the browser as a journey that "
            "`pixelbridge verify` can replay (typed customer details are never stored)"
        )
        self.record_action.toggled.connect(self.record_journey_toggled.emit)
        self.evidence_action = QAction("Export evidence…", self)
        self.evidence_action.setToolTip(
            "Save the log as a readable HTML report and as JSON, to send to a client"
        )
        self.evidence_action.triggered.connect(self.export_evidence_requested.emit)

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.run_demo_action)
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.record_action)
        file_menu.addAction(self.evidence_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menu.addMenu("&Edit")
        edit_menu.addAction(self.copy_action)
        edit_menu.addAction(self.clear_action)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.about_action)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.run_demo_action)
        toolbar.addAction(self.record_action)
        toolbar.addAction(self.clear_action)
        run_button = toolbar.widgetForAction(self.run_demo_action)
        if run_button is not None:
            run_button.setObjectName("primaryAction")
        self.addToolBar(toolbar)

    def install_tagging(self, panel: TaggingPanel) -> None:
        self.tagging = panel
        self.tagging_scroll.setWidget(panel)  # the placeholder is deleted by the scroll area

    def show_tab(self, name: str) -> None:
        """'events' | 'tagging'."""
        self.tabs.setCurrentIndex(self.tagging_tab if name == "tagging" else self.events_tab)

    def set_browser(self, browser: QWidget) -> None:
        """Put the (late-created) browser in the left pane, replacing the placeholder."""
        old = self.splitter.replaceWidget(0, browser)
        sizes = self.splitter.sizes()
        if old is not None and old is not browser:
            old.deleteLater()
        self.browser = browser
        self.splitter.setSizes(sizes)

    @property
    def painted(self) -> bool:
        """The first frame is on screen."""
        return self._painted

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # The desktop switched between light and dark (Qt 6.5+ hands the app a new palette):
        # re-resolve the style sheet's `palette(…)` colours and the verdict tones.
        if event.type() in THEME_EVENTS and not self._restyling:
            self._restyling = True
            try:
                restyle(self)
                pair = self.log.selected_pair()
                if pair is not None:
                    self.detail.show_pair(pair)
            finally:
                self._restyling = False

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()

    async def render(self) -> None:  # type: ignore[override]  # house rule 6 (shadows QWidget.render)
        await self.log.render()
        await self.detail.render()

    # --- slots --------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        """'sandbox' | 'test' | 'live' | 'files': the title says where the events come from."""
        suffix = {
            "sandbox": " — Sandbox (no real Meta account)",
            "test": " — TEST MODE",
            "files": " — Checking exported files",
        }
        self.setWindowTitle(TITLE + suffix.get(mode, ""))

    def on_progress(self, text: str, fraction: float | None = None) -> None:
        self.status_text.setText(text)
        if fraction is None:
            self.progress.setVisible(False)
            return
        self.progress.setVisible(True)
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 100))

    def set_busy(self, busy: bool) -> None:
        self.run_demo_action.setEnabled(not busy)
        if busy:
            self.progress.setRange(0, 100)
            self.progress.setVisible(True)
        else:
            self.progress.setVisible(False)

    def show_waiting(self, text: str) -> None:
        """An indeterminate bar and what is being waited for (any wait of unknown length)."""
        self.status_text.setText(text)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)

    def clear_waiting(self) -> None:
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)

    def on_message(self, message: Message) -> None:
        self.status_text.setText(message.plain())
        if message.level != "error":
            return
        # Non-modal: `exec()` would start a nested event loop and break the asyncio tasks.
        box = QMessageBox(QMessageBox.Icon.Warning, TITLE, message.text, parent=self)
        if message.next_step:
            box.setInformativeText(message.next_step)
        box.finished.connect(lambda _result, b=box: self._open_boxes.remove(b))
        self._open_boxes.append(box)
        box.open()

    def copy_selected(self) -> None:
        pair: Pair | None = self.log.selected_pair()
        if pair is None:
            return
        QApplication.clipboard().setText(json.dumps(pair.to_json(), indent=2, default=str))
        self.status_text.setText("Copied the selected event (hashed data only).")

    def show_about(self) -> None:
        import PySide6

        box = QMessageBox(self)
        box.setWindowTitle("About PixelBridge")
        box.setText(f"PixelBridge {__version__}")
        box.setInformativeText(
            "Install Meta's Conversions API and check that every conversion is counted once.\n"
            f"Qt {PySide6.QtCore.qVersion()} · PySide6 {PySide6.__version__}"
        )
        self._open_boxes.append(box)
        box.finished.connect(lambda _result, b=box: self._open_boxes.remove(b))
        box.open()
