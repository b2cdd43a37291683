"""One bridge for every message the user should read: services and tasks post, the window shows.

Messages say what happened and the next step, in plain words. Posting is thread-safe only on
the GUI thread (everything in PixelBridge runs on the qasync loop, so that is the only thread).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from desktop_app.services.logs import redact
from desktop_app.views.qt import QObject, Signal

logger = logging.getLogger(__name__)

LEVELS = ("info", "warning", "error")


@dataclass(frozen=True, slots=True)
class Message:
    level: str  # info | warning | error
    text: str
    next_step: str = ""

    def plain(self) -> str:
        return f"{self.text} {self.next_step}".strip()


class MessageBridge(QObject):
    posted = Signal(object)  # Message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history: list[Message] = []

    def post(self, level: str, text: str, next_step: str = "") -> Message:
        if level not in LEVELS:
            raise ValueError(f"unknown message level {level!r}")
        # Messages can quote exception texts: the same redaction as the logs applies.
        message = Message(level, redact(text), redact(next_step))
        self.history.append(message)
        del self.history[:-200]
        log = {"info": logger.info, "warning": logger.warning, "error": logger.error}[level]
        log("%s", message.plain())
        self.posted.emit(message)
        return message

    def info(self, text: str, next_step: str = "") -> Message:
        return self.post("info", text, next_step)

    def warning(self, text: str, next_step: str = "") -> Message:
        return self.post("warning", text, next_step)

    def error(self, text: str, next_step: str = "") -> Message:
        return self.post("error", text, next_step)
