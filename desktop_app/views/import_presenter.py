"""Check a setup PixelBridge did not build: pair a browser HAR export with a server CAPI log.

Same reading and pairing as `pixelbridge pair` (`services.evidence_files.load_files`), shown in
the side-by-side log. File dialogs are opened with `open()`, never `exec()` (a nested event loop
would break the asyncio tasks), and turned into awaitable futures. Parsing runs off the GUI
thread: a day of HAR can be tens of megabytes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.views.pair_model import chronological
from desktop_app.views.qt import QFileDialog, QWidget

if TYPE_CHECKING:
    from desktop_app.capi.dedup import Pair
    from desktop_app.views.main_window import MainWindow
    from desktop_app.views.messages import MessageBridge

logger = logging.getLogger(__name__)

HAR_FILTER = "Browser network export (*.har *.json);;All files (*)"
LOG_FILTER = "Server CAPI log (*.jsonl *.json *.log *.txt);;All files (*)"


async def pick_file(parent: QWidget, title: str, filters: str) -> Path | None:
    """A non-modal open-file dialog as an awaitable: the path, or None when cancelled."""
    dialog = QFileDialog(parent, title)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setNameFilter(filters)
    future: asyncio.Future[Path | None] = asyncio.get_running_loop().create_future()

    def chosen(path: str) -> None:
        if not future.done():
            future.set_result(Path(path))

    def finished(_result: int) -> None:
        if not future.done():
            future.set_result(None)

    dialog.fileSelected.connect(chosen)
    dialog.finished.connect(finished)
    dialog.open()
    try:
        return await future
    finally:
        dialog.deleteLater()


class ImportPresenter:
    def __init__(
        self,
        window: MainWindow,
        messages: MessageBridge,
        *,
        before_import: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.window = window
        self.messages = messages
        self._before_import = before_import  # e.g. stop the live demo feeding the same log

    async def ask_and_import(self) -> list[Pair] | None:
        har = await pick_file(self.window, "Browser export (HAR) to check", HAR_FILTER)
        if har is None:
            return None
        server = await pick_file(
            self.window, "Server events log (optional: Cancel to skip)", LOG_FILTER
        )
        return await self.import_files(har, server)

    async def import_files(self, har: Path, server: Path | None) -> list[Pair] | None:
        from desktop_app.capi.dedup import pair_events
        from desktop_app.errors import UsageError
        from desktop_app.services.evidence_files import load_files

        self.window.on_progress(f"Reading {har.name}…", 0.1)
        loop = asyncio.get_running_loop()
        try:
            imported = await loop.run_in_executor(None, load_files, har, server)
        except UsageError as exc:  # unreadable or empty file: say which and why
            self.window.on_progress("")
            self.messages.error(f"Could not check these files: {exc}", "Pick another file.")
            return None
        pairs = await loop.run_in_executor(
            None, lambda: chronological(pair_events(imported.pixels, imported.servers))
        )
        if self._before_import is not None:
            await self._before_import()
        self.window.model.clear()
        self.window.model.append_pairs(pairs)
        self.window.set_mode("files")
        names = har.name + (f" + {server.name}" if server else "")
        skipped = len(imported.problems)
        note = f" {skipped} unreadable line(s) skipped; see the log." if skipped else ""
        for problem in imported.problems:
            logger.warning("import: %s", problem)
        self.window.on_progress(f"Checked {names}: {self.window.model.summary()}.{note}")
        self.messages.info(f"Checked {names}.{note}")
        return pairs
