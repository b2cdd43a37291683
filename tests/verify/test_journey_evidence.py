"""Journey files (strict parsing) and the evidence export (timeline order, safe HTML)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from desktop_app.capi.dedup import pair_events
from desktop_app.capi.evidence import evidence_html, evidence_json, headline, timeline
from desktop_app.capi.observations import PixelObservation, ServerObservation
from desktop_app.services.journey import JourneyError, Step, load_journey, parse_journey


def test_journey_steps_parse() -> None:
    steps = parse_journey(
        {
            "steps": [
                {"action": "goto", "url": "/p"},
                {"action": "click", "selector": "#add"},
                {"action": "fill", "selector": "#email", "value": ""},
                {"action": "wait", "ms": 250},
            ]
        }
    )
    assert steps == [
        Step("goto", url="/p"),
        Step("click", selector="#add"),
        Step("fill", selector="#email", value=""),
        Step("wait", ms=250),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], 'expected {"steps": [...]}'),
        ({"steps": [{"action": "jump"}]}, "step 1: action must be one of"),
        ({"steps": [{"action": "click"}]}, "step 1 (click) needs selector"),
        ({"steps": [{"action": "wait", "ms": -1}]}, "ms must be a whole number"),
        ({"steps": [{"action": "wait", "ms": True}]}, "ms must be a whole number"),
        ({"steps": [{"action": "goto", "url": ""}]}, "url must be non-empty text"),
    ],
)
def test_journey_errors_name_the_step(data: object, message: str) -> None:
    with pytest.raises(JourneyError, match=re.escape(message)):
        parse_journey(data)


def test_journey_file_errors(tmp_path: Path) -> None:
    with pytest.raises(JourneyError, match="no such file"):
        load_journey(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(JourneyError, match="not a readable JSON"):
        load_journey(bad)


T0 = 1_795_755_600.0


def sample_pairs() -> list:  # type: ignore[type-arg]
    pixel = PixelObservation(
        "42", "Purchase", "o1", "https://shop.example/thanks?<b>", T0, custom_data={"value": "9"}
    )
    server = ServerObservation(
        "42",
        "purchase",
        "o1",
        int(T0),
        {"event_name": "purchase", "custom_data": {"value": 9}},
        sent_at=T0 + 2,
        response={"http_status": 200, "body": {"events_received": 1, "fbtrace_id": "AbC"}},
    )
    other = ServerObservation("42", "Lead", "l1", int(T0), {"event_name": "Lead"}, sent_at=T0 - 5)
    return pair_events([pixel], [server, other])


def test_timeline_is_in_time_order_with_fbtrace_id() -> None:
    steps = timeline(sample_pairs())
    assert [s["step"] for s in steps] == [
        "server_request",
        "pixel_request",
        "server_request",
        "meta_response",
    ]
    assert steps[-1]["detail"]["fbtrace_id"] == "AbC"
    assert steps[0]["time"].endswith("Z")


def test_evidence_json_and_headline() -> None:
    data = evidence_json(sample_pairs(), url="https://shop.example/")
    assert data["url"] == "https://shop.example/"
    assert headline(data["summary"]) == (
        "2 conversions: 1 counted twice, 1 sent by the server only"
    )
    json.dumps(data)  # serialisable as is


def test_html_is_self_contained_and_escaped() -> None:
    page = evidence_html(sample_pairs(), title="Client <report>", note="<script>x</script>")
    assert "<script" not in page
    assert "&lt;script&gt;" in page and "Client &lt;report&gt;" in page
    assert "http" not in page.split("<body>")[0].replace("http-equiv", "")  # no external files
    assert "event_name_mismatch" in page and "Fix:" in page


def test_injected_script_runs_in_the_top_page_only() -> None:
    from types import SimpleNamespace

    from desktop_app.services.verify_page import injected_script
    from desktop_app.tagger.config import parse_config

    config = parse_config({"version": 1, "pixel_id": "1234567890", "rules": []})
    relay = SimpleNamespace(events_url="http://127.0.0.1:1/v1/events")
    script = injected_script(config, relay)  # type: ignore[arg-type]
    assert script.startswith("(function(){if(window.top!==window)return;")
    assert "http://127.0.0.1:1/v1/events" in script and "<script" not in script
