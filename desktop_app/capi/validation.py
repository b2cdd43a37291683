"""Check a server event against Meta's rules before it is sent (and in our sandbox).

Every finding has a code, the field, a plain-language message and the fix (`findings.RULES`).
Errors block sending (the event is kept with its findings); warnings don't. The rules come from
the server-event parameters page
(https://developers.facebook.com/documentation/ads-commerce/conversions-api/parameters/server-event)
and the customer-information page
(https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters).
Meta's error envelope for a finding is built in `graph_errors`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from desktop_app.capi.findings import Finding, Severity, finding
from desktop_app.capi.graph_api import MAX_EVENT_AGE_S, MAX_EVENTS_PER_REQUEST
from desktop_app.capi.validation_answers import (
    graph_error_for,
    http_status_for,
    invalid_token_error,
    new_fbtrace_id,
    warnings_as_messages,
)
from desktop_app.capi.validation_custom import check_custom_data, check_processing_options
from desktop_app.capi.validation_user import check_user_data, dropped_value_findings

logger = logging.getLogger(__name__)

__all__ = [
    "Finding",
    "Severity",
    "blocking",
    "dropped_value_findings",
    "graph_error_for",
    "http_status_for",
    "invalid_token_error",
    "new_fbtrace_id",
    "validate_batch",
    "validate_event",
    "warnings_as_messages",
]

ACTION_SOURCES = (
    "email",
    "website",
    "app",
    "phone_call",
    "chat",
    "physical_store",
    "system_generated",
    "business_messaging",
    "other",
)
# physical_store events may be up to 62 days old (using-the-api); all others 7 days.
MAX_AGE_BY_SOURCE = {"physical_store": 62 * 24 * 3600}
# Meta documents no tolerance for future times; allow ordinary clock skew between machines.
FUTURE_TOLERANCE_S = 300
# Meta's Parameter Builder appends `.{appendix}` to URLs too; its first byte is 0x01 ("AQ").
_PB_URL_SUFFIX = re.compile(r"\.AQ[A-Za-z0-9_-]{6}$")
_MS_THRESHOLD = 10**11  # a Unix time in seconds stays below this until the year 5138


def validate_event(event: Any, now: float | None = None) -> list[Finding]:
    """All findings for one server event (a JSON object), errors and warnings."""
    if type(event) is not dict and not isinstance(event, Mapping):
        return [finding("event_not_object", "", value=type(event).__name__)]
    now = time.time() if now is None else now
    findings: list[Finding] = []
    if not event.get("event_name"):
        findings.append(finding("missing_event_name", "event_name"))
    action_source = event.get("action_source")
    if not action_source:
        findings.append(finding("missing_action_source", "action_source"))
    elif action_source not in ACTION_SOURCES:
        findings.append(
            finding(
                "invalid_action_source",
                "action_source",
                value=action_source,
                allowed=", ".join(ACTION_SOURCES),
            )
        )
    findings.extend(_check_event_time(event, str(action_source or ""), now))
    is_website = action_source == "website"
    url = event.get("event_source_url")
    if is_website and not url:
        findings.append(finding("missing_event_source_url", "event_source_url"))
    elif url and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        findings.append(finding("event_source_url_not_http", "event_source_url", value=url))
    for key in ("event_source_url", "referrer_url"):
        value = event.get(key)
        if isinstance(value, str) and (suffix := _PB_URL_SUFFIX.search(value)):
            findings.append(finding("url_has_pb_appendix", key, value=suffix.group(0)))
    findings.extend(
        check_user_data(
            event.get("user_data"),
            is_website=is_website,
            landing_url=url if isinstance(url, str) else None,
        )
    )
    findings.extend(check_custom_data(event.get("custom_data"), str(event.get("event_name", ""))))
    findings.extend(check_processing_options(event))
    opt_out = event.get("opt_out")
    if opt_out is not None and not isinstance(opt_out, bool):
        findings.append(finding("opt_out_not_boolean", "opt_out", value=opt_out))
    return findings


def _check_event_time(event: Mapping[str, Any], action_source: str, now: float) -> list[Finding]:
    raw = event.get("event_time")
    if raw is None or raw == "":
        return [finding("missing_event_time", "event_time")]
    # Meta takes the number in a JSON string too; bool is an int in Python but not a time.
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not str(raw).isdigit():
        return [finding("event_time_not_integer", "event_time", value=raw)]
    event_time = int(raw)
    if event_time >= _MS_THRESHOLD:
        return [finding("event_time_in_milliseconds", "event_time", value=event_time)]
    limit = MAX_AGE_BY_SOURCE.get(action_source, MAX_EVENT_AGE_S)
    age = now - event_time
    if age > limit:
        return [finding("event_time_too_old", "event_time", age=_span(age), limit=_span(limit))]
    if -age > FUTURE_TOLERANCE_S:
        return [finding("event_time_in_future", "event_time", ahead=_span(-age))]
    return []


def _span(seconds: float) -> str:
    """'8 days', '3 hours', '12 minutes': enough precision for a person."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{int(seconds)} seconds"


def validate_batch(events: Sequence[Any], now: float | None = None) -> list[tuple[int, Finding]]:
    """Findings for a whole `data` array as (event index, finding).

    Batch-level findings (empty, over 1,000 events) carry index -1. Meta rejects the whole
    request when any one event has an error (using-the-api), so `blocking` on the findings of
    the batch decides for all of them.
    """
    now = time.time() if now is None else now
    if not events:
        return [(-1, finding("empty_batch", "data"))]
    result: list[tuple[int, Finding]] = []
    if len(events) > MAX_EVENTS_PER_REQUEST:
        result.append(
            (
                -1,
                finding("batch_too_large", "data", count=len(events), limit=MAX_EVENTS_PER_REQUEST),
            )
        )
    for index, event in enumerate(events):
        result.extend((index, item) for item in validate_event(event, now))
    return result


def blocking(findings: Sequence[Finding | tuple[int, Finding]]) -> bool:
    """True when any finding is an error (the event, or the batch, must not be sent)."""
    return any(_unwrap(item).severity == "error" for item in findings)


def _unwrap(item: Finding | tuple[int, Finding]) -> Finding:
    return item[1] if isinstance(item, tuple) else item
