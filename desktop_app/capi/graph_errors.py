"""Classify a Graph API answer by `error.code`, not by HTTP status.

Graph throttling is not reliably reported as 429, and a 400 may carry a transient code, so
the code decides (https://developers.facebook.com/docs/graph-api/guides/error-handling).
`GRAPH_ERROR_RULES` is the single source; tests iterate over it.

The envelope builders for findings (`graph_error_for`, `warnings_as_messages`, …) live in
`desktop_app.capi.validation_answers`; they are re-exported here for callers written against
this module name.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from desktop_app.capi.validation_answers import (
    graph_error_for,
    http_status_for,
    invalid_token_error,
    new_fbtrace_id,
    warnings_as_messages,
)

logger = logging.getLogger(__name__)

__all__ = [
    "GRAPH_ERROR_RULES",
    "ErrorRule",
    "Outcome",
    "Verdict",
    "classify_network_error",
    "classify_response",
    "graph_error_for",
    "http_status_for",
    "invalid_token_error",
    "new_fbtrace_id",
    "warnings_as_messages",
]


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # transient: back off and send the same events again (same event_id)
    REJECT = "reject"  # the payload is wrong: keep the event with Meta's message, never resend
    AUTH = "auth"  # token/permission problem: stop sending for the pixel until a new token


@dataclass(frozen=True, slots=True)
class ErrorRule:
    outcome: Outcome
    meaning: str
    advice: str  # what the user should do, in plain words


_THROTTLED = ErrorRule(Outcome.RETRY, "rate limited by Meta", "Nothing to do: sending resumes.")
_PERMISSION = ErrorRule(
    Outcome.AUTH,
    "the token lacks permission for this pixel",
    "Give the token's system user access to the pixel, then reconnect.",
)

# code → rule (https://developers.facebook.com/docs/graph-api/guides/error-handling)
GRAPH_ERROR_RULES: dict[int, ErrorRule] = {
    1: ErrorRule(Outcome.RETRY, "unknown error, possibly temporary", "Retrying with backoff."),
    2: ErrorRule(Outcome.RETRY, "temporary service downtime at Meta", "Retrying with backoff."),
    4: _THROTTLED,  # app-level throttling
    17: _THROTTLED,  # user-level throttling
    32: _THROTTLED,  # page-level throttling
    341: _THROTTLED,  # application limit reached
    613: _THROTTLED,  # rate limit exceeded
    368: ErrorRule(
        Outcome.RETRY,
        "temporarily blocked for a policy violation",
        "Check Business Support Home for a policy notice; sending is retried with backoff.",
    ),
    100: ErrorRule(
        Outcome.REJECT,
        "invalid parameter",
        "Fix the event's data as Meta's message says; the event is not resent.",
    ),
    190: ErrorRule(
        Outcome.AUTH,
        "the access token is invalid or expired",
        "Token expired/invalid — reconnect: store a new access token for this pixel.",
    ),
    10: _PERMISSION,
    **dict.fromkeys(range(200, 300), _PERMISSION),  # permission errors
    **dict.fromkeys(range(80000, 80015), _THROTTLED),  # Business-Use-Case rate limits
}

# Code 100 subcodes that name a known problem (reference §6).
GRAPH_SUBCODE_MEANINGS: dict[int, str] = {
    2804003: "event_time is more than 7 days old",
    2804050: "not enough customer information to match the event",
    2804019: "a field failed Meta's validation",
    33: "the pixel does not exist or the token cannot use it",
}

_TRANSIENT = ErrorRule(Outcome.RETRY, "temporary failure", "Retrying with backoff.")
_UNKNOWN_CLIENT = ErrorRule(
    Outcome.REJECT, "Meta refused the request", "Read Meta's message; the event is not resent."
)


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    code: int | None
    subcode: int | None
    message: str  # Meta's message, or ours for network failures
    advice: str

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": str(self.outcome),
            "code": self.code,
            "subcode": self.subcode,
            "message": self.message,
            "advice": self.advice,
        }


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def classify_network_error(description: str) -> Verdict:
    """Timeouts, refused connections, resets: always transient."""
    return Verdict(Outcome.RETRY, None, None, description, _TRANSIENT.advice)


def classify_response(status: int, body: Any) -> Verdict:
    """Meta's answer (HTTP status + parsed JSON body, or None when not JSON) → a verdict."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(error, Mapping):
        code = _as_int(error.get("code"))
        subcode = _as_int(error.get("error_subcode"))
        message = str(error.get("error_user_msg") or error.get("message") or "Graph API error")
        rule = GRAPH_ERROR_RULES.get(code) if code is not None else None
        if rule is None:
            transient = error.get("is_transient") is True or status >= 500
            rule = _TRANSIENT if transient else _UNKNOWN_CLIENT
        if subcode in GRAPH_SUBCODE_MEANINGS and rule.outcome is Outcome.REJECT:
            message = f"{message} ({GRAPH_SUBCODE_MEANINGS[subcode]})"
        return Verdict(rule.outcome, code, subcode, message, rule.advice)
    if 200 <= status < 300 and isinstance(body, Mapping) and "events_received" in body:
        return Verdict(Outcome.DELIVERED, None, None, "", "")
    if status >= 500 or status in (408, 429) or not isinstance(body, Mapping):
        return Verdict(Outcome.RETRY, None, None, f"HTTP {status} without a Graph answer", "")
    return Verdict(
        Outcome.REJECT, None, None, f"HTTP {status}: unexpected answer", _UNKNOWN_CLIENT.advice
    )
