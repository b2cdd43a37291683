"""Wires the tools that work on the visible browser's page: tagging ("Tag events" tab),
"Record journey" and File → "Export evidence…", and feeds them the open site.

Built by `app.py` right after the first paint (its imports would delay the first frame);
the page is the embedded QWebEngineView's page over CDP, asked for once it shows a web page.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from desktop_app.views.evidence_presenter import EvidencePresenter
from desktop_app.views.journey_presenter import JourneyPresenter
from desktop_app.views.site_session_presenter import SiteSessionPresenter
from desktop_app.views.tagging_panel import TaggingPanel
from desktop_app.views.tagging_presenter import TaggingPresenter

if TYPE_CHECKING:
    from playwright.async_api import Page

    from desktop_app.services.embedded_browser import EmbeddedBrowser
    from desktop_app.services.workspaces import Workspace
    from desktop_app.views.browser_view import BrowserView
    from desktop_app.views.main_window import MainWindow
    from desktop_app.views.messages import MessageBridge
    from desktop_app.views.tasks import TaskOwner
    from desktop_app.views.workspace_presenter import WorkspacePresenter

logger = logging.getLogger(__name__)


class SiteToolsPresenter:
    def __init__(
        self,
        window: MainWindow,
        messages: MessageBridge,
        tasks: TaskOwner,
        workspaces: WorkspacePresenter,
        embedded: EmbeddedBrowser | None,
    ) -> None:
        self.window, self.messages, self.workspaces = window, messages, workspaces
        self.embedded = embedded
        self.browser_view: BrowserView | None = None
        panel = TaggingPanel()
        window.install_tagging(panel)
        self.tagging = TaggingPresenter(
            panel,
            messages,
            tasks,
            save_rules=self.save_rules,
            model=window.model,
            page_provider=self.visible_page,
        )
        # "Test this rule" on the owner's site: sandbox + relay + injected snippet, started once.
        self.sessions = SiteSessionPresenter(
            window.model, pixel_id=self._pixel_id, test_event_code=self._test_event_code
        )
        self.tagging.before_test = self.sessions.prepare
        self.journeys = JourneyPresenter(window, messages, tasks, self.visible_page, workspaces)
        self.evidence = EvidencePresenter(window, messages)
        workspaces.opened_listeners.append(self.site_opened)
        if workspaces.workspace is not None:  # opened before these tools existed
            self.site_opened(workspaces.workspace)

    def set_browser(self, view: BrowserView) -> None:
        """The embedded browser exists (it is created after the first paint)."""
        self.browser_view = view
        view.load_finished.connect(self._page_loaded)
        site = self.workspaces.workspace
        if site is not None:
            self._show_site(view, site)

    def _page_loaded(self, ok: bool) -> None:
        # The welcome page (inline HTML) is no site: nothing to detect or check there.
        view = self.browser_view
        if view is not None and view.current_url().startswith(("http://", "https://")):
            self.tagging.page_loaded(ok)

    def site_opened(self, workspace: Workspace) -> None:
        self.tagging.set_rules(workspace.rules)
        if self.browser_view is not None:
            self._show_site(self.browser_view, workspace)

    @staticmethod
    def _show_site(view: BrowserView, workspace: Workspace) -> None:
        # The site's own cookies (the owner's login, a cart), kept in its workspace folder.
        view.use_workspace(workspace.folder)
        if workspace.site_url:
            view.load(workspace.site_url)

    def _pixel_id(self) -> str:
        site = self.workspaces.workspace
        return site.pixel_id if site is not None else ""

    def _test_event_code(self) -> str:
        site = self.workspaces.workspace
        return site.test_event_code if site is not None else ""

    async def stop(self) -> None:
        """Stop the test session's relay and sandbox (app shutdown)."""
        await self.sessions.stop()

    def save_rules(self, rules: list[dict[str, Any]]) -> None:
        if self.workspaces.workspace is not None:
            self.workspaces.save_rules(rules)
        else:
            self.messages.info(
                "Rule kept until PixelBridge closes.",
                "To keep rules, set up your site first: File → Set up a new site…",
            )

    async def visible_page(self) -> Page:
        """The embedded browser's page, once it shows a web page."""
        view = self.browser_view
        if self.embedded is None or view is None:
            raise RuntimeError("the built-in browser is not available (QtWebEngine is missing)")
        if not view.current_url().startswith(("http://", "https://")):
            raise RuntimeError("open a page first: type your site's address above the browser")
        page: Page = await self.embedded.page()
        return page
