"""The rules list of the tagging panel: each rule in plain words, with edit, turn off/on,
delete, "test this rule" and, when a rule stopped matching, "use the similar element".

Passive: emits `edit_requested(dict)`, `toggled(id, on)`, `deleted(id)`, `test_requested(id)`,
`repair_accepted(id)`; the main window answers through `set_rules`, `set_test_result` and
`set_repair_offer`.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QGroupBox, QListWidget, QListWidgetItem

from desktop_app.tagger.rule_draft import describe_rule
from desktop_app.views.qt import QHBoxLayout, QLabel, QPushButton, Qt, QVBoxLayout, QWidget, Signal

logger = logging.getLogger(__name__)


class RulesBox(QGroupBox):
    edit_requested = Signal(dict)
    toggled = Signal(str, bool)
    deleted = Signal(str)
    test_requested = Signal(str)
    repair_accepted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Rules", parent)
        self._rules: list[dict[str, Any]] = []
        self._repair_rule: str | None = None
        col = QVBoxLayout(self)
        self.no_rules_label = QLabel("No rules yet: point at the first button to track.")
        self.rules_list = QListWidget()
        col.addWidget(self.no_rules_label)
        col.addWidget(self.rules_list, 1)
        row = QHBoxLayout()
        self.edit_button = QPushButton("Edit")
        self.toggle_button = QPushButton("Turn off")
        self.delete_button = QPushButton("Delete")
        self.test_button = QPushButton("Test this rule")
        self.edit_button.clicked.connect(self._edit_selected)
        self.toggle_button.clicked.connect(self._toggle_selected)
        self.delete_button.clicked.connect(self._delete_selected)
        self.test_button.clicked.connect(self._test_selected)
        for button in self._row_buttons:
            row.addWidget(button)
        col.addLayout(row)
        self.test_label = QLabel("")
        self.test_label.setWordWrap(True)
        col.addWidget(self.test_label)
        repair_row = QHBoxLayout()
        self.repair_label = QLabel("")
        self.repair_label.setWordWrap(True)
        self.repair_button = QPushButton("Use this element")
        self.repair_button.clicked.connect(self._accept_repair)
        repair_row.addWidget(self.repair_label, 1)
        repair_row.addWidget(self.repair_button)
        col.addLayout(repair_row)
        self.rules_list.currentRowChanged.connect(self._on_rule_selected)
        self.set_repair_offer(None, "")
        self._on_rule_selected(-1)

    @property
    def _row_buttons(self) -> tuple[QPushButton, ...]:
        return (self.edit_button, self.toggle_button, self.delete_button, self.test_button)

    def set_rules(self, rules: list[dict[str, Any]]) -> None:
        self._rules = [dict(r) for r in rules]
        self.rules_list.clear()
        for rule in self._rules:
            item = QListWidgetItem(describe_rule(rule))
            item.setData(Qt.ItemDataRole.UserRole, rule.get("id"))
            self.rules_list.addItem(item)
        self.no_rules_label.setVisible(not self._rules)
        self._on_rule_selected(self.rules_list.currentRow())

    def rule_ids(self) -> list[str]:
        return [str(r.get("id")) for r in self._rules]

    def set_test_result(self, text: str) -> None:
        self.test_label.setText(text)

    def set_repair_offer(self, rule_id: str | None, words: str) -> None:
        """ "Rule X matches nothing here any more. Is it this button “…”?" (None hides it)."""
        self._repair_rule = rule_id
        self.repair_label.setText(words)
        self.repair_label.setVisible(rule_id is not None)
        self.repair_button.setVisible(rule_id is not None)

    def _selected(self) -> dict[str, Any] | None:
        row = self.rules_list.currentRow()
        return self._rules[row] if 0 <= row < len(self._rules) else None

    def _on_rule_selected(self, row: int) -> None:
        rule = self._selected()
        for button in self._row_buttons:
            button.setEnabled(rule is not None)
        off = rule is not None and rule.get("enabled") is False
        self.toggle_button.setText("Turn on" if off else "Turn off")

    def _edit_selected(self) -> None:
        rule = self._selected()
        if rule is not None:
            self.edit_requested.emit(dict(rule))

    def _toggle_selected(self) -> None:
        rule = self._selected()
        if rule is not None:
            self.toggled.emit(str(rule.get("id")), rule.get("enabled") is False)

    def _delete_selected(self) -> None:
        rule = self._selected()
        if rule is not None:
            self.deleted.emit(str(rule.get("id")))

    def _test_selected(self) -> None:
        rule = self._selected()
        if rule is not None:
            self.test_label.setText("Testing… the rule is fired in the page.")
            self.test_requested.emit(str(rule.get("id")))

    def _accept_repair(self) -> None:
        if self._repair_rule is not None:
            self.repair_accepted.emit(self._repair_rule)
            self.set_repair_offer(None, "")
