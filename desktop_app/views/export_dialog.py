"""“Export for installation”: preview and write the files someone needs to install the site.

The bundle comes from `tagger/export.py`. A test event code in the exported config asks for
confirmation first (non-modal `QMessageBox.open()`, never `exec()`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from desktop_app.services.export_files import write_bundle
from desktop_app.tagger.config import TagConfig
from desktop_app.tagger.export import ExportBundle, build_bundle
from desktop_app.views.qt import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_app.views.qt_forms import QCheckBox, QDialog, QFileDialog

logger = logging.getLogger(__name__)


class ExportDialog(QDialog):
    exported = Signal(object)  # list[Path]

    def __init__(
        self, config: TagConfig, test_event_code: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export for installation")
        self.resize(820, 620)
        self.config = config
        self.test_event_code = test_event_code
        self.question: QMessageBox | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            "These files are everything needed to install tracking on your site and run the "
            "relay on a server. They contain no access token: the server reads it from an "
            "environment variable."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel("Relay address:"))
        self.relay_field = QLineEdit(config.relay_url or "")
        self.relay_field.setPlaceholderText("https://relay.yourshop.com/v1/events")
        self.relay_field.editingFinished.connect(self.refresh)
        row.addWidget(self.relay_field, 1)
        layout.addLayout(row)
        self.include_code = QCheckBox(
            f"Include the test event code {test_event_code} (events will go to Test events)"
        )
        self.include_code.setVisible(bool(test_event_code))
        self.include_code.toggled.connect(self.refresh)
        layout.addWidget(self.include_code)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setObjectName("exportWarnings")
        layout.addWidget(self.warnings)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.export_button = QPushButton("Export to folder…")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.choose_folder)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.bundle: ExportBundle = self._build()
        self.refresh()

    def _build(self) -> ExportBundle:
        return build_bundle(
            self.config,
            self.relay_field.text().strip(),
            test_event_code=self.test_event_code,
            include_test_code=self.include_code.isChecked(),
        )

    def refresh(self) -> None:
        self.bundle = self._build()
        self.warnings.setText("\n".join(f"⚠ {w}" for w in self.bundle.warnings))
        current = self.tabs.currentIndex()
        self.tabs.clear()
        for name, text in self.bundle.files.items():
            view = QPlainTextEdit(text)
            view.setReadOnly(True)
            self.tabs.addTab(view, name)
        self.tabs.setCurrentIndex(max(0, current))

    def choose_folder(self) -> None:
        dialog = QFileDialog(self, "Export to folder")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.open()

    def export_to(self, folder: Path) -> None:
        """Write the files, asking first when the test code is included."""
        self.bundle = self._build()
        if not self.bundle.needs_confirmation:
            self._write(folder)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Export with a test code?", "", parent=self)
        box.setObjectName("exportTestCodeQuestion")
        box.setText(f"The exported config contains the test event code {self.test_event_code}.")
        box.setInformativeText(
            "Installed like this, every real event goes to Events Manager → Test events and "
            "does not count for your ads. Export with the test code anyway?"
        )
        keep = box.addButton("Export with the test code", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)

        def done(_result: int) -> None:
            self.question = None
            if box.clickedButton() is keep:
                self._write(folder)

        box.finished.connect(done)
        self.question = box
        box.open()

    def _write(self, folder: Path) -> None:
        paths = write_bundle(self.bundle, folder)
        self.exported.emit(paths)
