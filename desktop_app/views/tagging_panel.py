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

from PySide6.QtWidgets import QCheckBox, QGroupBox

from desktop_app.services.page_locator import MatchCount
from desktop_app.services.picker import Pick
from desktop_app.tagger.events import STANDARD_EVENTS
from desktop_app.tagger.locators import UrlPattern, suggest_section_pattern
from desktop_app.tagger.rule_draft import RuleDraft, describe_rule, event_label, needs_value
from desktop_app.views.qt import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_app.views.styles import AMBER, GREEN, ON_TINT, RED, is_dark, tone
from desktop_app.views.tagging_rules import RulesBox

logger = logging.getLogger(__name__)

CUSTOM = "__custom__"
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "CAD", "AUD", "SEK", "PLN", "JPY", "INR", "BRL")
# URL condition in plain words (the rule stores the technical name).
URL_MATCHES = (
    ("prefix", "starts with"),
    ("contains", "contains"),
    ("equals", "is exactly"),
    ("regex", "matches the pattern (advanced)"),
)
ROLE_WORDS = {"button": "Button", "link": "Link", "form": "Form", "textbox": "Field"}
# Colour of the live match line: exactly one match is what a rule should have.
# (AA contrast on light and dark windows: views/styles.py, tests/views/test_contrast.py.)
MATCH_STYLES = {"one": GREEN, "many": AMBER, "none": RED}
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
    preset_accepted = Signal()
    # rule_toggled(id, on), rule_deleted(id), rule_test_requested(id), repair_accepted(id):
    # the rules list's signals, re-exposed (see `tagging_rules.RulesBox`).

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = RuleDraft()
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
        self.rules = RulesBox()
        self.rules.edit_requested.connect(self._edit_rule)
        self.rule_toggled = self.rules.toggled
        self.rule_deleted = self.rules.deleted
        self.rule_test_requested = self.rules.test_requested
        self.repair_accepted = self.rules.repair_accepted
        layout.addWidget(self.rules, 1)
        self._on_event_changed()

    # --- construction ------------------------------------------------------------------------
    def _build_banner(self) -> QFrame:
        self.banner = QFrame()
        # Dark text on the light tint in both themes (the palette's text is light when dark);
        # the banner's QLabel is a QFrame too, so it takes both.
        self.banner.setStyleSheet(
            f"QFrame {{ background: #e7f0fd; border-radius: 6px; color: {ON_TINT}; }}"
        )
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
        self.event_combo.addItem("Something else (custom event)…", CUSTOM)
        self.event_combo.setCurrentIndex(self.event_combo.findData("AddToCart"))
        self.event_combo.currentIndexChanged.connect(self._on_event_changed)
        self.custom_event = QLineEdit()
        self.custom_event.setPlaceholderText("Name, e.g. BookDemo (letters, digits, _)")
        self.custom_event.textEdited.connect(self._on_event_changed)
        col = QVBoxLayout(box)
        col.addWidget(self.event_combo)
        col.addWidget(self.custom_event)
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
        for value, words in URL_MATCHES:
            self.url_match.addItem(words, value)
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

    # --- setters (called by the main window) --------------------------------------------------
    def set_pick_active(self, mode: str | None) -> None:
        self.target_label.setText(PICK_MODE_WORDS.get(mode or "", self.target_label.text()))

    def on_pick(self, pick: Pick) -> None:
        if pick.blocked_reason:
            self.target_label.setText(pick.blocked_reason)
            self.target_label.setStyleSheet(self._match_style("none"))
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
            currency = f" {pick.price[1]}" if pick.price and pick.price[1] else ""
            self.value_edit.setText(f"from the page: {shown}{currency}")
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
                self._set_page(suggest_section_pattern(pick.url), restrict=False)
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
        self.match_label.setStyleSheet(self._match_style(style))

    def _match_style(self, key: str) -> str:
        return f"color: {tone(MATCH_STYLES[key], is_dark(self.palette()))};"

    def set_rules(self, rules: list[dict[str, Any]]) -> None:
        self.rules.set_rules(rules)

    def set_test_result(self, text: str) -> None:
        self.rules.set_test_result(text)

    def set_repair_offer(self, rule_id: str | None, words: str) -> None:
        self.rules.set_repair_offer(rule_id, words)

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

    # --- internal slots -------------------------------------------------------------------------
    def _request_pick(self, mode: str) -> None:
        self.set_pick_active(mode)
        self.pick_requested.emit(mode)

    def _set_page(self, pattern: UrlPattern, *, restrict: bool) -> None:
        widgets = (self.url_match, self.url_value, self.restrict_check)
        for widget in widgets:  # filled from code: not an edit by the owner
            widget.blockSignals(True)
        self.url_match.setCurrentIndex(max(0, self.url_match.findData(pattern.match)))
        self.url_value.setText(pattern.value)
        self.restrict_check.setChecked(restrict)
        for widget in widgets:
            widget.blockSignals(False)
        self.draft.page = pattern
        self.draft.restrict_to_page = restrict

    def _on_url_edited(self, *_: object) -> None:
        value = self.url_value.text().strip()
        self.draft.page = (
            UrlPattern(str(self.url_match.currentData()), value, "edited") if value else None
        )
        self.draft.restrict_to_page = self.restrict_check.isChecked()
        self._refresh_problems()

    def _on_event_changed(self, *_: object) -> None:
        custom = self.event_combo.currentData() == CUSTOM
        self.custom_event.setVisible(custom)
        self.draft.event = (
            self.custom_event.text().strip() if custom else self.event_combo.currentData()
        )
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
        others = [rid for rid in self.rules.rule_ids() if rid != self.draft.rule_id]
        self.rule_saved.emit(self.draft.to_rule(others))
        self.draft = RuleDraft(event=self.draft.event, currency=self.draft.currency)
        self.target_label.setText("Saved. Point at the next thing to track.")
        self.match_label.setText("")
        self.value_edit.clear()
        self.fields_label.clear()
        self._refresh_problems()

    def _edit_rule(self, rule: dict[str, Any]) -> None:
        self.draft = RuleDraft.from_rule(rule)
        index = self.event_combo.findData(self.draft.event)
        if index < 0:  # a custom event
            index = self.event_combo.findData(CUSTOM)
            self.custom_event.setText(self.draft.event)
        self.event_combo.setCurrentIndex(index)
        self.target_label.setText(f"Editing: {describe_rule(rule)}")
        if self.draft.page is not None:
            self._set_page(self.draft.page, restrict=self.draft.restrict_to_page)
        if self.draft.bundle is not None:
            self.selectors_changed.emit(list(self.draft.bundle.selectors))
        self._refresh_problems()
