"""The demo's side-by-side table for a terminal: one row per event, Pixel | server | verdict."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from desktop_app.capi.dedup import Pair
from desktop_app.services.demo import DEMO_EVENTS as DEMO_CONVERSIONS
from desktop_app.services.demo import counted_once

# What each verdict means for the owner, in a few words.
VERDICT_TEXT = {
    "deduplicated": "counted once",
    "pixel_only": "Pixel only",
    "server_only": "server only",
    "missing_event_id": "no event_id: may count twice",
}
COLUMNS = (("EVENT", 18), ("EVENT ID", 38), ("PIXEL (browser)", 16), ("SERVER (CAPI)", 22))


def _pixel_cell(pair: Pair) -> str:
    return f"sent ({pair.pixel.transport})" if pair.pixel else "—"


def _server_cell(pair: Pair) -> str:
    server = pair.server
    if server is None:
        return "—"
    response = server.response or {}
    body = response.get("body")
    # The relay records Meta's answer under "body"; a bare Graph answer has it at the top.
    received = (body if isinstance(body, dict) else response).get("events_received")
    return f"{server.status} ({received} recv)" if received is not None else server.status


def _verdict_cell(pair: Pair) -> str:
    if pair.verdict == "deduplicated" and not counted_once(pair):
        status = pair.server.status if pair.server else "missing"
        return f"ids match, server copy {status}: not at Meta yet"
    text = VERDICT_TEXT.get(pair.verdict, pair.verdict.replace("_", " "))
    if not pair.is_conversion:
        text += " (not a conversion)"
    return text


def ordered(pairs: Iterable[Pair]) -> list[Pair]:
    """Oldest first, as the events happened (a server-only copy sorts by when it was sent)."""
    return sorted(pairs, key=_when)


def _when(pair: Pair) -> float:
    if pair.pixel is not None:
        return pair.pixel.observed_at
    if pair.server is not None:
        return pair.server.sent_at or float(pair.server.event_time)
    return 0.0


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(pairs: Iterable[Pair], context: Mapping[str, Any] | None = None) -> str:
    pairs = ordered(pairs)
    lines: list[str] = []
    if context and context.get("shop_url"):
        lines.append(f"PixelBridge demo — shop {context['shop_url']}")
    header = "".join(name.ljust(width) for name, width in COLUMNS) + "VERDICT"
    lines += [header, "-" * (len(header) + 24)]
    for pair in pairs:
        cells = (pair.event_name, pair.event_id or "—", _pixel_cell(pair), _server_cell(pair))
        row = "".join(
            _clip(cell, width - 1).ljust(width)
            for cell, (_, width) in zip(cells, COLUMNS, strict=True)
        )
        lines.append(row + _verdict_cell(pair))
    conversions = [p for p in pairs if p.is_conversion]
    lines.append("")
    lines.append(
        f"{sum(map(counted_once, conversions))} of {len(conversions)} conversions counted once "
        "(Pixel and delivered server copies share event_name and event_id)."
    )
    missing = missing_demo_events(pairs)
    if missing:
        lines.append(f"Not counted once: {', '.join(missing)}.")
    return "\n".join(lines)


def missing_demo_events(pairs: Iterable[Pair]) -> list[str]:
    """Demo conversions without a deduplicated pair (absent ones included)."""
    pairs = list(pairs)
    ok = {p.event_name for p in pairs if counted_once(p)}
    bad = {p.event_name for p in pairs if p.is_conversion and not counted_once(p)}
    return [name for name in DEMO_CONVERSIONS if name not in ok or name in bad] + sorted(
        bad - set(DEMO_CONVERSIONS)
    )


def all_demo_events_counted_once(pairs: Iterable[Pair]) -> bool:
    """Exit-status rule: all four demo conversions deduplicated, and no other conversion not."""
    return not missing_demo_events(pairs)
