"""Token status for the open site: what Meta says about the token, and what to do next.

Passive: "Check", "Replace token" (a masked field, emptied as soon as it is handed over) and
"Forget token" emit signals; the presenter talks to the keyring and the Graph API and calls
`show_health`. The token itself is never displayed, not even partly.
"""

from __future__ import annotations

import logging

from desktop_app.services.token_health import WHERE_TO_FIND, TokenHealth, TokenState
from desktop_app.views.qt import (
    QEvent,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_app.views.styles import AMBER, GREEN, RED, THEME_EVENTS, is_dark, tone

logger = logging.getLogger(__name__)

# state → (symbol, colour) for the headline; meaning-bearing colours, in the theme's tone.
STATE_LOOK: dict[TokenState, tuple[str, str]] = {
    TokenState.WORKS: ("✔", GREEN),
    TokenState.MISSING: ("●", AMBER),
    TokenState.INVALID: ("✖", RED),
    TokenState.NO_PERMISSION: ("✖", RED),
    TokenState.OFFLINE: ("?", AMBER),
    TokenState.UNKNOWN: ("?", AMBER),
}
MASK = "••••••••••••"


class TokenPanel(QWidget):
    check_requested = Signal()
    replace_requested = Signal(str)  # the new token: hand it to the keyring, keep no copy
    forget_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenPanel")
        layout = QVBoxLayout(self)
        self.headline = QLabel("Access token: not checked yet")
        self.headline.setObjectName("tokenHeadline")
        self.headline.setWordWrap(True)
        self.stored = QLabel()
        self.next_step = QLabel()
        self.next_step.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setObjectName("tokenDetail")
        for label in (self.headline, self.stored, self.next_step, self.detail):
            layout.addWidget(label)

        buttons = QHBoxLayout()
        self.check_button = QPushButton("Check")
        self.check_button.setToolTip("Ask Meta whether this token may send events for the Pixel")
        self.check_button.clicked.connect(self.check_requested.emit)
        self.replace_button = QPushButton("Replace token…")
        self.replace_button.clicked.connect(self._open_replace)
        self.forget_button = QPushButton("Forget token")
        self.forget_button.setToolTip("Remove the token from this computer's keyring")
        self.forget_button.clicked.connect(self.forget_requested.emit)
        for button in (self.check_button, self.replace_button, self.forget_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.replace_row = QWidget()
        row = QHBoxLayout(self.replace_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.token_field = QLineEdit()
        self.token_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_field.setPlaceholderText("Paste the new access token")
        self.token_field.returnPressed.connect(self._save)
        self.save_button = QPushButton("Save in keyring")
        self.save_button.clicked.connect(self._save)
        row.addWidget(self.token_field, 1)
        row.addWidget(self.save_button)
        self.replace_row.setVisible(False)
        layout.addWidget(self.replace_row)
        help_text = QLabel(f"Where do I find this? {WHERE_TO_FIND}")
        help_text.setWordWrap(True)
        help_text.setObjectName("tokenHelp")
        layout.addWidget(help_text)
        layout.addStretch(1)
        self.set_stored(False)
        self._health: TokenHealth | None = None

    def set_stored(self, stored: bool, source: str = "keyring") -> None:
        where = "the environment variable" if source == "env" else "this computer's keyring"
        self.stored.setText(f"Stored in {where}: {MASK}" if stored else "No token stored.")
        self.forget_button.setEnabled(stored and source != "env")

    def set_busy(self, busy: bool) -> None:
        self.check_button.setEnabled(not busy)
        if busy:
            self.headline.setText("Checking the access token with Meta…")
            self.headline.setStyleSheet("")

    def show_problem(self, text: str, next_step: str) -> None:
        """The check itself failed (no answer, a crash): what happened and what to do."""
        self._health = None
        self.headline.setText(f"✖ {text}")
        self.next_step.setText(next_step)
        self.detail.setText("")

    def show_health(self, result: TokenHealth) -> None:
        self._health = result
        self.headline.setText(f"{STATE_LOOK[result.state][0]} {result.title}")
        self._colour_headline()
        self.next_step.setText("" if result.ok else result.next_step)
        code = f"Meta error {result.code}" if result.code is not None else ""
        if result.subcode is not None:
            code += f" / {result.subcode}"
        self.detail.setText(" · ".join(p for p in (code, result.detail) if p))
        self.check_button.setEnabled(True)

    def _colour_headline(self) -> None:
        if self._health is None:
            self.headline.setStyleSheet("")
            return
        colour = tone(STATE_LOOK[self._health.state][1], is_dark(self.palette()))
        self.headline.setStyleSheet(f"color: {colour}; font-weight: 600;")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in THEME_EVENTS:  # light ↔ dark: the headline takes the other tone
            self._colour_headline()

    def _open_replace(self) -> None:
        self.replace_row.setVisible(True)
        self.token_field.setFocus()

    def _save(self) -> None:
        token = self.token_field.text().strip()
        self.token_field.clear()  # no copy stays in the widget
        if not token:
            return
        self.replace_row.setVisible(False)
        self.replace_requested.emit(token)
