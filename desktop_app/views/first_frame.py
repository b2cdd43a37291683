"""The main window's first frame, painted before asyncio, qasync and the presenters load.

Cold start is mostly imports. The first frame needs only Qt and the window's own widgets;
asyncio (~35 ms here), qasync and the presenters are needed only once the window handles
input, so `run_desktop` paints this frame first and builds the rest right after (the window
answers input ~60 ms after it appears). Nothing here may import asyncio.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.views.main_window import MainWindow
from desktop_app.views.messages import MessageBridge
from desktop_app.views.pair_model import PairTableModel
from desktop_app.views.qt import QApplication, QTimer

logger = logging.getLogger(__name__)

# A window that is never exposed (minimised, off-screen) does not paint: stop waiting then.
FIRST_FRAME_WAIT_MS = 2000
BENCH_MARK = "first-paint"  # bench/bench_startup.py times the process until this line


@dataclass(slots=True)
class RawUserDataForward:
    """The pair detail asks for raw customer data; the presenter that has it comes later."""

    target: Callable[[str], Any] | None = None

    def __call__(self, event_id: str) -> Any:
        return self.target(event_id) if self.target is not None else None


@dataclass(slots=True)
class FirstFrame:
    window: MainWindow
    messages: MessageBridge
    raw_user_data: RawUserDataForward = field(default_factory=RawUserDataForward)


def paint_first_frame(
    app: QApplication,
    *,
    browser_later: bool,
    layout_path: Path | None,
    print_mark: bool,
) -> FirstFrame:
    """Build and show the main window, and run Qt's own loop until its first paint.

    Qt's loop, not asyncio's: no asyncio loop exists yet, so nothing can be re-entered.
    """
    messages = MessageBridge()
    forward = RawUserDataForward()
    window = MainWindow(
        PairTableModel(), messages, browser_later=browser_later, raw_user_data=forward
    )
    if layout_path is not None:
        from desktop_app.views.window_state import restore_window_state

        restore_window_state(window, layout_path)
    if print_mark:
        window.first_painted.connect(lambda: print(BENCH_MARK, flush=True))
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    window.first_painted.connect(loop.quit)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(FIRST_FRAME_WAIT_MS)
    window.show()
    if not window.painted:
        loop.exec()
    timer.stop()
    window.first_painted.disconnect(loop.quit)
    if not window.painted:
        logger.debug("the window was not painted within %d ms", FIRST_FRAME_WAIT_MS)
    return FirstFrame(window, messages, forward)
