"""The visible switch between the sandbox, Meta's Test events, and live.

In test mode every server event carries the site's test event code, and the title bar says so
(the presenter calls `MainWindow.set_mode`). Going live while a test code is still configured
asks first — a leftover code sends all real traffic to Test events, where it counts for
nothing (user-problems §3.5). The question is a non-modal `QMessageBox.open()`: `exec()` would
start a nested event loop under the qasync tasks.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFontMetrics

from desktop_app.views.qt import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget, Signal
from desktop_app.views.qt_forms import QButtonGroup

logger = logging.getLogger(__name__)

# mode → (button text, tooltip, banner); data, not branches.
MODES: dict[str, tuple[str, str, str]] = {
    "sandbox": (
        "Sandbox",
        "Events go to PixelBridge's built-in stand-in for Meta. No Meta account needed; "
        "nothing reaches your ads.",
        "Sandbox: practice mode, nothing is sent to Meta.",
    ),
    "test": (
        "Test",
        "Events go to Meta with your test code: watch them in Events Manager → Test events.",
        "Test mode: events go to Meta's Test events tab (code {code}).",
    ),
    "live": (
        "Live",
        "Events go to Meta and count for your ads and reports.",
        "Live: events count for your ads.",
    ),
}


# The checked button carries the mode's colour, so the state is visible at a glance.
STYLE = """
QPushButton { padding: 3px 12px; }
QPushButton:checked { color: #ffffff; font-weight: 600; border-radius: 4px; }
QPushButton#mode_sandbox:checked { background: #5f6368; border: 1px solid #5f6368; }
QPushButton#mode_test:checked { background: #975300; border: 1px solid #975300; }
QPushButton#mode_live:checked { background: #137333; border: 1px solid #137333; }
QLabel#modeBanner { padding-left: 6px; }
"""


class ModeSwitch(QWidget):
    mode_changed = Signal(str)
    test_code_cleared = Signal()  # the user chose to remove the test code when going live

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("testModeSwitch")
        self.setStyleSheet(STYLE)
        self._mode = "sandbox"
        self._test_code = ""
        self._pending: QMessageBox | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(QLabel("Send events to:"))
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        for mode, (text, tip, _banner) in MODES.items():
            button = QPushButton(text)
            button.setCheckable(True)
            button.setToolTip(tip)
            button.setObjectName(f"mode_{mode}")
            # The checked style is bold: room for the wider text, or it is clipped.
            bold = button.font()
            bold.setBold(True)
            button.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(text) + 32)
            button.clicked.connect(lambda _checked=False, m=mode: self.request_mode(m))
            self.group.addButton(button)
            self.buttons[mode] = button
            layout.addWidget(button)
        self.banner = QLabel()
        self.banner.setObjectName("modeBanner")
        layout.addWidget(self.banner)
        self.set_test_code("")

    @property
    def mode(self) -> str:
        return self._mode

    def set_test_code(self, code: str) -> None:
        self._test_code = code.strip()
        # Test mode means "with a test code": without one, events would count as live.
        test = self.buttons["test"]
        test.setEnabled(bool(self._test_code) or self._mode == "test")
        test.setToolTip(
            MODES["test"][1] if self._test_code else "Add a test code to the site first"
        )
        self._show()

    def set_mode(self, mode: str) -> None:
        """Set without asking (restoring a saved mode)."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self._mode = mode
        self._show()

    def request_mode(self, mode: str) -> None:
        """What a click does: ask first when going live with a test code configured."""
        if mode == self._mode:
            self._show()
            return
        if mode == "live" and self._test_code:
            self._ask_before_live()
            return
        self._apply(mode)

    def _ask_before_live(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, "Go live?", "", parent=self)
        box.setText(f"This site still has the test code {self._test_code}.")
        box.setInformativeText(
            "Live events that carry a test code go to Events Manager → Test events and do not "
            "count for your ads. Remove the test code and go live?"
        )
        remove = box.addButton("Remove the code and go live", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Stay in test mode", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(remove)
        box.setObjectName("goLiveQuestion")

        def done(_result: int) -> None:
            self._pending = None
            if box.clickedButton() is remove:
                self._test_code = ""
                self.test_code_cleared.emit()
                self._apply("live")
            else:
                self._show()  # put the checked button back on the current mode

        box.finished.connect(done)
        self._pending = box
        box.open()

    @property
    def pending_question(self) -> QMessageBox | None:
        return self._pending

    def _apply(self, mode: str) -> None:
        self._mode = mode
        self._show()
        self.mode_changed.emit(mode)

    def _show(self) -> None:
        # Test mode means "with a test code": without one, events would count as live.
        test = self.buttons["test"]
        test.setEnabled(bool(self._test_code) or self._mode == "test")
        test.setToolTip(
            MODES["test"][1] if self._test_code else "Add a test code to the site first"
        )
        self.buttons[self._mode].setChecked(True)
        self.banner.setText(MODES[self._mode][2].format(code=self._test_code or "not set"))
        self.setProperty("mode", self._mode)
