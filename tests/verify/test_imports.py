"""HAR and server-log import: every accepted shape, and damage reported by line, rest kept."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from desktop_app.capi.dedup import pair_events
from desktop_app.capi.har import parse_har
from desktop_app.capi.server_log import REDACTED, parse_server_log, read_documents

SHA = "a" * 64


def tr(eid: str, ev: str = "Purchase") -> str:
    return "https://www.facebook.com/tr/?" + urlencode({"id": "42", "ev": ev, "eid": eid})


def entry(url: str, **extra: object) -> dict[str, object]:
    return {
        "startedDateTime": "2026-11-27T05:00:00.250Z",
        "request": {"method": "GET", "url": url},
        "response": {"status": 200},
        "_resourceType": "image",
        **extra,
    }


def har(*entries: dict[str, object]) -> str:
    return json.dumps({"log": {"version": "1.2", "entries": list(entries)}}, indent=2)


def test_har_keeps_pixel_hits_only_and_reads_time() -> None:
    text = har(entry(tr("a")), entry("https://shop.example/app.js"), entry(tr("b", "AddToCart")))
    imported = parse_har(text)
    assert [o.event_id for o in imported.pixels] == ["a", "b"]
    assert imported.entries == 3
    assert imported.pixels[0].observed_at == 1795755600.25


def test_har_firefox_post_params_and_chrome_blocked() -> None:
    post = {
        "startedDateTime": "2026-11-27T05:00:01Z",
        "request": {
            "method": "POST",
            "url": "https://www.facebook.com/tr/",
            "postData": {
                "mimeType": "application/x-www-form-urlencoded",
                "params": [{"name": "id", "value": "42"}, {"name": "ev", "value": "Lead"}],
            },
        },
        "response": {"status": 200},
    }
    blocked = entry(tr("c"), _error="net::ERR_BLOCKED_BY_CLIENT", response={"status": 0})
    imported = parse_har(har(post, blocked))
    assert [(o.event_name, o.transport) for o in imported.pixels] == [("Lead", "fetch")]
    assert imported.blocked == ["Purchase eid=c (net::ERR_BLOCKED_BY_CLIENT)"]


def test_truncated_har_keeps_the_entries_before_the_damage() -> None:
    text = har(entry(tr("a")), entry(tr("b")), entry(tr("c")))
    cut = text[: text.index('"eid=c') if '"eid=c' in text else text.rindex("{") + 5]
    imported = parse_har(cut)
    assert [o.event_id for o in imported.pixels] == ["a", "b"]
    assert len(imported.problems) == 1
    problem = imported.problems[0]
    assert problem.line is not None and problem.line > 10
    assert "later entries skipped" in problem.message or "cut short" in problem.message


def test_not_a_har() -> None:
    assert parse_har("{}").problems[0].message.startswith("not a HAR")
    assert parse_har("hello").problems[0].message.startswith("not a HAR")


def event(eid: str | None, name: str = "Purchase", **extra: object) -> dict[str, object]:
    data: dict[str, object] = {"event_name": name, "event_time": 1795755600, **extra}
    if eid is not None:
        data["event_id"] = eid
    return data


def test_server_log_shapes_and_bad_lines() -> None:
    lines = [
        json.dumps({"data": [event("a"), event("b")], "test_event_code": "TEST9"}),
        "",
        "{not json",
        "data=" + json.dumps([event("c")]) + "&access_token=EAAsecret",
        json.dumps({"pixel_id": "42", "status": "rejected", "payload": event("d"), "sent_at": 5}),
        json.dumps(event("e")),
        json.dumps({"data": "oops"}),
        json.dumps([1, 2]),
    ]
    log = parse_server_log("\n".join(lines), source="capi.jsonl")
    assert [s.event_id for s in log.servers] == ["a", "b", "c", "d", "e"]
    assert log.servers[0].test_event_code == "TEST9"
    rejected = log.servers[3]
    assert (rejected.pixel_id, rejected.status, rejected.sent_at) == ("42", "rejected", 5.0)
    assert [(p.line, str(p)) for p in log.problems] == [
        (3, "capi.jsonl:3: not JSON (Expecting property name enclosed in double quotes)"),
        (7, 'capi.jsonl:7: "data" must be a list of events'),
        (8, "capi.jsonl:8: expected a JSON object"),
        (8, "capi.jsonl:8: expected a JSON object"),
    ]
    assert "EAAsecret" not in repr(log)


def test_pretty_printed_deliveries_export() -> None:
    rows = [{"pixel_id": "42", "status": "delivered", "payload": event("x")}]
    log = parse_server_log(json.dumps({"deliveries": rows}, indent=2))
    assert [s.event_id for s in log.servers] == ["x"] and log.problems == []
    assert read_documents(rows).servers[0].pixel_id == "42"


def test_raw_customer_data_never_reaches_the_observation() -> None:
    line = json.dumps(event("a", user_data={"em": ["jane@example.com"], "ph": [SHA], "fbp": "x"}))
    log = parse_server_log(line)
    user_data = log.servers[0].payload["user_data"]
    assert user_data == {"em": REDACTED, "ph": [SHA], "fbp": "x"}
    assert "jane@example.com" not in repr(log)
    assert "unhashed customer data in em" in log.problems[0].message


def test_server_lines_without_pixel_id_pair_with_the_har_pixel() -> None:
    pixels = parse_har(har(entry(tr("order-1")))).pixels
    servers = parse_server_log(json.dumps({"data": [event("order-1")]})).servers
    assert servers[0].pixel_id is None
    assert [p.verdict for p in pair_events(pixels, servers)] == ["deduplicated"]


def test_event_time_in_milliseconds_is_flagged_and_read() -> None:
    log = parse_server_log(json.dumps(event("a", event_time=1795755600123)))
    assert log.servers[0].event_time == 1795755600
    assert "milliseconds" in log.problems[0].message
