"""Preferences: one row per setting, built from the settings table (services/settings.py).

The labels are the settings' own descriptions, so adding a setting adds its row here.
"""

from __future__ import annotations

import logging
from typing import Any

from desktop_app.services.settings import SPECS, Settings, SettingSpec
from desktop_app.views.qt import QComboBox, QLabel, QLineEdit, QVBoxLayout, QWidget, Signal
from desktop_app.views.qt_forms import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
)

logger = logging.getLogger(__name__)

HIDDEN = frozenset({"last_workspace"})  # remembered for the user, not chosen by them
TITLES: dict[str, str] = {
    "mode": "Send events to",
    "graph_url": "Graph API address",
    "check_token_at_start": "Check token on open",
    "theme": "Appearance",
    "recent_limit": "Recent sites shown",
    "show_start_screen": "Start screen",
}


class PreferencesDialog(QDialog):
    applied = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferences")
        self.setWindowTitle("Preferences")
        self.settings = settings
        self.editors: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        form = QFormLayout()
        for spec in SPECS:
            if spec.name in HIDDEN:
                continue
            editor = _editor(spec, settings.get(spec.name))
            editor.setToolTip(spec.description)
            self.editors[spec.name] = editor
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 6)
            column.addWidget(editor)
            hint = QLabel(spec.description)
            hint.setWordWrap(True)
            hint.setObjectName("settingHint")
            column.addWidget(hint)
            form.addRow(TITLES.get(spec.name, spec.name), holder)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.accepted.connect(self.apply)

    def value(self, name: str) -> Any:
        editor = self.editors[name]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        assert isinstance(editor, QLineEdit)
        return editor.text().strip()

    def apply(self) -> None:
        for name in self.editors:
            self.settings.set(name, self.value(name))
        self.settings.save()
        self.applied.emit()


def _editor(spec: SettingSpec, value: Any) -> QWidget:
    if spec.kind is bool:
        box = QCheckBox()
        box.setChecked(bool(value))
        return box
    if spec.choices:
        combo = QComboBox()
        for choice in spec.choices:
            combo.addItem(choice.capitalize(), choice)
        combo.setCurrentIndex(spec.choices.index(value))
        return combo
    if spec.kind is int:
        spin = QSpinBox()
        spin.setRange(1, 100)
        spin.setValue(int(value))
        return spin
    field = QLineEdit(str(value))
    return field
