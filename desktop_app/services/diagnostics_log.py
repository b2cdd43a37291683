"""Broken tag rules reported by the site runtime (`POST /v1/diagnostics`), kept in memory.

`resources/snippet/runtime.js` skips a rule that throws (an invalid selector, a bad regex) and
posts `{"pixel_id", "diagnostic": {"rule", "error", "url"}}` so the owner learns about it without
opening the browser console. A page URL can carry customer data (`?email=…` on a thank-you
page, an address in a fragment), so only scheme, host and path are kept, with emails and
phone-like runs masked, and every string is capped: nothing raw is kept, logged or served.
Nothing here touches the disk; the last `max_items` reports live in memory per relay.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from desktop_app.services.diagnostics import scrub_personal
from desktop_app.services.logs import redact

logger = logging.getLogger(__name__)

MAX_RULE_CHARS = 100
MAX_ERROR_CHARS = 300
MAX_URL_CHARS = 300
MAX_UA_CHARS = 200
MAX_BODY_BYTES = 32 * 1024  # a real report is well under 1 KiB
_PIXEL_ID = re.compile(r"^\d{1,20}$")
_SPACES = re.compile(r"\s+")


class DiagnosticShapeError(ValueError):
    """The report is not `{"pixel_id"?, "diagnostic": {"rule", "error", "url"}}`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class RuleDiagnostic:
    """One report of a broken rule (rule None: the runtime itself hit an error)."""

    pixel_id: str | None
    rule: str | None
    error: str
    url: str  # scheme://host[:port]/path, no query, fragment or credentials
    page: str  # the path alone, for messages
    user_agent: str | None
    at: float

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.rule, self.error)

    @property
    def message(self) -> str:
        where = f"on {self.page}"
        if self.rule is None:
            return f"The PixelBridge snippet hit an error {where}: {self.error}"
        return f"Rule '{self.rule}' is broken {where}: {self.error}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["message"] = self.message
        return data

    def as_finding(self) -> dict[str, Any]:
        """Shaped like a validation finding, for listeners that show findings."""
        what = f"rule '{self.rule}'" if self.rule else "the tag config"
        fix = (
            f"Open the tagging tab on {self.page} and re-pick the element for {what}; "
            "the snippet skips it until the config is fixed"
        )
        return {
            "code": "rule_error",
            "field": self.rule,
            "fix": fix,
            "severity": "error",
            "graph_subcode": None,
            **self.to_json(),
        }


def _cap(text: str, limit: int) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean(text: str, limit: int) -> str:
    """Collapse whitespace, mask tokens, emails and phone numbers, cap the length."""
    # Mask before capping, so a cut cannot leave half an email unmatched.
    return _cap(scrub_personal(redact(text)), limit)


def safe_page_url(url: str) -> tuple[str, str]:
    """(`scheme://host[:port]/path`, `/path`) with query, fragment and credentials dropped."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DiagnosticShapeError("diagnostic.url", "must be an http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DiagnosticShapeError("diagnostic.url", "must be an http(s) URL")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")
    # Decode first: `jane%40example.com` in a path is still an email.
    path = _clean(unquote(parts.path) or "/", MAX_URL_CHARS)
    return _cap(origin + path, MAX_URL_CHARS), path


def _optional_str(value: Any, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a numeric rule id in a hand-written config
    raise DiagnosticShapeError(field, "must be a string or null")


def parse_report(
    data: Any, *, user_agent: str | None = None, now: float | None = None
) -> RuleDiagnostic:
    """Validate one report body; raise `DiagnosticShapeError` naming the bad field."""
    if not isinstance(data, dict):
        raise DiagnosticShapeError("body", 'must be {"pixel_id": …, "diagnostic": {…}}')
    pixel_id = _optional_str(data.get("pixel_id"), "pixel_id")
    if pixel_id is not None and not _PIXEL_ID.match(pixel_id):
        raise DiagnosticShapeError("pixel_id", "must be the Pixel ID (digits)")
    diagnostic = data.get("diagnostic")
    if not isinstance(diagnostic, dict):
        raise DiagnosticShapeError("diagnostic", "must be an object with rule, error and url")
    rule = _optional_str(diagnostic.get("rule"), "diagnostic.rule")
    error = diagnostic.get("error")
    if not isinstance(error, str) or not error.strip():
        raise DiagnosticShapeError("diagnostic.error", "must be a non-empty string")
    url = diagnostic.get("url")
    if not isinstance(url, str):
        raise DiagnosticShapeError("diagnostic.url", "must be a string (the page URL)")
    safe_url, page = safe_page_url(url)
    return RuleDiagnostic(
        pixel_id=pixel_id,
        rule=_clean(rule, MAX_RULE_CHARS) if rule is not None else None,
        error=_clean(error, MAX_ERROR_CHARS),
        url=safe_url,
        page=page,
        user_agent=_cap(user_agent, MAX_UA_CHARS) if user_agent else None,
        at=time.time() if now is None else now,
    )


@dataclass(slots=True)
class _Tally:
    count: int
    first_at: float
    last: RuleDiagnostic
    logged_at: float | None = None


class DiagnosticsLog:
    """The last `max_items` reports, a count per distinct (rule, error), throttled warnings."""

    def __init__(
        self,
        max_items: int = 200,
        max_distinct: int = 200,
        warn_interval_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._items: deque[RuleDiagnostic] = deque(maxlen=max_items)
        self._tallies: OrderedDict[tuple[str | None, str], _Tally] = OrderedDict()
        self._max_distinct = max_distinct
        self._warn_interval_s = warn_interval_s
        self._clock = clock
        self.total = 0

    def add(self, item: RuleDiagnostic) -> RuleDiagnostic:
        self._items.append(item)
        self.total += 1
        tally = self._tallies.get(item.key)
        if tally is None:
            tally = self._tallies[item.key] = _Tally(0, item.at, item)
            while len(self._tallies) > self._max_distinct:
                self._tallies.popitem(last=False)
        tally.count += 1
        tally.last = item
        self._tallies.move_to_end(item.key)
        now = self._clock()
        # Every visitor of a broken page reports the same error: one line a minute is enough.
        if tally.logged_at is None or now - tally.logged_at >= self._warn_interval_s:
            tally.logged_at = now
            logger.warning(
                "%s (pixel %s, %d report(s))", item.message, item.pixel_id or "?", tally.count
            )
        return item

    def items(self, limit: int | None = None) -> list[RuleDiagnostic]:
        """Oldest first; with `limit`, the latest `limit` reports."""
        items = list(self._items)
        return items[-limit:] if limit else items

    def summary(self) -> list[dict[str, Any]]:
        """One row per distinct (rule, error), most recently seen last."""
        return [
            {
                "rule": t.last.rule,
                "error": t.last.error,
                "count": t.count,
                "first_at": t.first_at,
                "last_at": t.last.at,
                "last_url": t.last.url,
                "message": t.last.message,
            }
            for t in self._tallies.values()
        ]

    @property
    def last(self) -> RuleDiagnostic | None:
        return self._items[-1] if self._items else None

    def health_fields(self) -> dict[str, Any]:
        last = self.last
        # /healthz is public: the last report without the visitor's browser string.
        brief = None
        if last is not None:
            brief = {k: v for k, v in last.to_json().items() if k != "user_agent"}
        return {"rule_errors": self.total, "last_rule_error": brief}
