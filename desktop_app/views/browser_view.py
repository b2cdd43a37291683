"""The embedded browser: a QtWebEngine view with an address bar, back/forward/reload, progress.

Playwright drives the same page over CDP (`services/embedded_browser.py`), so the user and the
automation see one page; `prepare_environment()` must run before this module creates a view.
"""

from __future__ import annotations

import logging
from typing import Any

from desktop_app.views.qt import (
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QToolButton,
    QUrl,
    QVBoxLayout,
    QWidget,
    Signal,
    load_webengine,
)

logger = logging.getLogger(__name__)


WELCOME_PAGE = """<!doctype html><html><body style="font-family: sans-serif; color: #3c4043;
 display: flex; align-items: center; justify-content: center; height: 90vh; margin: 0">
<div style="max-width: 26em; text-align: center">
<h2 style="font-weight: 600">Your site appears here</h2>
<p>Click <b>Run demo</b> to open the built-in shop and watch each purchase reach Meta twice:
once from the browser, once from the server, counted once.</p>
<p>Or type your site's address above.</p></div></body></html>"""


def to_url(text: str) -> QUrl:
    """What the user typed → a URL: a bare host gets http:// (local shops are plain http)."""
    text = text.strip()
    if "://" not in text and not text.startswith(("about:", "data:")):
        text = "http://" + text
    return QUrl(text)


class BrowserView(QWidget):
    url_changed = Signal(str)
    load_finished = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        web_view_class, _page_class = load_webengine()
        self.view: Any = web_view_class(self)

        self.back = QToolButton()
        self.back.setText("◀")
        self.back.setToolTip("Back")
        self.forward = QToolButton()
        self.forward.setText("▶")
        self.forward.setToolTip("Forward")
        self.reload = QToolButton()
        self.reload.setText("⟳")
        self.reload.setToolTip("Reload")
        self.address = QLineEdit()
        self.address.setObjectName("addressBar")
        self.address.setPlaceholderText("Type a web address and press Enter")
        self.address.setAccessibleName("Address")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumHeight(3)
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 4, 4, 2)
        for button in (self.back, self.forward, self.reload):
            bar.addWidget(button)
        bar.addWidget(self.address, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.progress)
        layout.addWidget(self.view, 1)

        self.back.clicked.connect(self.view.back)
        self.forward.clicked.connect(self.view.forward)
        self.reload.clicked.connect(self.view.reload)
        self.address.returnPressed.connect(self._on_address_entered)
        self.view.urlChanged.connect(self._on_url_changed)
        self.view.loadStarted.connect(self._on_load_started)
        self.view.loadProgress.connect(self.progress.setValue)
        self.view.loadFinished.connect(self._on_load_finished)
        self._update_buttons()
        self.view.setHtml(WELCOME_PAGE)

    async def render(self) -> None:  # type: ignore[override]  # house rule 6 (shadows QWidget.render)
        return None

    def load(self, url: str) -> None:
        self.view.load(to_url(url))

    def current_url(self) -> str:
        return str(self.view.url().toString())

    def _on_address_entered(self) -> None:
        self.load(self.address.text())

    def _on_url_changed(self, url: QUrl) -> None:
        text = url.toString()
        # The welcome page is inline HTML: its data: URL means nothing to the user.
        self.address.setText("" if url.scheme() in ("data", "about") else text)
        self._update_buttons()
        self.url_changed.emit(text)

    def _on_load_started(self) -> None:
        self.progress.setValue(0)
        self.progress.setVisible(True)

    def _on_load_finished(self, ok: bool) -> None:
        self.progress.setVisible(False)
        self._update_buttons()
        self.load_finished.emit(ok)

    def _update_buttons(self) -> None:
        history = self.view.history()
        self.back.setEnabled(history.canGoBack())
        self.forward.setEnabled(history.canGoForward())
