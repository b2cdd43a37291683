"""Wires "Record journey" (main window) to the journey recorder on the visible page.

Toggle on: steps are recorded as the owner clicks through the site. Toggle off: the journey
is kept with the open site (workspace `journeys`) and a save dialog offers it as a JSON file
for `pixelbridge verify --journey FILE` (docs/verify.md).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.services.journey import parse_journey
from desktop_app.services.journey_recorder import JourneyRecorder
from desktop_app.views.qt_forms import QFileDialog
from desktop_app.views.tasks import Progress

if TYPE_CHECKING:
    from playwright.async_api import Page

    from desktop_app.views.main_window import MainWindow
    from desktop_app.views.messages import MessageBridge
    from desktop_app.views.tasks import TaskOwner
    from desktop_app.views.workspace_presenter import WorkspacePresenter

logger = logging.getLogger(__name__)


class JourneyPresenter:
    def __init__(
        self,
        window: MainWindow,
        messages: MessageBridge,
        tasks: TaskOwner,
        page_provider: Callable[[], Awaitable[Page]],
        workspaces: WorkspacePresenter | None = None,
    ) -> None:
        self.window, self.messages, self.tasks = window, messages, tasks
        self._page_provider = page_provider
        self.workspaces = workspaces
        self.recorder = JourneyRecorder()
        self.last_journey: dict[str, Any] | None = None
        self.dialog: QFileDialog | None = None
        # Connecting to the page can take a second or more (the embedded browser may still be
        # starting): say so, and keep the button from starting a second recording meanwhile.
        self.progress = Progress(
            window.show_waiting,
            window.clear_waiting,
            [window.record_action],
            failed=messages.error,
        )
        window.record_journey_toggled.connect(self.on_toggled)

    def on_toggled(self, on: bool) -> None:
        if on:
            self.tasks.spawn("journey", self.start())
        else:
            self.finish()

    async def start(self) -> None:
        started = await self.progress.run("Starting the recording…", self._start_recording())
        if started is None:  # the failure is already shown with its next step
            self._set_checked(False)
            return
        self.messages.info(
            "Recording: click through your site as a customer would.",
            "Press Record journey again to stop. Typed customer details are not stored.",
        )

    async def _start_recording(self) -> bool:
        page = await self._page_provider()
        await self.recorder.start(page)
        return True

    def _set_checked(self, on: bool) -> None:
        action = self.window.record_action
        action.blockSignals(True)
        action.setChecked(on)
        action.blockSignals(False)

    def finish(self, *, ask_file: bool = True) -> dict[str, Any] | None:
        if not self.recorder.recording:
            return None
        journey = self.recorder.stop()
        parse_journey(journey, "recorded journey")  # what verify will read must parse
        self.last_journey = journey
        count = len(journey["steps"])
        kept = self._keep_with_site(journey)
        self.messages.info(f"Recorded {count} steps{kept}.")
        if ask_file:
            self._ask_file(journey)
        return journey

    def _keep_with_site(self, journey: dict[str, Any]) -> str:
        ws = self.workspaces.workspace if self.workspaces is not None else None
        if self.workspaces is None or ws is None:
            return ""
        stamp = time.strftime("%Y-%m-%d %H:%M")
        ws.journeys.append({"name": f"Journey {stamp}", "recorded_at": time.time(), **journey})
        self.workspaces.store.save(ws)
        return f" and kept them with {ws.name}"

    def _ask_file(self, journey: dict[str, Any]) -> None:
        # Non-modal (`open`, never `exec`): a nested loop would break the asyncio tasks.
        dialog = QFileDialog(self.window, "Save the journey for pixelbridge verify")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("Journey (*.json)")
        dialog.selectFile("journey.json")
        dialog.fileSelected.connect(lambda path: self.save(journey, Path(path)))
        self.dialog = dialog
        dialog.open()

    def save(self, journey: dict[str, Any], path: Path) -> Path:
        path.write_text(json.dumps(journey, indent=2) + "\n", encoding="utf-8")
        self.messages.info(
            f"Saved {path.name}.", f"Replay it with: pixelbridge verify URL --journey {path}"
        )
        return path
