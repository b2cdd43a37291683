"""Read the Meta Pixel requests out of a browser HAR export (Chrome, Edge or Firefox devtools).

Pure: text in, `PixelObservation`s out (HAR 1.2: http://www.softwareishard.com/blog/har-12-spec/).
Requests the browser never delivered (an ad blocker's `net::ERR_BLOCKED_BY_CLIENT`, status 0)
are not browser copies Meta received: they are counted apart, so pairing says `server_only`
for them. A HAR cut short or with a broken entry still yields the entries before the damage;
the problem is reported with its line number.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from desktop_app.capi.observations import PixelObservation
from desktop_app.capi.pixel import is_pixel_request, parse_pixel_request
from desktop_app.capi.server_log import ParseProblem

logger = logging.getLogger(__name__)

_ENTRIES = re.compile(r'"entries"\s*:\s*\[')


@dataclass(slots=True)
class HarImport:
    pixels: list[PixelObservation] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    entries: int = 0  # requests in the HAR
    blocked: list[str] = field(default_factory=list)  # Pixel hits never delivered: event, eid, why
    unreadable: int = 0  # Pixel endpoint hits without pixel id or event name


def parse_har(text: str, source: str = "HAR") -> HarImport:
    out = HarImport()
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if isinstance(document, dict):
        entries = (document.get("log") or {}).get("entries")
        if not isinstance(entries, list):
            out.problems.append(ParseProblem(source, 1, "not a HAR file (no log.entries)"))
            return out
        for index, entry in enumerate(entries):
            _read_entry(entry, None, index, source, out)
        return out
    for entry, line in _salvage_entries(text, source, out):
        _read_entry(entry, line, out.entries, source, out)
    return out


def _salvage_entries(text: str, source: str, out: HarImport) -> list[tuple[Any, int]]:
    """Entries one by one, so a truncated or damaged file still gives what precedes the damage."""
    match = _ENTRIES.search(text)
    if match is None:
        out.problems.append(ParseProblem(source, 1, "not a HAR file (no log.entries)"))
        return []
    decoder = json.JSONDecoder()
    found: list[tuple[Any, int]] = []
    position = match.end()
    length = len(text)
    while position < length:
        while position < length and text[position] in " \t\r\n,":
            position += 1
        if position >= length or text[position] == "]":
            break
        line = text.count("\n", 0, position) + 1
        try:
            entry, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            out.problems.append(
                ParseProblem(
                    source, exc.lineno, f"broken HAR entry ({exc.msg}); later entries skipped"
                )
            )
            break
        found.append((entry, line))
    else:
        out.problems.append(ParseProblem(source, text.count("\n") + 1, "HAR file is cut short"))
    return found


def _read_entry(entry: Any, line: int | None, index: int, source: str, out: HarImport) -> None:
    out.entries += 1
    where = line
    request = entry.get("request") if isinstance(entry, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        message = f"entry {index + 1} has no request URL"
        out.problems.append(ParseProblem(source, where, message))
        return
    url = request["url"]
    if not is_pixel_request(url):
        return
    response = entry.get("response")
    response = response if isinstance(response, dict) else {}
    # Chrome devtools: status 0 + `_error`; Playwright: status -1 + `_failureText`.
    error = entry.get("_error") or response.get("_error") or response.get("_failureText")
    observation = parse_pixel_request(
        url,
        str(request.get("method") or "GET"),
        _post_text(request.get("postData")),
        entry.get("_resourceType"),
        _timestamp(entry.get("startedDateTime")),
    )
    if observation is None:
        out.unreadable += 1
        return
    if error or entry.get("_wasAborted") or response.get("status") in (0, -1):
        event = f"{observation.event_name} eid={observation.event_id or '-'}"
        out.blocked.append(f"{event} ({error or 'no response'})")
        return
    out.pixels.append(observation)


def _post_text(post: Any) -> str | None:
    if not isinstance(post, dict):
        return None
    text = post.get("text")
    if isinstance(text, str) and text:
        return text
    params = post.get("params")
    if isinstance(params, list):  # Firefox lists form fields instead of the raw body
        pairs = [
            (str(p.get("name", "")), str(p.get("value", ""))) for p in params if isinstance(p, dict)
        ]
        return urlencode(pairs)
    return None


def _timestamp(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
