"""How each dedup verdict looks and reads in the app: a data table, not branches.

The outcome says what Meta ends up counting. Meta keeps one copy when the Pixel and the server
event share pixel, `event_name` and `event_id` within 48 hours, and counts both otherwise:
https://developers.facebook.com/documentation/ads-commerce/conversions-api/deduplicate-pixel-and-server-events
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from desktop_app.capi.dedup import Pair
from desktop_app.views.styles import AMBER, GREEN, GREY, RED

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VerdictStyle:
    label: str  # short words for the table
    outcome: str  # key into OUTCOMES
    colour: str  # text/icon colour (works on light and dark backgrounds)
    icon: str  # file name in resources/icons/


@dataclass(frozen=True, slots=True)
class Outcome:
    phrase: str  # "{n} {phrase}" in the summary bar
    order: int  # position in the summary bar


OUTCOMES: dict[str, Outcome] = {
    "once": Outcome("counted once", 0),
    "twice": Outcome("counted twice", 1),
    "browser_only": Outcome("seen in the browser only", 2),
    "server_only": Outcome("sent by the server only", 3),
    "lost": Outcome("dropped by Meta (event ID reused)", 4),
    "no_id": Outcome("without an event ID", 5),
    "unknown": Outcome("to check", 6),
}


VERDICTS: dict[str, VerdictStyle] = {
    "deduplicated": VerdictStyle("Counted once", "once", GREEN, "once.svg"),
    "pixel_only": VerdictStyle("Browser only", "browser_only", AMBER, "one_side.svg"),
    "server_only": VerdictStyle("Server only", "server_only", AMBER, "one_side.svg"),
    "missing_event_id": VerdictStyle("No event ID", "no_id", RED, "no_id.svg"),
    "event_name_mismatch": VerdictStyle("Counted twice", "twice", RED, "twice.svg"),
    "event_id_reused": VerdictStyle("Lost: ID reused", "lost", RED, "no_id.svg"),
    "double_fire": VerdictStyle("Counted twice", "twice", RED, "twice.svg"),
    "new_id_on_reload": VerdictStyle("Counted twice", "twice", RED, "twice.svg"),
    "outside_window": VerdictStyle("Counted twice", "twice", RED, "twice.svg"),
}

UNKNOWN = VerdictStyle("Check", "unknown", GREY, "unknown.svg")
# The base pixel's PageView has no server copy by design: neutral, not a warning.
NOT_A_CONVERSION = VerdictStyle("Not a conversion", "none", GREY, "info.svg")
ONE_SIDED = frozenset({"pixel_only", "server_only", "missing_event_id"})


def style_for(verdict: str) -> VerdictStyle:
    return VERDICTS.get(verdict, UNKNOWN)


def style_for_pair(pair: Pair) -> VerdictStyle:
    if not pair.is_conversion and pair.verdict in ONE_SIDED:
        return NOT_A_CONVERSION
    return VERDICTS.get(pair.verdict, UNKNOWN)


def summary_text(conversions: int, outcome_counts: dict[str, int]) -> str:
    """'12 conversions: 11 counted once, 1 counted twice' (zero outcomes left out)."""
    if conversions == 0:
        return (
            "No conversions yet. Click “Run demo” to try the built-in shop, or shop on your site."
        )
    noun = "conversion" if conversions == 1 else "conversions"
    parts = [
        f"{count} {OUTCOMES[name].phrase}"
        for name, count in sorted(outcome_counts.items(), key=lambda kv: OUTCOMES[kv[0]].order)
        if count
    ]
    return f"{conversions} {noun}: " + ", ".join(parts)
