"""The app's demo run as a whole: preload what it needs off the GUI thread, run it in the
window (`DemoPresenter`), then write what a scripted run asked for (report, screenshot) and
turn the outcome into an exit code (0 only when every conversion is counted once)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.views.demo_presenter import DemoPresenter
    from desktop_app.views.main_window import MainWindow
    from desktop_app.views.messages import MessageBridge

logger = logging.getLogger(__name__)

# Pure-Python modules the demo needs, imported on a worker thread right after the first paint.
# Once PySide6 is loaded, every import of a .py module also reads its source (PySide6's
# `__feature__` import hook calls `inspect.getsource`): measured here as ~0.3 s of GUI stalls
# when the demo imported them on the GUI thread. None of these modules touches Qt.
PRELOAD = (
    "desktop_app.capi.dedup",
    "desktop_app.capi.emq",
    "httpx",
    "uvicorn",
    "starlette.applications",
    "playwright.async_api",
    "desktop_app.services.browser",
    "desktop_app.services.pixel_capture",
    "desktop_app.services.sandbox",
    "desktop_app.services.relay",
    "desktop_app.tagger.snippet",
    "desktop_app.services.demo",
)


class DemoRunPresenter:
    def __init__(
        self,
        demo: DemoPresenter,
        window: MainWindow,
        messages: MessageBridge,
        *,
        report: Path | None = None,
        screenshot: Path | None = None,
    ) -> None:
        self.demo, self.window, self.messages = demo, window, messages
        self.report, self.screenshot = report, screenshot
        self.preloaded: asyncio.Future[None] | None = None

    def start_preload(self) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self.preloaded = done

        def finished() -> None:
            if not done.done():
                done.set_result(None)

        def work() -> None:
            for name in PRELOAD:
                try:
                    importlib.import_module(name)
                except Exception:  # the demo will import it again and report a real error
                    logger.debug("preloading %s failed", name, exc_info=True)
            loop.call_soon_threadsafe(finished)

        threading.Thread(target=work, name="pixelbridge-preload", daemon=True).start()

    async def wait_preloaded(self, timeout_s: float | None = None) -> None:
        """Never import the same modules from two threads at once (import-lock cycles), and
        no import thread may outlive the window (PySide6's import hook then crashes)."""
        if self.preloaded is not None and not self.preloaded.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.preloaded), timeout_s)

    async def run(self) -> int:
        """Run the demo; returns the exit code a scripted run should end with."""
        await self.wait_preloaded()
        try:
            pairs = await self.demo.run_demo()
        except Exception as exc:
            logger.debug("demo failed", exc_info=True)
            self.messages.error(
                f"The demo could not run: {exc}",
                "Nothing was sent to Meta. Try again; if it fails again, copy the log "
                "(run with -v) into a bug report.",
            )
            return 1
        conversions = [p for p in pairs if p.is_conversion]
        ok = bool(conversions) and all(p.verdict == "deduplicated" for p in conversions)
        if self.report is not None:
            from desktop_app.capi.dedup import report

            data = report(pairs, source="demo")
            self.report.write_text(json.dumps(data, indent=2, default=str) + "\n", "utf-8")
        if self.screenshot is not None:
            await asyncio.sleep(0.2)  # let the last rows and the page repaint (no nested loop)
            if not self.window.grab().save(str(self.screenshot), "PNG"):
                self.messages.error(f"Could not save the screenshot to {self.screenshot}.")
        return 0 if ok else 1
