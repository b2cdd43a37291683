"""Check a server event against Meta's rules before it is sent.

(Minimal version laid by the Foundation; the "Meta-exact customer data" issue completes it.)
Every finding has a code, the field, a plain-language message and the fix. Errors block
sending (the event is kept with its findings); warnings don't.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # stable id, e.g. "event_time_too_old"
    field: str  # dotted path, e.g. "user_data.em"
    message: str  # what is wrong, in plain words
    fix: str  # what to do about it
    severity: Severity = "error"
    graph_subcode: int | None = None  # Meta's error_subcode for this problem, when known

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def validate_event(event: Mapping[str, Any], *, now: float | None = None) -> list[Finding]:
    findings: list[Finding] = []
    if not event.get("event_name"):
        findings.append(
            Finding(
                "missing_event_name",
                "event_name",
                "The event has no name.",
                "Give every event a standard Meta event name such as Purchase.",
            )
        )
    if not event.get("action_source"):
        findings.append(
            Finding(
                "missing_action_source",
                "action_source",
                "The event does not say where it happened.",
                "Set action_source, e.g. 'website'.",
            )
        )
    return findings


def blocking(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
