"""The setup wizard's pages (widgets) and the install step's snippet. Checks and navigation
are in setup_wizard.py."""

from __future__ import annotations

import logging

from desktop_app.services.setup_checks import SetupDraft
from desktop_app.services.token_health import WHERE_TO_FIND
from desktop_app.tagger.export import PLACEHOLDER_RELAY, install_steps
from desktop_app.tagger.snippet import render_snippet
from desktop_app.views.qt import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_app.views.setup_browser import PickRow, SiteView

logger = logging.getLogger(__name__)


def clear_layout(layout: QHBoxLayout | QVBoxLayout) -> None:
    """Remove what a page showed last time (its step can be entered again after Back)."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


class SetupPages(QWidget):
    """Builds one page per step (`_page_<key>`); the wizard subclass does the rest."""

    export_requested = Signal(object)  # SetupDraft
    draft: SetupDraft
    site_view: SiteView | None  # the embedded browser beside the steps, if the app has one

    def _next_clicked(self) -> None:
        raise NotImplementedError

    def _say(self, text: str, state: str) -> None:
        raise NotImplementedError

    # --- pages ----------------------------------------------------------------------------
    def _page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 12, 0, 0)
        return page, layout

    def _page_site(self) -> QWidget:
        page, layout = self._page()
        self.url_field = QLineEdit()
        self.url_field.setPlaceholderText("https://myshop.com")
        self.url_field.returnPressed.connect(self._next_clicked)
        layout.addWidget(QLabel("Website address"))
        layout.addWidget(self.url_field)
        self.site_facts = QLabel()
        self.site_facts.setTextFormat(Qt.TextFormat.PlainText)
        self.site_facts.setWordWrap(True)
        layout.addWidget(self.site_facts)
        layout.addStretch(1)
        return page

    def _page_pixel(self) -> QWidget:
        page, layout = self._page()
        layout.addWidget(QLabel("Pixel id"))
        self.pixel_field = QLineEdit()
        self.pixel_field.setPlaceholderText("1234567890123456")
        self.pixel_field.returnPressed.connect(self._next_clicked)
        layout.addWidget(self.pixel_field)
        self.found_label = QLabel()
        self.found_label.setWordWrap(True)
        layout.addWidget(self.found_label)
        self.found_row = QHBoxLayout()
        layout.addLayout(self.found_row)
        layout.addStretch(1)
        return page

    def _page_token(self) -> QWidget:
        page, layout = self._page()
        layout.addWidget(QLabel("Access token"))
        self.token_field = QLineEdit()
        self.token_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_field.setPlaceholderText("Paste the token here (it is hidden)")
        self.token_field.returnPressed.connect(self._next_clicked)
        layout.addWidget(self.token_field)
        self.token_stored = QLabel()
        layout.addWidget(self.token_stored)
        help_label = QLabel(
            f"<b>Where do I find this?</b> {WHERE_TO_FIND} Copy the long text that starts "
            "with “EAA” and paste it above. You only do this once."
        )
        help_label.setWordWrap(True)
        layout.addWidget(help_label)
        layout.addStretch(1)
        return page

    def _page_test_code(self) -> QWidget:
        page, layout = self._page()
        layout.addWidget(QLabel("Test code (optional, recommended while setting up)"))
        self.code_field = QLineEdit()
        self.code_field.setPlaceholderText("TEST12345")
        self.code_field.returnPressed.connect(self._next_clicked)
        layout.addWidget(self.code_field)
        note = QLabel(
            "Remember to switch to Live when you are done: the switch at the top of the main "
            "window asks you before removing the code."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addStretch(1)
        return page

    def _page_tagging(self) -> QWidget:
        page, layout = self._page()
        self.tagging_note = QLabel()
        self.tagging_note.setWordWrap(True)
        layout.addWidget(self.tagging_note)
        self.rules_box = QVBoxLayout()
        layout.addLayout(self.rules_box)
        self.pick_row = PickRow()  # point at a button on the site shown beside the steps
        self.pick_row.setVisible(self.site_view is not None)
        layout.addWidget(self.pick_row)
        layout.addStretch(1)
        return page

    def _page_test_event(self) -> QWidget:
        page, layout = self._page()
        self.send_button = QPushButton("Send a test event")
        self.send_button.clicked.connect(self._next_clicked)
        layout.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.where_to_look = QLabel()
        self.where_to_look.setWordWrap(True)
        layout.addWidget(self.where_to_look)
        layout.addStretch(1)
        return page

    def _page_install(self) -> QWidget:
        page, layout = self._page()
        row = QHBoxLayout()
        row.addWidget(QLabel("Your relay's address:"))
        self.relay_field = QLineEdit()
        self.relay_field.setPlaceholderText(PLACEHOLDER_RELAY)
        self.relay_field.editingFinished.connect(self._fill_install)
        row.addWidget(self.relay_field, 1)
        layout.addLayout(row)
        relay_hint = QLabel(
            "The relay is the small PixelBridge server that passes your site's events on to "
            "Meta. Whoever hosts it gives you this address; you can leave it empty for now and "
            "export the files again later (File → Export for installation)."
        )
        relay_hint.setWordWrap(True)
        relay_hint.setObjectName("relayHint")
        layout.addWidget(relay_hint)
        self.install_steps = QLabel()
        self.install_steps.setWordWrap(True)
        self.install_steps.setTextFormat(Qt.TextFormat.PlainText)  # steps mention <head>
        layout.addWidget(self.install_steps)
        self.snippet_view = QPlainTextEdit()
        self.snippet_view.setReadOnly(True)
        layout.addWidget(self.snippet_view, 1)
        buttons = QHBoxLayout()
        copy = QPushButton("Copy the code")
        copy.clicked.connect(self.copy_snippet)
        export = QPushButton("Export all files…")
        export.setToolTip("The code, the tag config and how to run the relay on a server")
        export.clicked.connect(lambda: self.export_requested.emit(self.draft))
        buttons.addWidget(copy)
        buttons.addWidget(export)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return page

    # --- filling pages when their step opens ----------------------------------------------
    def _enter_pixel(self) -> None:
        clear_layout(self.found_row)
        found = self.draft.site.pixel_ids if self.draft.site else []
        self.found_label.setText(
            "Found on your site — click to use it:"
            if found
            else "No Pixel was found on your site yet; PixelBridge's code will add it."
        )
        for pixel_id in found:
            button = QPushButton(pixel_id)
            button.clicked.connect(lambda _c=False, p=pixel_id: self.pixel_field.setText(p))
            self.found_row.addWidget(button)
        self.found_row.addStretch(1)
        if found and not self.pixel_field.text():
            self.pixel_field.setText(found[0])

    # --- the install step -----------------------------------------------------------------
    def _enter_install(self) -> None:
        steps = install_steps(self.draft.platform)
        self.install_steps.setText("\n".join(f"{n}. {s}" for n, s in enumerate(steps, 1)))
        self._fill_install()

    def _fill_install(self) -> None:
        self.draft.relay_url = self.relay_field.text().strip()
        config = self.draft.tag_config()
        self.snippet_view.setPlainText(
            render_snippet(config, self.draft.relay_url or PLACEHOLDER_RELAY)
        )

    async def _check_install(self) -> bool:
        self.draft.relay_url = self.relay_field.text().strip()
        return True

    def copy_snippet(self) -> None:
        QApplication.clipboard().setText(self.snippet_view.toPlainText())
        self._say("✔ Copied. Paste it into your site as the steps above say.", "good")
