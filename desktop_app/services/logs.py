"""Logging setup with redaction: tokens never reach a log line, whoever logs them.

The filter rewrites the formatted message, so a token inside an exception text or an httpx
URL (`?access_token=…`) is masked too.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

_SECRET_PATTERNS = (
    # access_token=…, "access_token": "…", appsecret_proof likewise
    re.compile(r'((?:access_token|appsecret_proof)["\']?\s*[:=]\s*["\']?)[^"\'&\s,}]+', re.I),
    re.compile(r"(Bearer\s+)[A-Za-z0-9._\-]+", re.I),
    re.compile(r"()\bEAA[A-Za-z0-9]{20,}"),  # the shape of Meta user/system tokens
)


def redact(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}[redacted]", text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class _CurrentStderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is now, so a replaced or closed stream is never kept."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def configure(*, verbose: bool = False, json_lines: bool = False) -> None:
    """Log to stderr; `json_lines` gives one JSON object per line (server deployments)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_pixelbridge", False):
            root.removeHandler(handler)
    handler = _CurrentStderrHandler()
    handler._pixelbridge = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    for noisy in ("httpx", "httpcore", "asyncio", "uvicorn.error"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        import json

        payload = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            payload.update(extra)
        if record.exc_info:
            payload["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, default=str)
