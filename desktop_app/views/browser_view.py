"""The embedded browser: a QtWebEngine view with an address bar, back/forward/reload, progress.

Playwright drives the same page over CDP (`services/embedded_browser.py`), so the user and the
automation see one page; `prepare_environment()` must run before this module creates a view.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from desktop_app.views.browser_profile import BrowserProfiles
from desktop_app.views.qt import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
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
        web_view_class, self._page_class = load_webengine()
        self.view: Any = web_view_class(self)
        # After the web view, so Qt deletes its pages before the profiles (browser_profile.py).
        self.profiles = BrowserProfiles(self)
        self._profile_folder: Path | None = None
        self._own_page: Any = None  # the page made for the current profile, if not Qt's own
        self.unreachable = UnreachableBanner()
        self.unreachable.retry.clicked.connect(self._retry)

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
        layout.addWidget(self.unreachable)
        layout.addWidget(self.view, 1)

        self.back.clicked.connect(self.view.back)
        self.forward.clicked.connect(self.view.forward)
        self.reload.clicked.connect(self.view.reload)
        self.address.returnPressed.connect(self._on_address_entered)
        self.view.urlChanged.connect(self._on_url_changed)
        self.view.loadStarted.connect(self._on_load_started)
        self.view.loadProgress.connect(self.progress.setValue)
        self.view.loadFinished.connect(self._on_load_finished)
        self._watch_page(self.view.page())
        self._update_buttons()
        self.view.setHtml(WELCOME_PAGE)

    async def render(self) -> None:  # type: ignore[override]  # house rule 6 (shadows QWidget.render)
        return None

    def load(self, url: str) -> None:
        self.view.load(to_url(url))

    def use_workspace(self, folder: Path | None) -> None:
        """Browse with the cookies of the site in `folder`; None: off the record (demo, sandbox).

        A profile belongs to a page for the page's whole life, so a new profile means a new
        page (Playwright sees it as a new page: callers ask `EmbeddedBrowser.page()` again).
        """
        if folder == self._profile_folder:
            return
        profile = self.profiles.profile_for(folder)
        self._profile_folder = folder
        if self.view.page().profile() is profile:
            return
        page = self._page_class(profile, self.view)
        self._watch_page(page)
        self.view.setPage(page)
        # The view deletes only the page it made itself; ours would live on (scripts running,
        # listed over CDP) until the view dies. Deleted later, but always before its profile.
        previous, self._own_page = self._own_page, page
        if previous is not None:
            previous.loadingChanged.disconnect(self._on_loading_changed)  # its loads are over
            previous.deleteLater()
        self.unreachable.setVisible(False)
        self._update_buttons()
        logger.debug("browser uses %s", "the off-the-record profile" if folder is None else folder)

    @property
    def profile_folder(self) -> Path | None:
        return self._profile_folder

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

    def _watch_page(self, page: Any) -> None:
        page.loadingChanged.connect(self._on_loading_changed)

    def _on_loading_changed(self, info: Any) -> None:
        """Main-frame loads only: Qt reports no subresource or iframe load here."""
        from PySide6.QtWebEngineCore import QWebEngineLoadingInfo

        status = QWebEngineLoadingInfo.LoadStatus
        state = info.status()
        if state == status.LoadFailedStatus:
            # (Qt flags the failed load itself as an error page: its own page replaces it.)
            if unreachable(info):
                self.unreachable.show_for(info.url(), info.errorString())
        elif info.isErrorPage():
            return
        elif state == status.LoadSucceededStatus or (
            state == status.LoadStartedStatus and info.url() != self.unreachable.url
        ):
            self.unreachable.setVisible(False)

    def _retry(self) -> None:
        url = self.unreachable.url
        self.unreachable.setVisible(False)
        if url is not None:
            self.view.load(url)

    def _update_buttons(self) -> None:
        history = self.view.history()
        self.back.setEnabled(history.canGoBack())
        self.forward.setEnabled(history.canGoForward())


def unreachable(info: Any) -> bool:
    """A failure to reach the site: DNS, refused, offline, TLS, no answer, malformed address.

    Not an HTTP status page (the site answered; its own 404/500 page is shown) and not a load
    that the user or a newer navigation stopped (Qt reports those as LoadStoppedStatus).
    """
    from PySide6.QtWebEngineCore import QWebEngineLoadingInfo

    domain = QWebEngineLoadingInfo.ErrorDomain
    return info.errorDomain() in (
        domain.ConnectionErrorDomain,
        domain.CertificateErrorDomain,
        domain.DnsErrorDomain,
        domain.HttpErrorDomain,
    )


def unreachable_text(url: QUrl) -> str:
    host = url.host() or url.toString()
    if url.port() != -1:  # a local shop on its own port: say which one
        host = f"{host}:{url.port()}"
    return f"Can't reach {host} — check the address and your internet connection."


class UnreachableBanner(QFrame):
    """A plain line above the page when the site cannot be reached, with a Retry button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unreachableBanner")
        self.setStyleSheet("#unreachableBanner { background: #fce8e6; color: #3c4043; }")
        self.url: QUrl | None = None
        self.message = QLabel()
        self.message.setObjectName("unreachableMessage")
        self.message.setWordWrap(True)
        self.retry = QPushButton("Retry")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(self.message, 1)
        row.addWidget(self.retry)
        self.setVisible(False)

    def show_for(self, url: QUrl, reason: str = "") -> None:
        self.url = QUrl(url)
        self.message.setText(unreachable_text(url))
        self.message.setToolTip(reason)  # Chromium's code (net::ERR_…) for whoever asks
        self.setVisible(True)
