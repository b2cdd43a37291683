"""File → "Export evidence…": the pairs in the log as a readable HTML report and as JSON
(`capi/evidence.py`), for a consultant to send to a client. Hashed data only: the relay's
raw customer data stays in memory and the token is never part of a pair."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.capi.evidence import evidence_html, evidence_json
from desktop_app.views.qt_forms import QFileDialog

if TYPE_CHECKING:
    from desktop_app.views.main_window import MainWindow
    from desktop_app.views.messages import MessageBridge

logger = logging.getLogger(__name__)


class EvidencePresenter:
    def __init__(self, window: MainWindow, messages: MessageBridge) -> None:
        self.window, self.messages = window, messages
        self.dialog: QFileDialog | None = None
        window.export_evidence_requested.connect(self.ask)

    def ask(self) -> None:
        if not self.window.model.pairs():
            self.messages.warning(
                "The log is empty: nothing to export yet.",
                "Run the demo, browse your site, or check a HAR and server log first.",
            )
            return
        dialog = QFileDialog(self.window, "Export the evidence (HTML report + JSON)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("HTML report (*.html)")
        dialog.selectFile("pixelbridge-evidence.html")
        dialog.fileSelected.connect(lambda path: self.export(Path(path)))
        self.dialog = dialog
        dialog.open()  # non-modal: `exec()` would nest an event loop

    def export(self, target: Path) -> tuple[Path, Path]:
        """Write `target` (.html) and the same name with .json beside it."""
        html_path = target if target.suffix == ".html" else target.with_suffix(".html")
        json_path = html_path.with_suffix(".json")
        pairs = list(self.window.model.pairs())
        context = {"source": "PixelBridge desktop app", "mode": self.window.windowTitle()}
        html_path.write_text(evidence_html(pairs, **context), encoding="utf-8")
        data = evidence_json(pairs, **context)
        json_path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        self.messages.info(f"Exported {html_path.name} and {json_path.name} to {html_path.parent}.")
        return html_path, json_path
