"""The setup wizard's view of the owner's site: the app's embedded browser, beside the steps.

When the desktop app has its embedded browser (QtWebEngine driven over CDP,
services/embedded_browser.py), the wizard shows the site in a `BrowserView` of its own: the
site check reads that very page, and the tagging step lets the owner point at a button on it.
Meta's endpoints are answered locally on this page (`site_probe.MetaStub`) for the wizard's
whole life, so nothing the site sends while it is being set up reaches Meta.
Without QtWebEngine the wizard checks the site headless instead (services/setup_checks.py).
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from desktop_app.services.site_probe import MetaStub
from desktop_app.tagger.events import STANDARD_EVENTS
from desktop_app.tagger.rule_draft import RuleDraft, event_label
from desktop_app.views.qt import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QUrl,
    QVBoxLayout,
    QWidget,
    Signal,
)

if TYPE_CHECKING:
    from playwright.async_api import Page

    from desktop_app.services.embedded_browser import EmbeddedBrowser
    from desktop_app.services.picker import Pick, PickerService
    from desktop_app.services.setup_checks import SiteCheck
    from desktop_app.views.browser_view import BrowserView
    from desktop_app.views.setup_steps import SetupBackend

logger = logging.getLogger(__name__)

# What a click can mean, in the order owners usually need them (Purchase needs a value, so it
# is set up from the main window's tagging panel, where the price can be pointed at too).
CLICK_EVENTS = tuple(
    e
    for e in (
        "AddToCart",
        "InitiateCheckout",
        "Lead",
        "CompleteRegistration",
        "Contact",
        "Subscribe",
        "AddToWishlist",
        "Schedule",
    )
    if e in STANDARD_EVENTS
)


class SiteView:
    """The wizard's page in the embedded browser: opened once, probed and picked on."""

    def __init__(self, view: BrowserView, embedded: EmbeddedBrowser) -> None:
        from desktop_app.services.picker import PickerService

        self.view, self.embedded = view, embedded
        self.stub = MetaStub()
        self.picker: PickerService = PickerService()
        self._page: Page | None = None
        # A blank page with a mark of its own: the main window's view may show the same site.
        self._mark = f"pixelbridge-setup-{uuid.uuid4().hex[:12]}"

    async def page(self) -> Page:
        if self._page is not None and not self._page.is_closed():
            return self._page
        self.view.view.load(QUrl(f"about:blank#{self._mark}"))
        page = await self.embedded.page(lambda url: url.endswith(self._mark))
        await self.stub.attach(page)  # before the site loads: its Pixel never reaches Meta
        self._page = page
        return page

    async def probe(self, backend: SetupBackend, url: str) -> SiteCheck:
        """Open `url` in the view and check it there (what the owner sees is what is checked)."""
        page = await self.page()
        return await backend.probe_site(url, page=page, stub=self.stub)

    async def start_pick(self) -> None:
        """Pick mode on the page: the next click on it arrives through the picker's listeners."""
        page = await self.page()
        if self.picker.page is not page:
            await self.picker.attach(page)
        await self.picker.start("element")

    async def stop(self) -> None:
        if self.picker.mode is not None:
            await self.picker.stop()


class PickRow(QWidget):
    """“When someone clicks … [event] → Point at it on your site”, in the tagging step."""

    pick_requested = Signal()
    rule_picked = Signal(object)  # a rule dict (tag config shape)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        heading = QLabel("Add a button from your site:")
        heading.setObjectName("pickHeading")
        layout.addWidget(heading)
        row = QHBoxLayout()
        row.addWidget(QLabel("A click on it means"))
        self.event_combo = QComboBox()
        for event in CLICK_EVENTS:
            self.event_combo.addItem(event_label(event), event)
        row.addWidget(self.event_combo, 1)
        self.point_button = QPushButton("Point at it on your site")
        self.point_button.setToolTip("Then click the button in the page on the right")
        self.point_button.clicked.connect(self.pick_requested.emit)
        row.addWidget(self.point_button)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("pickStatus")
        layout.addWidget(self.status)

    def set_waiting(self) -> None:
        self.point_button.setEnabled(False)
        self.status.setText("Click the button on your site, on the right (Esc to stop)…")

    def on_pick(self, pick: Pick, taken_ids: list[str]) -> None:
        self.point_button.setEnabled(True)
        if pick.blocked_reason:
            self.status.setText(pick.blocked_reason)
            return
        draft = RuleDraft(event=str(self.event_combo.currentData()), bundle=pick.bundle)
        problems = draft.problems()
        if problems:
            self.status.setText(problems[0])
            return
        rule: dict[str, Any] = draft.to_rule(taken_ids)
        self.status.setText("✔ Added. Point at another button, or press Next.")
        self.rule_picked.emit(rule)

    def on_failed(self, words: str) -> None:
        self.point_button.setEnabled(True)
        self.status.setText(words)

    def on_left(self) -> None:
        self.point_button.setEnabled(True)
        self.status.setText("")
