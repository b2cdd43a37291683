"""Evidence a consultant can hand to a client or to Meta support: one timeline, JSON and HTML.

Pure (returns strings and dicts; the caller writes files). The timeline lists, in time order,
each browser Pixel request, each server (relay) request and Meta's answer with its
`fbtrace_id` — the id Meta support asks for. Only hashed customer data is ever present: the
observations carry hashes and user-data keys, never raw values, and no access token.
"""

from __future__ import annotations

import html
import json
import logging
from datetime import UTC, datetime
from typing import Any

from desktop_app.capi.dedup import Pair, summarize
from desktop_app.capi.dedup_rules import VERDICTS, WARNINGS
from desktop_app.capi.dedup_warnings import meta_answer, server_arrival

logger = logging.getLogger(__name__)

# verdict → (colour, symbol) for the HTML report; what Meta counts decides the colour.
_COUNTED_STYLE = {
    "once": ("#137333", "✔"),
    "browser_only": ("#975300", "◐"),
    "server_only": ("#975300", "◑"),
    "unknown": ("#c5221f", "?"),
    "twice": ("#c5221f", "✖✖"),
    "lost": ("#c5221f", "✖"),
}


def _iso(ts: float | None) -> str:
    if not ts:
        return ""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def timeline(pairs: list[Pair]) -> list[dict[str, Any]]:
    """Every step of every pair, oldest first."""
    steps: list[dict[str, Any]] = []
    for index, pair in enumerate(pairs):
        base = {
            "pair": index,
            "event_name": pair.event_name,
            "event_id": pair.event_id,
            "verdict": pair.verdict,
        }
        if pair.pixel is not None:
            pixel = pair.pixel
            steps.append(
                {
                    **base,
                    "at": pixel.observed_at,
                    "time": _iso(pixel.observed_at),
                    "step": "pixel_request",
                    "detail": {
                        "pixel_id": pixel.pixel_id,
                        "event_name": pixel.event_name,
                        "eid": pixel.event_id,
                        "transport": pixel.transport,
                        "page": pixel.url,
                        "custom_data": pixel.custom_data,
                        "user_data_keys": list(pixel.user_data_keys),
                        "fbp": pixel.fbp,
                        "fbc": pixel.fbc,
                    },
                }
            )
        if pair.server is not None:
            server = pair.server
            sent = server_arrival(server)
            steps.append(
                {
                    **base,
                    "at": sent,
                    "time": _iso(sent),
                    "step": "server_request",
                    "detail": {
                        "pixel_id": server.pixel_id,
                        "status": server.status,
                        "test_event_code": server.test_event_code,
                        "payload": server.payload,
                    },
                }
            )
            if server.response is not None:
                steps.append(
                    {
                        **base,
                        "at": sent,
                        "time": _iso(sent),
                        "step": "meta_response",
                        "detail": {
                            "fbtrace_id": meta_answer(server.response).get("fbtrace_id"),
                            "response": server.response,
                        },
                    }
                )
    steps.sort(key=lambda s: (s["at"] or 0.0, s["pair"]))
    return steps


def evidence_json(pairs: list[Pair], **context: Any) -> dict[str, Any]:
    return {
        "generated_at": _iso(datetime.now(UTC).timestamp()),
        **context,
        "summary": summarize(pairs),
        "timeline": timeline(pairs),
        "pairs": [p.to_json() for p in pairs],
    }


def headline(summary: dict[str, Any]) -> str:
    """'12 conversions: 11 counted once, 1 counted twice'."""
    conversions = summary["conversions"]
    if not conversions:
        return "No conversions seen."
    words = {
        "once": "counted once",
        "twice": "counted twice",
        "lost": "dropped by Meta (event ID reused)",
        "browser_only": "seen in the browser only",
        "server_only": "sent by the server only",
        "unknown": "without an event ID",
    }
    parts = [f"{n} {words.get(k, k)}" for k, n in summary["counted"].items() if n]
    noun = "conversion" if conversions == 1 else "conversions"
    return f"{conversions} {noun}: " + ", ".join(parts)


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#202124;padding:0 1em}
h1{font-size:1.5em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #dadce0;padding:.4em .5em;text-align:left;vertical-align:top}
.v{font-weight:600;white-space:nowrap}.fix{color:#3c4043}.warn{color:#975300}
pre{background:#f1f3f4;padding:.6em;overflow:auto;font-size:12px;white-space:pre-wrap}
.muted{color:#5f6368;font-size:.9em}
"""


def _warning_rule(code: str) -> tuple[str, str]:
    rule = WARNINGS.get(code)
    return (rule.title, rule.fix) if rule else (code, "")


def evidence_html(
    pairs: list[Pair], title: str = "PixelBridge verification", **context: Any
) -> str:
    """A self-contained page (no scripts, no external files); every value HTML-escaped."""
    data = evidence_json(pairs, **context)
    esc = html.escape
    rows = []
    for index, pair in enumerate(pairs):
        colour, symbol = _COUNTED_STYLE.get(pair.counted, ("#5f6368", "?"))
        rule = VERDICTS.get(pair.verdict)
        warnings = "".join(
            f"<div class=warn>⚠ {esc(pair.detail(w) or _warning_rule(w)[0])}"
            f" <span class=fix>{esc(_warning_rule(w)[1])}</span></div>"
            for w in pair.warnings
        )
        fix = rule.fix if rule and pair.verdict != "deduplicated" else ""
        rows.append(
            f"<tr id=pair-{index}><td>{esc(_iso(pair.time))}</td>"
            f"<td>{esc(pair.event_name)}<div class=muted>{esc(str(pair.event_id))}</div></td>"
            f"<td class=v style='color:{colour}'>{symbol} {esc(pair.verdict)}</td>"
            f"<td>{esc(pair.describe())}{warnings}"
            + (f"<div class=fix>Fix: {esc(fix)}</div>" if fix else "")
            + "</td></tr>"
        )
    steps = "".join(
        f"<tr><td>{esc(step['time'])}</td><td>{esc(step['step'])}</td>"
        f"<td>{esc(step['event_name'])} <span class=muted>{esc(str(step['event_id']))}</span>"
        f"</td><td><a href='#pair-{step['pair']}'>{esc(step['verdict'])}</a>"
        f"<details><summary>details</summary><pre>"
        f"{esc(json.dumps(step['detail'], indent=2, ensure_ascii=False, default=str))}"
        f"</pre></details></td></tr>"
        for step in data["timeline"]
    )
    context_rows = "".join(
        f"<tr><th>{esc(str(k))}</th><td>{esc(str(v))}</td></tr>"
        for k, v in context.items()
        if not isinstance(v, list | dict)
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1><p><strong>{esc(headline(data['summary']))}</strong></p>"
        f"<p class=muted>Generated {esc(data['generated_at'])}. Meta counts a browser and a "
        "server copy once when they share pixel, event name and event ID within 48 hours "
        "(developers.facebook.com/documentation/ads-commerce/conversions-api/"
        "deduplicate-pixel-and-server-events). Customer data appears only as SHA-256 hashes."
        f"</p><table>{context_rows}</table>"
        "<h2>Conversions</h2><table><tr><th>Time (UTC)</th><th>Event</th><th>Verdict</th>"
        f"<th>Evidence and fix</th></tr>{''.join(rows)}</table>"
        "<h2>Timeline</h2><table><tr><th>Time (UTC)</th><th>Step</th><th>Event</th>"
        f"<th>Pair</th></tr>{steps}</table></body></html>"
    )
