"""Read server-side CAPI events that PixelBridge did not send: JSON lines → `ServerObservation`s.

Pure (text in, observations out), so `pixelbridge pair` and the desktop app's import share it.
Each line may be:
- a CAPI request body as the site's server posted it: `{"data": [event, …], "test_event_code": …}`
  (https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api), also in
  its form-encoded shape `data=[…]&access_token=…` (the token is dropped, never kept);
- one row of the relay's deliveries export (`GET /v1/deliveries`: `pixel_id`, `status`,
  `payload`, `response`, …);
- one bare server event (`{"event_name": …, "event_id": …}`).
A whole file holding one JSON document (`{"deliveries": […]}`, `{"data": […]}` or a list) is
read too. A bad line is reported with its line number and the rest is still read.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from desktop_app.capi.fields import HASHED_KEYS
from desktop_app.capi.observations import ServerObservation

logger = logging.getLogger(__name__)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
REDACTED = "<unhashed value removed>"
MILLISECONDS_FROM = 10**11  # unix seconds stay below this until the year 5138


@dataclass(frozen=True, slots=True)
class ParseProblem:
    source: str  # file name (or "HAR"/"server log" when read from text)
    line: int | None  # 1-based line number, when known
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "message": self.message}


@dataclass(slots=True)
class ServerLog:
    servers: list[ServerObservation] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    lines: int = 0


def parse_server_log(text: str, source: str = "server log") -> ServerLog:
    """Every server event of `text`; malformed lines become problems, not failures."""
    out = ServerLog()
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and "\n" in stripped:
        try:  # one pretty-printed document rather than JSON lines
            whole = json.loads(stripped)
        except ValueError:
            whole = None
        if whole is not None:
            out.lines = stripped.count("\n") + 1
            _read_document(whole, 1, source, out)
            return out
    for number, raw_line in enumerate(text.splitlines(), start=1):
        out.lines = number
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("data="):
            document: Any = _form_body(line)
        else:
            try:
                document = json.loads(line)
            except json.JSONDecodeError as exc:
                out.problems.append(ParseProblem(source, number, f"not JSON ({exc.msg})"))
                continue
        _read_document(document, number, source, out)
    return out


def read_documents(documents: list[Any], source: str = "relay") -> ServerLog:
    """Observations from already-decoded documents (e.g. `GET /v1/deliveries` rows)."""
    out = ServerLog(lines=len(documents))
    for number, document in enumerate(documents, start=1):
        _read_document(document, number, source, out)
    return out


def _form_body(line: str) -> Any:
    fields = dict(parse_qsl(line, keep_blank_values=True))
    fields.pop("access_token", None)  # never kept, never written anywhere
    try:
        data = json.loads(fields.get("data", ""))
    except ValueError:
        return {"data": "not JSON"}
    return {"data": data, "test_event_code": fields.get("test_event_code")}


def _read_document(document: Any, line: int, source: str, out: ServerLog) -> None:
    if isinstance(document, list):
        for item in document:
            _read_document(item, line, source, out)
        return
    if not isinstance(document, dict):
        out.problems.append(ParseProblem(source, line, "expected a JSON object"))
        return
    if isinstance(document.get("deliveries"), list):
        for row in document["deliveries"]:
            _read_document(row, line, source, out)
        return
    if "data" in document:
        events = document["data"]
        if not isinstance(events, list):
            out.problems.append(ParseProblem(source, line, '"data" must be a list of events'))
            return
        for event in events:
            _add_event(event, _Envelope.of(document), line, source, out)
        return
    if isinstance(document.get("payload"), dict):  # a relay deliveries row
        _add_event(document["payload"], _Envelope.of(document), line, source, out)
        return
    if "event_name" in document:
        _add_event(document, _Envelope(), line, source, out)
        return
    out.problems.append(ParseProblem(source, line, "no server event found (need data/payload)"))


@dataclass(frozen=True, slots=True)
class _Envelope:
    """What the line says about its events besides the events themselves."""

    pixel_id: str | None = None
    test_event_code: str | None = None
    sent_at: float | None = None
    response: dict[str, Any] | None = None
    status: str = "delivered"

    @classmethod
    def of(cls, document: dict[str, Any]) -> _Envelope:
        sent_at = document.get("sent_at")
        response = document.get("response")
        return cls(
            pixel_id=_text(document.get("pixel_id")),
            test_event_code=_text(document.get("test_event_code")),
            sent_at=float(sent_at) if isinstance(sent_at, int | float) else None,
            response=response if isinstance(response, dict) else None,
            status=str(document.get("status") or "delivered"),
        )


def _add_event(event: Any, envelope: _Envelope, line: int, source: str, out: ServerLog) -> None:
    if not isinstance(event, dict) or not isinstance(event.get("event_name"), str):
        out.problems.append(ParseProblem(source, line, "event without an event_name"))
        return
    try:
        event_time = int(event.get("event_time") or 0)
    except (TypeError, ValueError):
        out.problems.append(ParseProblem(source, line, "event_time is not a unix timestamp"))
        return
    if event_time > MILLISECONDS_FROM:  # Meta wants seconds; a log in ms is still readable
        out.problems.append(
            ParseProblem(source, line, "event_time is in milliseconds; Meta expects seconds")
        )
        event_time //= 1000
    payload, removed = _without_raw_user_data(event)
    if removed:
        out.problems.append(
            ParseProblem(
                source,
                line,
                f"unhashed customer data in {', '.join(removed)}: removed from the report "
                "(Meta requires these SHA-256 hashed)",
            )
        )
    event_id = _text(event.get("event_id"))
    out.servers.append(
        ServerObservation(
            pixel_id=envelope.pixel_id,
            event_name=event["event_name"],
            event_id=event_id,
            event_time=event_time,
            payload=payload,
            status=envelope.status,
            sent_at=envelope.sent_at,
            response=envelope.response,
            test_event_code=envelope.test_event_code,
        )
    )


def _without_raw_user_data(event: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Drop values Meta wants hashed that arrive in clear text: raw customer data must never
    reach a report file (only hashes may)."""
    user_data = event.get("user_data")
    if not isinstance(user_data, dict):
        return event, []
    removed: list[str] = []
    cleaned: dict[str, Any] = {}
    for key, value in user_data.items():
        if key in HASHED_KEYS:
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str) and _SHA256.match(v) for v in values):
                removed.append(key)
                cleaned[key] = REDACTED
                continue
        cleaned[key] = value
    if not removed:
        return event, []
    return {**event, "user_data": cleaned}, removed


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)
