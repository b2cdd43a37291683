"""One conversion as the dedup doctor sees it: the browser copy, the server copy, one verdict.

Built by `dedup_pairing.py` (re-exported by `dedup.py`, the public entry point). At 1 M pairs
every byte and every allocation per pair counts: slots, `details` left None until a warning
applies, and the plain evidence sentences formatted on demand by `describe()`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from desktop_app.capi.dedup_rules import NON_CONVERSION_EVENTS, VERDICTS, WARNINGS
from desktop_app.capi.dedup_warnings import server_arrival
from desktop_app.capi.observations import PixelObservation, ServerObservation

logger = logging.getLogger(__name__)

__all__ = ["Pair"]

_PLAIN_TEXT = {
    "deduplicated": "Browser and server both sent {name} with event ID {event_id!r}: Meta keeps "
    "one.",
    "pixel_only": "The browser sent {name} {event_id!r}; no server event has this name and ID.",
    "server_only": "The server sent {name} {event_id!r}; the browser never sent this name and ID.",
}


@dataclass(slots=True)
class Pair:
    event_name: str
    event_id: str | None
    verdict: str  # a key of dedup_rules.VERDICTS
    pixel: PixelObservation | None = None
    server: ServerObservation | None = None
    warnings: list[str] = field(default_factory=list)  # keys of dedup_rules.WARNINGS
    explanation: str = ""  # the evidence, in plain words
    repeats: int = 0  # further identical copies with the same key (Meta drops them)
    # warning code → evidence; None until a warning applies (saves a dict per pair at 1 M pairs)
    details: dict[str, str] | None = None

    @property
    def is_conversion(self) -> bool:
        return self.event_name not in NON_CONVERSION_EVENTS

    @property
    def counted(self) -> str:
        rule = VERDICTS.get(self.verdict)
        return rule.counted if rule else "unknown"

    @property
    def fix(self) -> str:
        rule = VERDICTS.get(self.verdict)
        return rule.fix if rule else ""

    @property
    def time(self) -> float:
        if self.pixel is not None:
            return self.pixel.observed_at
        return server_arrival(self.server) if self.server is not None else 0.0

    def detail(self, code: str) -> str:
        return self.details.get(code, "") if self.details else ""

    def describe(self) -> str:
        """The evidence in plain words (built on demand for the common verdicts: at 1 M pairs
        formatting every sentence up front costs more than the pairing itself)."""
        if self.explanation:
            return self.explanation
        template = _PLAIN_TEXT.get(self.verdict, "")
        return template.format(name=self.event_name, event_id=self.event_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "event_name": self.event_name,
            "event_id": self.event_id,
            "verdict": self.verdict,
            "counted": self.counted,
            "pixel": self.pixel.to_json() if self.pixel else None,
            "server": self.server.to_json() if self.server else None,
            "warnings": list(self.warnings),
            "explanation": self.describe(),
            "fix": self.fix,
            "repeats": self.repeats,
            "warning_details": [
                {"code": code, "evidence": self.detail(code), "fix": WARNINGS[code].fix}
                for code in self.warnings
                if code in WARNINGS
            ],
        }
