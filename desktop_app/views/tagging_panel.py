"""The tagging panel beside the embedded browser: say what a click, form or page means.

Passive widget: it shows what was picked and emits what the owner asks for; the main window
wires it to `PickerService` (pick mode, live match counts, repair) and to the tag config.
Signals: `pick_requested(mode)` with mode element|value|field|page, `pick_cancelled()`,
`selectors_changed(list)` (recount live matches), `rule_saved(dict)`, `rule_toggled(id, on)`,
`rule_deleted(id)`, `rule_test_requested(id)`, `preset_accepted()`.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QCheckBox, QGroupBox, QListWidget, QListWidgetItem

from desktop_app.services.picker import MatchCount, Pick
from desktop_app.tagger.events import STANDARD_EVENTS
from desktop_app.tagger.locators import UrlPattern, suggest_url_pattern
from desktop_app.tagger.rule_draft import RuleDraft, describe_rule, event_label, needs_value
from desktop_app.views.qt import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

logger = logging.getLogger(__name__)

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "CAD", "AUD", "SEK", "PLN", "JPY", "INR", "BRL")
URL_MATCHES = ("contains", "equals", "prefix", "regex")
ROLE_WORDS = {"button": "Button", "link": "Link", "form": "Form", "textbox": "Field"}
# Colour of the live match line: exactly one match is what a rule should have.
MATCH_STYLES = {"one": "color: #1e7b34;", "many": "color: #b26a00;", "none": "color: #b3261e;"}
PICK_MODE_WORDS = {
    "element": "Click the button, link or form on the page (Esc to stop)…",
    "value": "Click the price or total on the page…",
    "field": "Click the form field on the page…",
}


def target_words(pick: Pick) -> str:
    if pick.bundle is None:
        return pick.url
    bundle = pick.bundle
    word = ROLE_WORDS.get(bundle.role or "", bundle.tag or "Element")
    name = bundle.name or bundle.text
    where = " (inside an embedded frame)" if pick.frame_url else ""
    return (f"{word} “{name[:50]}”" if name else word) + where


class TaggingPanel(QWidget):
    pick_requested = Signal(str)
    pick_cancelled = Signal()
    selectors_changed = Signal(list)
    rule_saved = Signal(dict)
    rule_toggled = Signal(str, bool)
    rule_deleted = Signal(str)
    rule_test_requested = Signal(str)
    preset_accepted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = RuleDraft()
        self._rules: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_banner())
        layout.addWidget(self._build_event_box())
        layout.addWidget(self._build_target_box())
        layout.addWidget(self._build_value_box())
        layout.addWidget(self._build_fields_box())
        self.problems_label = QLabel("")
        self.problems_label.setWordWrap(True)
        self.save_button = QPushButton("Save rule")
        self.save_button.clicked.connect(self._save)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.save_button)
        layout.addWidget(self._build_rules_box(), 1)
        self._on_event_changed()

    # --- construction ------------------------------------------------------------------------
    def _build_banner(self) -> QFrame:
        self.banner = QFrame()
        self.banner.setStyleSheet("QFrame { background: #e7f0fd; border-radius: 6px; }")
        row = QHBoxLayout(self.banner)
        self.banner_label = QLabel("")
        self.banner_label.setWordWrap(True)
        self.banner_button = QPushButton("Use them")
        self.banner_button.clicked.connect(self.preset_accepted.emit)
        row.addWidget(self.banner_label, 1)
        row.addWidget(self.banner_button)
        self.banner.hide()
        return self.banner

    def _build_event_box(self) -> QGroupBox:
        box = QGroupBox("1. What does the visitor do?")
        self.event_combo = QComboBox()
        for name in STANDARD_EVENTS:
            if name != "PageView":  # sent by the base pixel on every page
                self.event_combo.addItem(event_label(name), name)
        self.event_combo.setCurrentIndex(self.event_combo.findData("AddToCart"))
        self.event_combo.currentIndexChanged.connect(self._on_event_changed)
        QVBoxLayout(box).addWidget(self.event_combo)
        return box

    def _build_target_box(self) -> QGroupBox:
        box = QGroupBox("2. Where?")
        col = QVBoxLayout(box)
        row = QHBoxLayout()
        self.point_button = QPushButton("Point at a button or form")
        self.point_button.clicked.connect(lambda: self._request_pick("element"))
        self.page_button = QPushButton("This page")
        self.page_button.clicked.connect(lambda: self.pick_requested.emit("page"))
        row.addWidget(self.point_button)
        row.addWidget(self.page_button)
        col.addLayout(row)
        self.target_label = QLabel("Nothing chosen yet.")
        self.target_label.setWordWrap(True)
        self.match_label = QLabel("")
        self.restrict_check = QCheckBox("Only on pages whose address…")
        self.restrict_check.toggled.connect(self._on_url_edited)
        url_row = QHBoxLayout()
        self.url_match = QComboBox()
        self.url_match.addItems(list(URL_MATCHES))
        self.url_value = QLineEdit()
        self.url_value.setPlaceholderText("/order-received/")
        self.url_match.currentIndexChanged.connect(self._on_url_edited)
        self.url_value.textEdited.connect(self._on_url_edited)
        url_row.addWidget(self.url_match)
        url_row.addWidget(self.url_value, 1)
        for widget in (self.target_label, self.match_label, self.restrict_check):
            col.addWidget(widget)
        col.addLayout(url_row)
        return box

    def _build_value_box(self) -> QGroupBox:
        self.value_box = QGroupBox("3. Value of the event")
        row = QHBoxLayout(self.value_box)
        self.value_button = QPushButton("Point at the price")
        self.value_button.clicked.connect(lambda: self._request_pick("value"))
        self.value_edit = QLineEdit()
        self.value_edit.setPlaceholderText("or a fixed value, e.g. 49.90")
        self.value_edit.textEdited.connect(self._on_value_edited)
        self.currency_combo = QComboBox()
        self.currency_combo.setEditable(True)
        self.currency_combo.addItems(["", *CURRENCIES])
        self.currency_combo.currentTextChanged.connect(self._on_currency_changed)
        row.addWidget(self.value_button)
        row.addWidget(self.value_edit, 1)
        row.addWidget(self.currency_combo)
        return self.value_box

    def _build_fields_box(self) -> QGroupBox:
        box = QGroupBox("Customer details from the form (optional, sent hashed)")
        col = QVBoxLayout(box)
        self.field_button = QPushButton("Point at the email, phone or name field")
        self.field_button.clicked.connect(lambda: self._request_pick("field"))
        self.fields_label = QLabel("")
        col.addWidget(self.field_button)
        col.addWidget(self.fields_label)
        return box

    def _build_rules_box(self) -> QGroupBox:
        box = QGroupBox("Rules")
        col = QVBoxLayout(box)
        self.rules_list = QListWidget()
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
        self.rules_list.currentRowChanged.connect(self._on_rule_selected)
        for button in (self.edit_button, self.toggle_button, self.delete_button, self.test_button):
            row.addWidget(button)
        col.addLayout(row)
        self.test_label = QLabel("")
        self.test_label.setWordWrap(True)
        col.addWidget(self.test_label)
        self._on_rule_selected(-1)
        return box

    # --- setters (called by the main window) --------------------------------------------------
    def set_pick_active(self, mode: str | None) -> None:
        self.target_label.setText(PICK_MODE_WORDS.get(mode or "", self.target_label.text()))

    def on_pick(self, pick: Pick) -> None:
        if pick.blocked_reason:
            self.target_label.setText(pick.blocked_reason)
            self.target_label.setStyleSheet(MATCH_STYLES["none"])
            return
        self.target_label.setStyleSheet("")
        if pick.mode == "page" and pick.url_pattern is not None:
            self.draft.bundle = None
            self._set_page(pick.url_pattern, restrict=False)
            self.target_label.setText(f"Opening this page: {pick.url_pattern.reason}.")
            self.match_label.setText("")
        elif pick.mode == "value" and pick.bundle is not None and pick.bundle.selectors:
            self.draft.value_selector = pick.bundle.selectors[0]
            self.draft.value_fixed = None
            shown = f"{pick.price[0]:g}" if pick.price else pick.bundle.text
            self.value_edit.setText(f"from the page: {shown}")
            if pick.price and pick.price[1]:
                self.currency_combo.setCurrentText(pick.price[1])
        elif pick.mode == "field" and pick.bundle is not None and pick.bundle.selectors:
            key = pick.field_kind or "name"
            self.draft.user_fields[key] = pick.bundle.selectors[0]
            self.fields_label.setText(", ".join(sorted(self.draft.user_fields)))
        elif pick.bundle is not None:
            self.draft.bundle = pick.bundle
            self.target_label.setText(target_words(pick))
            if pick.url:
                self._set_page(pick.url_pattern or suggest_url_pattern(pick.url), restrict=False)
            self.selectors_changed.emit(list(pick.bundle.selectors))
        self._refresh_problems()

    def set_match_count(self, count: MatchCount) -> None:
        """Live "matches N elements on this page" for the chosen selectors."""
        if count.total == 1:
            text, style = "Matches 1 element on this page.", "one"
        elif count.total > 1:
            text = (
                f"Matches {count.total} elements on this page: the rule would fire on each. "
                "Point at something more specific if that is not what you want."
            )
            style = "many"
        elif count.text_matches:
            text, style = f"Matches {count.text_matches} element by its text only.", "many"
        else:
            text, style = "Matches nothing on this page.", "none"
        self.match_label.setText(text)
        self.match_label.setStyleSheet(MATCH_STYLES[style])

    def set_rules(self, rules: list[dict[str, Any]]) -> None:
        self._rules = [dict(r) for r in rules]
        self.rules_list.clear()
        for rule in self._rules:
            item = QListWidgetItem(describe_rule(rule))
            item.setData(Qt.ItemDataRole.UserRole, rule.get("id"))
            self.rules_list.addItem(item)
        self._on_rule_selected(self.rules_list.currentRow())

    def set_platform(self, platform: str | None, preset: list[str], native: list[str]) -> None:
        if not platform:
            self.banner.hide()
            return
        text = f"{platform} detected"
        if preset:
            text += f" — {', '.join(preset)} can be tracked automatically. Use them?"
        if native:
            text += f" Already sent by the site itself: {', '.join(native)}."
        self.banner_label.setText(text)
        self.banner_button.setVisible(bool(preset))
        self.banner.show()

    def set_test_result(self, text: str) -> None:
        self.test_label.setText(text)

    # --- internal slots -------------------------------------------------------------------------
    def _request_pick(self, mode: str) -> None:
        self.set_pick_active(mode)
        self.pick_requested.emit(mode)

    def _set_page(self, pattern: UrlPattern, *, restrict: bool) -> None:
        widgets = (self.url_match, self.url_value, self.restrict_check)
        for widget in widgets:  # filled from code: not an edit by the owner
            widget.blockSignals(True)
        self.url_match.setCurrentText(pattern.match)
        self.url_value.setText(pattern.value)
        self.restrict_check.setChecked(restrict)
        for widget in widgets:
            widget.blockSignals(False)
        self.draft.page = pattern
        self.draft.restrict_to_page = restrict

    def _on_url_edited(self, *_: object) -> None:
        value = self.url_value.text().strip()
        self.draft.page = (
            UrlPattern(self.url_match.currentText(), value, "edited") if value else None
        )
        self.draft.restrict_to_page = self.restrict_check.isChecked()
        self._refresh_problems()

    def _on_event_changed(self, *_: object) -> None:
        self.draft.event = str(self.event_combo.currentData())
        self.value_box.setVisible(needs_value(self.draft.event))
        self._refresh_problems()

    def _on_value_edited(self, text: str) -> None:
        self.draft.value_selector = None
        try:
            self.draft.value_fixed = float(text.replace(",", ".")) if text.strip() else None
        except ValueError:
            self.draft.value_fixed = None
        self._refresh_problems()

    def _on_currency_changed(self, text: str) -> None:
        self.draft.currency = text.strip().upper() or None
        self._refresh_problems()

    def _refresh_problems(self) -> None:
        problems = self.draft.problems()
        self.problems_label.setText("\n".join(problems))
        self.save_button.setEnabled(not problems)

    def _save(self) -> None:
        if self.draft.problems():
            return
        others = [str(r.get("id")) for r in self._rules if r.get("id") != self.draft.rule_id]
        self.rule_saved.emit(self.draft.to_rule(others))
        self.draft = RuleDraft(event=self.draft.event, currency=self.draft.currency)
        self.target_label.setText("Saved. Point at the next thing to track.")
        self.match_label.setText("")
        self.value_edit.clear()
        self.fields_label.clear()
        self._refresh_problems()

    def _selected(self) -> dict[str, Any] | None:
        row = self.rules_list.currentRow()
        return self._rules[row] if 0 <= row < len(self._rules) else None

    def _on_rule_selected(self, row: int) -> None:
        rule = self._selected()
        for button in (self.edit_button, self.toggle_button, self.delete_button, self.test_button):
            button.setEnabled(rule is not None)
        off = rule is not None and rule.get("enabled") is False
        self.toggle_button.setText("Turn on" if off else "Turn off")

    def _edit_selected(self) -> None:
        rule = self._selected()
        if rule is None:
            return
        self.draft = RuleDraft.from_rule(rule)
        self.event_combo.setCurrentIndex(max(0, self.event_combo.findData(self.draft.event)))
        self.target_label.setText(f"Editing: {describe_rule(rule)}")
        if self.draft.page is not None:
            self._set_page(self.draft.page, restrict=self.draft.restrict_to_page)
        if self.draft.bundle is not None:
            self.selectors_changed.emit(list(self.draft.bundle.selectors))
        self._refresh_problems()

    def _toggle_selected(self) -> None:
        rule = self._selected()
        if rule is not None:
            self.rule_toggled.emit(str(rule.get("id")), rule.get("enabled") is False)

    def _delete_selected(self) -> None:
        rule = self._selected()
        if rule is not None:
            self.rule_deleted.emit(str(rule.get("id")))

    def _test_selected(self) -> None:
        rule = self._selected()
        if rule is not None:
            self.test_label.setText("Testing… the rule is fired in the page.")
            self.rule_test_requested.emit(str(rule.get("id")))
