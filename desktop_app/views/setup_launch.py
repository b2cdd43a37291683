"""Builds the setup wizard for the desktop app: with the embedded browser beside the steps when
the app has one (the site is shown, checked and pointed at there), else the headless checks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.services.setup_checks import SetupService
from desktop_app.views.qt import Qt
from desktop_app.views.setup_browser import SiteView
from desktop_app.views.setup_wizard import SetupWizard
from desktop_app.views.tasks import Progress

if TYPE_CHECKING:
    from desktop_app.services.embedded_browser import EmbeddedBrowser
    from desktop_app.views.workspace_presenter import WorkspacePresenter

logger = logging.getLogger(__name__)


def build_wizard(
    graph_url: str,
    data_dir: Path,
    *,
    mode: str,
    spawn: Callable[[str, Coroutine[Any, Any, Any]], Any] | None = None,
    embedded: EmbeddedBrowser | None = None,
) -> SetupWizard:
    site_view = None
    if embedded is not None:
        from desktop_app.views.browser_view import BrowserView

        view = BrowserView()
        view.setMinimumWidth(480)
        site_view = SiteView(view, embedded)
    wizard = SetupWizard(
        SetupService(graph_url, data_dir), mode=mode, spawn=spawn, site_view=site_view
    )
    wizard.setWindowFlag(Qt.WindowType.Window, True)
    return wizard


async def open_wizard(sites: WorkspacePresenter) -> SetupWizard | None:
    """“Set up a new site” on the start screen: practice mode first starts the sandbox (up to
    a second), so the screen says so and the button waits; a failure says what to do."""
    start = sites.start_screen
    progress = Progress(
        start.show_busy, start.clear_busy, [start.new_button], failed=sites.messages.error
    )
    mode = str(sites.settings.get("mode"))
    words = "Starting the practice sandbox…" if mode == "sandbox" else "Opening the setup…"
    graph_url = await progress.run(words, sites.graph_url(mode))
    if graph_url is None:
        return None
    sites.close_wizard()  # an earlier wizard closed without finishing: free its page
    wizard = build_wizard(
        graph_url, sites.paths.cache, mode=mode, spawn=sites.tasks.spawn, embedded=sites.embedded
    )
    wizard.finished_setup.connect(sites.create_from_draft)
    wizard.export_requested.connect(
        lambda d: sites._show_export_for(d.tag_config(), d.test_event_code)
    )
    sites.wizard = wizard
    start.hide()
    wizard.show()
    return wizard
