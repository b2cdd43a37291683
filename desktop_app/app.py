"""The desktop app's composition root: build services and views, run them on one qasync loop.

`run_desktop(args)` boots Qt and asyncio together (`asyncio.Runner` with a `qasync.QEventLoop`),
`main()` awaits a shutdown event (set by Quit, closing the window, or Qt's `aboutToQuit`) and
then stops everything it started — demo services, Playwright's driver, the web view — before
returning an exit code. Nothing here calls `sys.exit`.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

# asyncio is imported inside the functions that use it: `run_desktop` paints the window's
# first frame before asyncio (~35 ms of imports) loads (views/first_frame.py).
if TYPE_CHECKING:
    import asyncio

    from desktop_app.services.embedded_browser import CdpEndpoint, EmbeddedBrowser
    from desktop_app.views.demo_presenter import DemoPresenter
    from desktop_app.views.first_frame import FirstFrame
    from desktop_app.views.main_window import MainWindow
    from desktop_app.views.qt import QApplication
    from desktop_app.views.site_tools_presenter import SiteToolsPresenter
    from desktop_app.views.workspace_presenter import WorkspacePresenter

from desktop_app.desktop_options import (
    DesktopOptions,
    no_display,
    parse_args,
    watch_quit_signals,
    webengine_available,
)

logger = logging.getLogger(__name__)

AFTER_PAINT_FALLBACK_S = 3.0


def run_desktop(args: argparse.Namespace) -> int:
    """Open the desktop app; returns the process exit code."""
    options = DesktopOptions.from_args(args)
    if no_display():
        print(
            "pixelbridge: no display found, so the window cannot open. "
            "Try `pixelbridge demo --headless`, or run under a desktop session.",
            file=sys.stderr,
        )
        return 2
    embedded = options.browser and webengine_available()
    if options.browser and not embedded:
        logger.warning("QtWebEngine is not installed: the demo runs in a hidden browser")
    from desktop_app.views.qt import QApplication, share_gl_contexts

    if embedded and QApplication.instance() is None:
        share_gl_contexts()
    from desktop_app.views.application import PixelBridgeApplication

    app = QApplication.instance() or PixelBridgeApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("PixelBridge")
    app.setOrganizationName("PixelBridge")
    from desktop_app.views.first_frame import paint_first_frame

    first = paint_first_frame(
        app,
        browser_later=embedded,
        layout_path=DesktopShell.layout_path_for(options),
        print_mark=options.exit_after_paint,
    )
    endpoint: CdpEndpoint | None = None
    if embedded:
        # After the first frame (its module loads asyncio), before any QtWebEngine object:
        # QtWebEngine reads these variables when it starts, after the paint.
        from desktop_app.services.embedded_browser import prepare_environment

        endpoint = prepare_environment()
    import asyncio

    import qasync

    shell = DesktopShell(app, options, endpoint, first_frame=first)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        try:
            return runner.run(shell.main())
        except KeyboardInterrupt:
            runner.run(shell.stop())
            return 130
        except RuntimeError:
            if not shell.quitting:
                raise
            # Qt quit on its own (session end, `app.quit()`): its loop ended under `main()`
            # ("Event loop stopped…" / "no running event loop"). Finish the cleanup on a
            # fresh run of the loop; every step of `stop()` is idempotent.
            logger.debug("Qt quit first; finishing the shutdown", exc_info=True)
            runner.run(shell.stop())
            return shell.exit_code


class DesktopShell:
    """Owns everything the desktop app starts, in the order it must stop."""

    # Sites, token, test/live and export: built right after the first paint (`_after_paint`),
    # because their imports and widgets would delay the first frame by ~40 ms.
    workspaces: WorkspacePresenter

    def __init__(
        self,
        app: QApplication,
        options: DesktopOptions,
        endpoint: CdpEndpoint | None,
        *,
        first_frame: FirstFrame | None = None,  # the window, already painted by run_desktop
    ) -> None:
        import asyncio

        self.app = app
        self.first_frame = first_frame
        self.options = options
        self.endpoint = endpoint
        self.exit_code = 0
        self.window: MainWindow | None = None
        self.presenter: DemoPresenter | None = None
        self.embedded: EmbeddedBrowser | None = None
        self.site_tools: SiteToolsPresenter | None = None  # built after the first paint
        self._shutdown: asyncio.Event | None = None
        self.browser_ready = asyncio.Event()  # the embedded browser exists (or never will)
        self._painted = asyncio.Event()  # set once the after-paint setup has started
        self._after_paint_done = False
        self._stopped = False

    async def main(self) -> int:
        import asyncio

        from desktop_app.views.application import PixelBridgeApplication

        loop = asyncio.get_running_loop()
        shutdown = self._shutdown = asyncio.Event()
        self.app.aboutToQuit.connect(shutdown.set)
        # Closing the window asks `main()` to shut down; Qt must not stop the loop underneath it.
        quit_on_close = self.app.quitOnLastWindowClosed()
        self.app.setQuitOnLastWindowClosed(False)
        if isinstance(self.app, PixelBridgeApplication):
            self.app.on_quit = self.request_quit
        watched = watch_quit_signals(self.request_quit)
        try:
            self.build()
            assert self.window is not None
            await self.window.render()
            layout = self.layout_path_for(self.options)
            if layout is not None and self.first_frame is None:
                from desktop_app.views.window_state import restore_window_state

                restore_window_state(self.window, layout)
            self.window.show()
            if self.options.exit_after_paint:
                if self.window.painted:  # painted before the loop (`run_desktop`)
                    self._painted_then_quit()
            elif self.window.painted:
                self._after_first_paint()
            else:
                # A window that never paints (off-screen, minimised by the window manager)
                # must still end up fully built.
                loop.call_later(AFTER_PAINT_FALLBACK_S, self._after_paint)
            if self.options.demo:
                self._spawn_demo()
            await shutdown.wait()
        finally:
            self.app.aboutToQuit.disconnect(shutdown.set)
            if isinstance(self.app, PixelBridgeApplication):
                self.app.on_quit = None
            for signum in watched:
                loop.remove_signal_handler(signum)
            await self.stop()
            self.app.setQuitOnLastWindowClosed(quit_on_close)
        return self.exit_code

    @property
    def _remember_layout(self) -> bool:
        return self.layout_path_for(self.options) is not None

    @staticmethod
    def layout_path_for(options: DesktopOptions) -> Path | None:
        """Where the window layout is kept; None for scripted runs (smoke tests, benchmarks,
        screenshots), which neither use nor change it: their window size is the same
        everywhere."""
        if options.exit_after_demo or options.exit_after_paint:
            return None
        from desktop_app.services.paths import AppPaths

        return AppPaths.default().config / "window.json"

    def build(self) -> None:
        """Compose services and views (no I/O yet)."""
        from desktop_app.views.demo_presenter import DemoPresenter
        from desktop_app.views.main_window import MainWindow
        from desktop_app.views.messages import MessageBridge
        from desktop_app.views.pair_model import PairTableModel
        from desktop_app.views.tasks import TaskOwner

        self.messages = self.first_frame.messages if self.first_frame else MessageBridge()
        self.tasks = TaskOwner(self._on_task_error)
        if self.endpoint is not None:
            from desktop_app.services.embedded_browser import EmbeddedBrowser

            self.embedded = EmbeddedBrowser(self.endpoint)
        else:
            self.browser_ready.set()  # no embedded browser: the demo uses a hidden one
        if self.first_frame is not None:
            window = self.first_frame.window
            self.first_frame.raw_user_data.target = self._raw_user_data
        else:
            window = MainWindow(
                PairTableModel(),
                self.messages,
                browser_later=self.endpoint is not None,
                raw_user_data=self._raw_user_data,
            )
        self.presenter = DemoPresenter(
            window,
            self.messages,
            embedded=self.embedded,
            browser_ready=self.browser_ready,
            customer_factory=self._customer,
        )
        from desktop_app.views.demo_run_presenter import DemoRunPresenter
        from desktop_app.views.import_presenter import ImportPresenter

        self.demo_run = DemoRunPresenter(
            self.presenter,
            window,
            self.messages,
            report=self.options.report,
            screenshot=self.options.screenshot,
        )

        # Imported files replace the log: the live demo must stop feeding it first.
        self.importer = ImportPresenter(window, self.messages, before_import=self.presenter.stop)
        self.window = window
        self._connect_signals()

    def _raw_user_data(self, event_id: str) -> Any:
        return self.presenter.raw_user_data(event_id) if self.presenter else None

    def _connect_signals(self) -> None:
        assert self.window is not None
        window = self.window
        window.run_demo_requested.connect(self._spawn_demo)
        window.import_requested.connect(
            lambda: self.tasks.spawn("import", self.importer.ask_and_import())
        )
        window.quit_requested.connect(self.request_quit)
        window.closed.connect(self.request_quit)
        if self.options.exit_after_paint:
            window.first_painted.connect(self._painted_then_quit)
        else:
            window.first_painted.connect(self._after_first_paint)

    def _after_first_paint(self) -> None:
        import asyncio

        # Out of the paint handler: no widgets are added while Qt is painting the window.
        asyncio.get_running_loop().call_soon(self._after_paint)

    def _after_paint(self) -> None:
        if self._after_paint_done or self.window is None or self.quitting:
            return
        self._after_paint_done = True
        from desktop_app.views.workspace_presenter import WorkspacePresenter

        # Before the preload thread starts: the two never import the same modules at once.
        self.workspaces = WorkspacePresenter(self.window, self.messages, self.tasks, self.embedded)
        if not self.options.demo:
            self.workspaces.start()
        self.demo_run.start_preload()
        self._painted.set()  # the demo waits for this, then for the preload
        # After the preload: never import the same modules from two threads at once.
        assert self.demo_run.preloaded is not None
        self.demo_run.preloaded.add_done_callback(lambda _done: self._build_site_tools())
        if self.embedded is not None:
            self._create_browser_soon()

    def _build_site_tools(self) -> None:
        from desktop_app.views.site_tools_presenter import SiteToolsPresenter

        if self.window is None or self.site_tools is not None:
            return
        self.site_tools = SiteToolsPresenter(
            self.window, self.messages, self.tasks, self.workspaces, self.embedded
        )
        view = self.presenter.browser_view if self.presenter else None
        if view is not None:
            self.site_tools.set_browser(view)

    def _create_browser_soon(self) -> None:
        import asyncio

        # Out of the paint handler: the first frame is on screen before QtWebEngine loads.
        asyncio.get_running_loop().call_soon(self._create_browser)

    def _create_browser(self) -> None:
        from desktop_app.views.browser_view import BrowserView

        if self.window is None or self.presenter is None:
            return
        view = BrowserView()
        self.window.set_browser(view)
        if self.site_tools is not None:
            self.site_tools.set_browser(view)
        self.presenter.browser_view = view
        self.browser_ready.set()

    def _spawn_demo(self) -> None:
        # Re-triggering cancels the running demo (TaskOwner), then starts a fresh one.
        self.tasks.spawn("demo", self._demo_then_maybe_exit())

    def _painted_then_quit(self) -> None:
        # The startup benchmark times the process until these lines appear on stdout:
        # the first frame (printed by `paint_first_frame` when it painted it), then the loop
        # running, i.e. the window handling input.
        if self.first_frame is None:
            print("first-paint", flush=True)
        print("ready", flush=True)
        self.request_quit()

    def _customer(self) -> Any:
        from desktop_app.services.demo import DemoCustomer

        default = DemoCustomer()
        return DemoCustomer(
            email=self.options.email or default.email, phone=self.options.phone or default.phone
        )

    async def _demo_then_maybe_exit(self) -> None:
        import asyncio

        # The preload starts at the first paint (bounded wait: a hidden window never paints).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._painted.wait(), 5)
        self.exit_code = await self.demo_run.run()
        if self.options.exit_after_demo:
            self.request_quit()

    def _on_task_error(self, name: str, exc: BaseException) -> None:
        self.messages.error(f"Something went wrong ({name}): {exc}", "See the log for details.")

    @property
    def quitting(self) -> bool:
        return self._shutdown is not None and self._shutdown.is_set()

    def request_quit(self, *_: object) -> None:
        if self._shutdown is not None:
            self._shutdown.set()

    async def stop(self) -> None:
        """Stop in reverse order of start; safe to call again after an interrupted call."""
        if self._stopped:
            return
        if hasattr(self, "tasks"):
            await self.tasks.cancel_all()
        if hasattr(self, "demo_run"):
            await self.demo_run.wait_preloaded(15)
        if self.site_tools is not None:
            await self.site_tools.stop()  # a rule-test session's relay and sandbox
        if hasattr(self, "workspaces"):
            await self.workspaces.stop()
        if self.presenter is not None:
            await self.presenter.stop()
        if self.embedded is not None:
            await self.embedded.close()
        if self.window is not None:
            layout = self.layout_path_for(self.options)
            if layout is not None:
                from desktop_app.views.window_state import save_window_state

                save_window_state(self.window, layout)
            self.window.hide()
            self.window.deleteLater()
            self.window = None
        # Let Qt destroy the web view (and end its renderer process) while the loop runs.
        # Yielding to the loop, never `processEvents()`: inside a coroutine that would be a
        # nested event loop, and other tasks would fail with "Cannot enter into task".
        import asyncio

        await asyncio.sleep(0.05)
        self._stopped = True


if __name__ == "__main__":
    from desktop_app.services.logs import configure

    configure()
    raise SystemExit(run_desktop(parse_args()))
