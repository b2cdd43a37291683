"""Match quality for one server event: PixelBridge's EMQ estimate and what would raise it.

The estimate comes from `desktop_app.capi.emq.estimate(user_data)`; it is labelled as an
estimate because Meta computes the real Event Match Quality itself, in Events Manager.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from desktop_app.capi.emq import EmqEstimate, estimate
from desktop_app.views.field_names import field_label
from desktop_app.views.qt import QLabel, QProgressBar, Qt, QVBoxLayout, QWidget

logger = logging.getLogger(__name__)


def describe(result: EmqEstimate) -> str:
    """Rich text: which match keys were sent, which not, and the best additions."""
    parts = []
    if result.present:
        parts.append("<b>Sent:</b> " + html.escape(", ".join(map(field_label, result.present))))
    if result.missing:
        missing = ", ".join(map(field_label, result.missing))
        parts.append("<b>Not sent:</b> " + html.escape(missing))
    if result.advice:
        items = "".join(f"<li>{html.escape(a.text)} (+{a.gain:.1f})</li>" for a in result.advice)
        parts.append(f"<b>To raise it:</b><ul>{items}</ul>")
    return "<br>".join(parts)


class EmqPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.score = QLabel()
        self.score.setObjectName("emqScore")
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.addWidget(self.score)
        layout.addWidget(self.bar)
        layout.addWidget(self.details, 1)
        self.estimate: EmqEstimate | None = None

    def show_user_data(self, user_data: dict[str, Any] | None) -> None:
        self.estimate = None
        if not user_data:
            self.score.setText("No server event: nothing to estimate.")
            self.bar.setValue(0)
            self.details.setText("")
            return
        try:
            result = self.estimate = estimate(user_data)
        except Exception:  # the estimate is advice; never let it break the screen
            logger.exception("EMQ estimate failed")
            self.score.setText("Match quality estimate unavailable.")
            self.details.setText("")
            return
        self.score.setText(
            f"Match quality: {result.score:.1f} / 10, {result.rating} ({result.label})"
        )
        self.bar.setValue(round(result.score * 10))
        self.details.setText(describe(result))
