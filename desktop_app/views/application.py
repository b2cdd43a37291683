"""The QApplication subclass: turns Qt's own "quit" into PixelBridge's orderly shutdown.

When Qt quits by itself (session logout, Cmd+Q on macOS, `app.quit()`), its event loop ends at
once, under the running asyncio tasks: the relay, the sandbox and Playwright would be left
without a loop. Overriding `event()` for the application object only (an application-wide
event filter would see every event of every object, in Python) swallows the Quit event and asks
the composition root to shut down; `main()` stops everything in order, then ends the loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from desktop_app.views.qt import QApplication, QEvent

logger = logging.getLogger(__name__)


class PixelBridgeApplication(QApplication):
    def __init__(self, argv: Sequence[str]) -> None:
        super().__init__(list(argv))
        self.on_quit: Callable[[], None] | None = None
        self.quits_intercepted = 0

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Quit and self.on_quit is not None:
            self.quits_intercepted += 1
            logger.debug("Qt asked to quit: shutting down in order")
            self.on_quit()
            return True
        return super().event(event)
