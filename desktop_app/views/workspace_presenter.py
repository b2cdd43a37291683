"""Wires sites (workspaces), the setup wizard, token health, test/live and export to the window.

`app.py` needs two lines: build `WorkspacePresenter(window, messages, tasks)` after the main
window, and `await presenter.stop()` on shutdown; `start()` shows the start screen (or reopens
the last site). Services stay Qt-free; this is the one place that connects them to widgets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.services.diagnostics import (
    diagnostics_text,
    install_file_log,
    remove_file_log,
)
from desktop_app.services.paths import AppPaths
from desktop_app.services.settings import Settings
from desktop_app.services.workspaces import Workspace, WorkspaceError, WorkspaceStore
from desktop_app.views.qt import QAction, QApplication, QKeySequence, Qt, QToolBar, QWidget
from desktop_app.views.qt_forms import QDockWidget, QFileDialog, QMenu
from desktop_app.views.start_screen import StartScreen
from desktop_app.views.test_mode import ModeSwitch
from desktop_app.views.token_panel import TokenPanel
from desktop_app.views.token_presenter import TokenPresenter

if TYPE_CHECKING:
    from desktop_app.services.embedded_browser import EmbeddedBrowser
    from desktop_app.services.relay import RelaySettings
    from desktop_app.services.sandbox import MetaSandbox
    from desktop_app.services.setup_checks import SetupDraft
    from desktop_app.views.export_dialog import ExportDialog
    from desktop_app.views.main_window import MainWindow
    from desktop_app.views.messages import MessageBridge
    from desktop_app.views.preferences import PreferencesDialog
    from desktop_app.views.setup_wizard import SetupWizard
    from desktop_app.views.tasks import TaskOwner

logger = logging.getLogger(__name__)

_NEW = QKeySequence.StandardKey.New
_PREFERENCES = QKeySequence.StandardKey.Preferences


def _menus(window: MainWindow) -> tuple[QMenu, QMenu, QMenu]:
    """File, Edit and Help, the first three menus of the main window (main_window.py)."""
    menus = [a.menu() for a in window.menuBar().actions()[:3]]
    found = tuple(m for m in menus if isinstance(m, QMenu))
    assert len(found) == 3, "the main window's menus changed"
    return found[0], found[1], found[2]


class WorkspacePresenter:
    def __init__(
        self,
        window: MainWindow,
        messages: MessageBridge,
        tasks: TaskOwner,
        embedded: EmbeddedBrowser | None = None,  # the wizard shows the site in it
        *,
        paths: AppPaths | None = None,
        settings: Settings | None = None,
        store: WorkspaceStore | None = None,
    ) -> None:
        self.window, self.messages, self.tasks, self.embedded = window, messages, tasks, embedded
        self.paths = (paths or AppPaths.default()).ensure()
        self.settings = settings or Settings.load(self.paths)
        self.store = store or WorkspaceStore.default(self.paths)
        self.workspace: Workspace | None = None
        # Called with the workspace whenever a site is opened (tagging, verify, relay wiring).
        self.opened_listeners: list[Callable[[Workspace], None]] = []
        self.sandbox: MetaSandbox | None = None
        self._sandbox_started: asyncio.Future[str] | None = None
        self.start_screen = StartScreen()
        self.start_screen.setWindowFlag(Qt.WindowType.Window, True)
        self.wizard: SetupWizard | None = None
        self._dialogs: list[QWidget] = []  # non-modal dialogs kept alive while open
        self.mode_switch = ModeSwitch()
        self.token_panel = TokenPanel()
        self.token_dock = QDockWidget("Access token", window)
        self.token_dock.setObjectName("tokenDock")
        self.token_dock.setWidget(self.token_panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.token_dock)
        self.token_dock.setVisible(False)
        self.tokens = TokenPresenter(self.token_panel, messages, tasks, self.graph_url)
        self.log_path = install_file_log(self.paths)
        self._build_actions()
        self._connect()
        self.mode_switch.set_mode(self.settings.get("mode"))
        self.set_mode(self.settings.get("mode"))
        if self.settings.get("theme") != "system":  # Preferences → Appearance, kept
            self._apply_theme()

    # --- wiring -----------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable[[], Any], shortcut: Any = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        w = self.window
        self.sites_action = self._action("Sites…", self.show_start, "Ctrl+Shift+O")
        self.new_action = self._action("Set up a new site…", self.new_site, _NEW)
        self.import_action = self._action("Open a site file…", self.start_screen.choose_file)
        self.export_action = self._action("Export for installation…", self.show_export, "Ctrl+E")
        self.save_file_action = self._action("Save site as file…", self._save_current_as_file)
        self.prefs_action = self._action("Preferences…", self.show_preferences, _PREFERENCES)
        self.prefs_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.diag_action = self._action("Copy diagnostics", self.copy_diagnostics)
        self.token_action = self._action("Access token…", self.show_token_panel)
        file_menu, edit_menu, help_menu = _menus(w)
        first = file_menu.actions()[0]  # "Run demo": site actions go above it
        for action in (self.sites_action, self.new_action, self.import_action):
            file_menu.insertAction(first, action)
        file_menu.insertSeparator(first)
        for action in (self.export_action, self.save_file_action):
            file_menu.insertAction(first, action)
        file_menu.insertSeparator(first)
        edit_menu.addSeparator()
        edit_menu.addAction(self.token_action)
        edit_menu.addAction(self.prefs_action)
        help_menu.addAction(self.diag_action)
        w.about_action.triggered.disconnect()
        w.about_action.triggered.connect(self.show_about)
        bar = QToolBar("Site")
        bar.setObjectName("siteToolbar")
        bar.setMovable(False)
        bar.addWidget(self.mode_switch)
        w.addToolBar(bar)

    def _connect(self) -> None:
        s = self.start_screen
        s.new_site_requested.connect(self.new_site)
        s.sandbox_requested.connect(self.try_sandbox)
        s.open_requested.connect(self._open_from_list)
        s.open_file_requested.connect(self.import_file)
        s.duplicate_requested.connect(self.duplicate)
        s.export_requested.connect(self._save_as_file)
        self.mode_switch.mode_changed.connect(self.set_mode)
        self.mode_switch.test_code_cleared.connect(self._clear_test_code)

    # --- start screen and workspaces ----------------------------------------------------------
    def start(self) -> None:
        last = self.settings.get("last_workspace")
        if last and not self.settings.get("show_start_screen"):
            try:
                self.open_workspace(last)
                return
            except WorkspaceError:
                logger.info("last workspace %s is gone", last)
        self.show_start()

    def show_start(self) -> None:
        from desktop_app.services.setup_checks import browser_advice

        advice = browser_advice()
        self.start_screen.set_notice(f"Before checking your site: {advice}" if advice else "")
        limit = int(self.settings.get("recent_limit"))
        self.start_screen.show_workspaces(self.store.recent()[:limit])
        self.start_screen.show()
        self.start_screen.raise_()

    def open_workspace(self, workspace_id: str) -> Workspace:
        workspace = self.store.open(workspace_id)
        self.workspace = workspace
        self.settings.set("last_workspace", workspace.id)
        self.settings.save()
        self.start_screen.hide()
        self.mode_switch.set_test_code(workspace.test_event_code)
        self.mode_switch.set_mode(workspace.mode)
        self.set_mode(workspace.mode)
        self.token_dock.setVisible(True)
        self.tokens.set_pixel(workspace.pixel_id)
        self.messages.info(f"Opened {workspace.name}.")
        for listener in list(self.opened_listeners):
            listener(workspace)
        if self.settings.get("check_token_at_start") and workspace.pixel_id:
            self.tokens.request_check()
        return workspace

    def _open_from_list(self, workspace_id: str) -> None:
        try:
            self.open_workspace(workspace_id)
        except WorkspaceError as exc:
            self.messages.error(f"This site could not be opened: {exc}", "Try File → Sites… again.")
            self.show_start()

    def save_rules(self, rules: list[dict[str, Any]]) -> None:
        """Store the open site's tag rules (the tagging panel's `rule_saved` ends here)."""
        if self.workspace is None:
            raise WorkspaceError("no site is open")
        self.workspace.rules = list(rules)
        self.store.save(self.workspace)

    def import_file(self, path: Path) -> None:
        try:
            workspace = self.store.import_file(Path(path))
        except WorkspaceError as exc:
            self.messages.error(str(exc), "Choose a file saved by PixelBridge (…pixelbridge.json).")
            return
        self.open_workspace(workspace.id)

    def duplicate(self, workspace_id: str) -> None:
        copy = self.store.duplicate(workspace_id)
        self.messages.info(f"Made a copy: {copy.name}.")
        self.show_start()

    def _save_current_as_file(self) -> None:
        if self.workspace is not None:
            self._save_as_file(self.workspace.id)

    def _save_as_file(self, workspace_id: str) -> None:
        dialog = QFileDialog(self.window, "Save the site as a file")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(f"{workspace_id}.pixelbridge.json")
        dialog.fileSelected.connect(lambda p: self.save_as_file(workspace_id, Path(p)))
        self._keep(dialog)

    def save_as_file(self, workspace_id: str, target: Path) -> Path:
        path = self.store.export_file(workspace_id, target)
        self.messages.info(f"Saved {path.name}. It holds no access token.")
        return path

    def create_from_draft(self, draft: SetupDraft) -> Workspace:
        workspace = self.store.create(
            site_url=draft.site_url,
            pixel_id=draft.pixel_id,
            platform=draft.platform,
            rules=draft.rules,
            settings={
                "test_event_code": draft.test_event_code,
                "mode": draft.mode,
                "relay_url": draft.relay_url,
            },
        )
        self.close_wizard()
        return self.open_workspace(workspace.id)

    # --- setup wizard, sandbox --------------------------------------------------------------
    def close_wizard(self) -> None:
        """Close the wizard (finished or abandoned) and free its page."""
        if self.wizard is not None:
            self.wizard.close()
            self.wizard.deleteLater()
            self.wizard = None

    def new_site(self) -> None:
        self.tasks.spawn("open-wizard", self._open_wizard())

    async def _open_wizard(self) -> None:
        from desktop_app.views.setup_launch import open_wizard

        await open_wizard(self)

    def try_sandbox(self) -> None:
        self.start_screen.hide()
        self.mode_switch.set_mode("sandbox")
        self.set_mode("sandbox")
        self.window.run_demo_requested.emit()

    async def graph_url(self, mode: str | None = None) -> str:
        """Meta's Graph API, or the built-in sandbox (started on first use) in sandbox mode."""
        if (mode or self.mode_switch.mode) != "sandbox":
            return str(self.settings.get("graph_url"))
        if self._sandbox_started is None:  # one start, however many callers wait for it
            self._sandbox_started = asyncio.ensure_future(self._start_sandbox())
        return await asyncio.shield(self._sandbox_started)

    async def _start_sandbox(self) -> str:
        from desktop_app.services.sandbox import MetaSandbox

        self.sandbox = MetaSandbox()
        return await self.sandbox.start()

    # --- test / live ------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.window.set_mode(mode)
        self.settings.set("mode", mode)
        self.settings.save()
        if self.workspace is not None and self.workspace.settings.get("mode") != mode:
            self.workspace.settings["mode"] = mode
            self.store.save(self.workspace)

    def _clear_test_code(self) -> None:
        if self.workspace is not None:
            self.workspace.settings["test_event_code"] = ""
            self.store.save(self.workspace)

    def relay_settings(self, graph_url: str) -> RelaySettings:
        """Relay settings for the open site: in test mode every event carries the test code."""
        from desktop_app.services.relay import RelaySettings

        if self.workspace is None:
            raise WorkspaceError("no site is open")
        code = self.workspace.test_event_code if self.mode_switch.mode == "test" else ""
        return RelaySettings(
            graph_url=graph_url,
            test_event_code=code or None,
            data_dir=self.workspace.event_log_dir,
        )

    # --- dialogs ----------------------------------------------------------------------------
    def _keep(self, dialog: Any) -> None:
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _r: self._dialogs.remove(dialog))
        dialog.open()

    def show_export(self) -> ExportDialog | None:
        if self.workspace is None:
            self.messages.warning("Open a site first.", "File → Sites…")
            return None
        from desktop_app.tagger.config import ConfigError

        try:
            config = self.workspace.tag_config()
        except ConfigError as exc:
            self.messages.error(f"This site cannot be exported yet: {exc}", "Finish its setup.")
            return None
        return self._show_export_for(config, self.workspace.test_event_code)

    def _show_export_for(self, config: Any, test_code: str) -> ExportDialog:
        from desktop_app.views.export_dialog import ExportDialog

        dialog = ExportDialog(config, test_code, parent=self.window)
        dialog.exported.connect(
            lambda paths: self.messages.info(f"Exported {len(paths)} files to {paths[0].parent}.")
        )
        self._keep(dialog)
        return dialog

    def show_preferences(self) -> PreferencesDialog:
        from desktop_app.views.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.settings, parent=self.window)
        dialog.applied.connect(self._preferences_applied)
        self._keep(dialog)
        return dialog

    def _preferences_applied(self) -> None:
        mode = self.settings.get("mode")
        self.mode_switch.set_mode(mode)
        self.window.set_mode(mode)
        self._apply_theme()

    def _apply_theme(self) -> None:
        from desktop_app.views.styles import apply_theme

        apply_theme(str(self.settings.get("theme")))

    def show_token_panel(self) -> None:
        self.token_dock.setVisible(True)
        self.token_dock.raise_()

    def show_about(self) -> None:
        from desktop_app.views.about import about_box

        self._keep(about_box(self.window, self.paths))

    def copy_diagnostics(self) -> str:
        site = None
        if self.workspace is not None:
            ws = self.workspace
            site = {"name": ws.name, "url": ws.site_url, "pixel": ws.pixel_id}
            site["mode"] = self.mode_switch.mode
        text = diagnostics_text(
            self.paths,
            workspace=site,
            messages=[m.plain() for m in self.messages.history],
            secrets=[self.tokens.known_secret()],
        )
        QApplication.clipboard().setText(text)
        self.messages.info("Diagnostics copied (no token, no customer data).")
        return text

    async def stop(self) -> None:
        # Top-level widgets without a parent are deleted here, on the loop: left to Python's
        # exit-time cleanup they can outlive the QApplication and crash the process on exit.
        for widget in (self.start_screen, self.wizard, *self._dialogs):
            if widget is not None:
                widget.close()
                widget.deleteLater()
        self.wizard = None
        self._dialogs.clear()
        if self._sandbox_started is not None:
            await asyncio.wait([self._sandbox_started], timeout=10)
        if self.sandbox is not None:
            await self.sandbox.stop()
            self.sandbox, self._sandbox_started = None, None
        remove_file_log(self.log_path)
