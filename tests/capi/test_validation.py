"""Payload validation: every rule fires on the input it is about, and only there."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from desktop_app.capi.findings import RULES
from desktop_app.capi.hashing import sha256_hex
from desktop_app.capi.validation import (
    blocking,
    graph_error_for,
    validate_batch,
    validate_event,
    warnings_as_messages,
)

NOW = 1_790_000_000.0
UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36"
FBCLID = "IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk"


def good_event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_name": "Purchase",
        "event_time": int(NOW) - 60,
        "event_id": "order-1001",
        "action_source": "website",
        "event_source_url": f"https://shop.example.com/thanks?fbclid={FBCLID}",
        "user_data": {
            "em": [sha256_hex("john_smith@gmail.com")],
            "ph": [sha256_hex("16505551212")],
            "client_user_agent": UA,
            "client_ip_address": "203.0.113.7",
            "fbp": "fb.1.1789999000123.1098115397",
            "fbc": f"fb.1.1789999000456.{FBCLID}",
        },
        "custom_data": {"value": 49.9, "currency": "USD", "content_ids": ["SKU-1"]},
    }
    event.update(changes)
    return event


def codes(event: dict[str, Any]) -> set[str]:
    return {f.code for f in validate_event(event, now=NOW)}


def test_good_event_has_no_findings() -> None:
    assert validate_event(good_event(), now=NOW) == []


def with_user(**changes: Any) -> dict[str, Any]:
    event = good_event()
    event["user_data"].update(changes)
    return {k: v for k, v in event.items()}


def without(event: dict[str, Any], dotted: str) -> dict[str, Any]:
    event = copy.deepcopy(event)
    *path, last = dotted.split(".")
    target = event
    for part in path:
        target = target[part]
    del target[last]
    return event


# (description, event, expected code) — one row per rule the issue names.
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("no name", good_event(event_name=""), "missing_event_name"),
    ("no time", without(good_event(), "event_time"), "missing_event_time"),
    ("time text", good_event(event_time="yesterday"), "event_time_not_integer"),
    ("time in ms", good_event(event_time=int(NOW * 1000)), "event_time_in_milliseconds"),
    ("8 days old", good_event(event_time=int(NOW) - 8 * 86400), "event_time_too_old"),
    ("future", good_event(event_time=int(NOW) + 3600), "event_time_in_future"),
    ("no source", good_event(action_source=None), "missing_action_source"),
    ("bad source", good_event(action_source="web"), "invalid_action_source"),
    ("no url", without(good_event(), "event_source_url"), "missing_event_source_url"),
    ("url not http", good_event(event_source_url="shop.example.com"), "event_source_url_not_http"),
    ("no ua", without(good_event(), "user_data.client_user_agent"), "missing_client_user_agent"),
    ("no user_data", without(good_event(), "user_data"), "missing_user_data"),
    ("raw email", with_user(em=["john@example.com"]), "unhashed_value"),
    ("raw phone", with_user(ph="16505551212"), "unhashed_value"),
    ("md5 email", with_user(em="5d41402abc4b2a76b9719d911017c592"), "unhashed_value"),
    ("upper hash", with_user(em=sha256_hex("a@b.co").upper()), "uppercase_hash"),
    ("hashed ip", with_user(client_ip_address=sha256_hex("1.2.3.4")), "hashed_pass_through"),
    ("bad ip", with_user(client_ip_address="999.1.1.1"), "invalid_ip_address"),
    ("fbc 3 parts", with_user(fbc="fb.1.1789999000456"), "malformed_fbc"),
    ("fbc hashed", with_user(fbc=sha256_hex("x")), "malformed_fbc"),
    ("fbp letters", with_user(fbp="fb.1.1789999000123.abc"), "malformed_fbp"),
    ("fbp bad appendix", with_user(fbp="fb.1.1789999000123.1098115397.AQI"), "malformed_fbp"),
    (
        "fbclid lowered",
        with_user(fbc=f"fb.1.1789999000456.{FBCLID.lower()}"),
        "fbclid_case_changed",
    ),
    ("fbc seconds", with_user(fbc=f"fb.1.1789999000.{FBCLID}"), "fbc_creation_in_seconds"),
    ("value text", good_event(custom_data={"value": "abc", "currency": "USD"}), "value_not_number"),
    ("value str", good_event(custom_data={"value": "49.9", "currency": "USD"}), "value_is_string"),
    ("currency", good_event(custom_data={"value": 1, "currency": "XYZ"}), "invalid_currency"),
    (
        "currency only",
        good_event(event_name="AddToCart", custom_data={"currency": "EUR"}),
        "currency_without_value",
    ),
    (
        "value only",
        good_event(event_name="AddToCart", custom_data={"value": 3}),
        "value_without_currency",
    ),
    ("purchase no value", good_event(custom_data={}), "purchase_missing_value"),
    (
        "content_ids",
        good_event(custom_data={"value": 1, "currency": "USD", "content_ids": "SKU-1"}),
        "content_ids_not_list",
    ),
    (
        "contents",
        good_event(custom_data={"value": 1, "currency": "USD", "contents": [{"quantity": 1}]}),
        "contents_malformed",
    ),
    ("dpo", good_event(data_processing_options="LDU"), "dpo_not_list"),
    ("dpo opt", good_event(data_processing_options=["GDPR"]), "dpo_unknown_option"),
    (
        "ldu state",
        good_event(data_processing_options=["LDU"], data_processing_options_country=1),
        "ldu_country_without_state",
    ),
    (
        "ldu country",
        good_event(data_processing_options=["LDU"], data_processing_options_state=1000),
        "ldu_state_without_country",
    ),
    (
        "ldu location",
        without(good_event(data_processing_options=["LDU"]), "user_data.client_ip_address"),
        "ldu_needs_location",
    ),
    ("opt_out", good_event(opt_out="yes"), "opt_out_not_boolean"),
    (
        "pb url",
        good_event(event_source_url="https://shop.example.com/.AQICAQMC"),
        "url_has_pb_appendix",
    ),
]


@pytest.mark.parametrize(("event", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_fires(event: dict[str, Any], code: str) -> None:
    findings = validate_event(event, now=NOW)
    assert code in {f.code for f in findings}
    found = next(f for f in findings if f.code == code)
    assert found.severity == RULES[code].severity
    assert found.message and found.fix and found.field


def test_every_event_rule_has_a_case() -> None:
    batch_only = {
        "value_not_sent",
        "empty_batch",
        "batch_too_large",
        "event_not_object",
        "insufficient_customer_information",
    }
    covered = {c[2] for c in CASES} | batch_only
    assert set(RULES) <= covered


def test_physical_store_may_be_62_days_old() -> None:
    event = good_event(action_source="physical_store", event_time=int(NOW) - 30 * 86400)
    assert "event_time_too_old" not in codes(event)
    event["event_time"] = int(NOW) - 63 * 86400
    assert "event_time_too_old" in codes(event)


def test_small_clock_skew_is_accepted() -> None:
    assert codes(good_event(event_time=int(NOW) + 60)) == set()


@pytest.mark.parametrize(
    "keys",
    [
        {"ct", "country", "st", "zp", "ge", "client_user_agent"},
        {"db", "client_user_agent"},
        {"fn", "ge"},
        {"ln", "ge"},
        {"fn"},
        {"client_user_agent"},
    ],
)
def test_unmatchable_combinations_are_2804050(keys: set[str]) -> None:
    user_data = {key: sha256_hex(key) for key in keys}
    if "client_user_agent" in user_data:
        user_data["client_user_agent"] = UA
    event = good_event(action_source="email", user_data=user_data)
    del event["event_source_url"]
    findings = validate_event(event, now=NOW)
    assert [f.code for f in findings] == ["insufficient_customer_information"]
    assert findings[0].graph_subcode == 2804050


def test_unknown_keys_do_not_make_an_event_matchable() -> None:
    user_data = {"fn": sha256_hex("mary"), "ge": sha256_hex("f"), "favourite_colour": "red"}
    event = good_event(action_source="email", user_data=user_data)
    assert "insufficient_customer_information" in codes(event)


def test_matchable_combination_passes() -> None:
    user_data = {"fn": sha256_hex("mary"), "ge": sha256_hex("f"), "em": sha256_hex("a@b.co")}
    assert codes(good_event(user_data=user_data | {"client_user_agent": UA})) == set()


def test_parameter_builder_values_are_accepted() -> None:
    event = with_user(
        fbc=f"fb.1.1789999000456.{FBCLID}.AQICAQMC",
        fbp="fb.1.1789999000123.1098115397.Ag",
        em=sha256_hex("a@b.co") + ".AQICAQMC",
        client_ip_address="203.0.113.7.AQQAAQMC",
    )
    assert codes(event) == set()


def test_batch_reports_indexes_and_size_limit() -> None:
    bad = good_event(event_time=int(NOW) - 8 * 86400)
    found = validate_batch([good_event(), bad], now=NOW)
    assert [(i, f.code) for i, f in found] == [(1, "event_time_too_old")]
    too_many = validate_batch([good_event()] * 1001, now=NOW)
    assert too_many[0][0] == -1 and too_many[0][1].code == "batch_too_large"
    assert validate_batch([], now=NOW)[0][1].code == "empty_batch"
    assert validate_batch(["nope"], now=NOW)[0][1].code == "event_not_object"


def test_graph_error_envelope_for_too_old_event() -> None:
    found = validate_batch([good_event(), good_event(event_time=int(NOW) - 9 * 86400)], now=NOW)
    assert blocking(found)
    body = graph_error_for(found, fbtrace_id="Atrace")
    assert body is not None
    error = body["error"]
    assert error["code"] == 100 and error["error_subcode"] == 2804003
    assert error["type"] == "OAuthException" and error["is_transient"] is False
    assert error["error_user_title"] == "Event Timestamp Too Old"
    assert "event 1" in error["error_user_msg"] and error["fbtrace_id"] == "Atrace"
    assert set(error) >= {"message", "error_user_msg", "fbtrace_id"}


def test_graph_error_for_insufficient_data_and_missing_name() -> None:
    user_only_ua = good_event(user_data={"client_user_agent": UA})
    body = graph_error_for(validate_event(user_only_ua, now=NOW))
    assert body is not None and body["error"]["error_subcode"] == 2804050
    body = graph_error_for(validate_event(good_event(event_name=""), now=NOW))
    assert body is not None and "error_subcode" not in body["error"]
    assert body["error"]["message"].startswith("(#100)")


def test_warnings_do_not_block_and_become_messages() -> None:
    found = validate_batch([good_event(event_name="AddToCart", custom_data={"value": 3})], now=NOW)
    assert found and not blocking(found)
    assert graph_error_for(found) is None
    messages = warnings_as_messages(found)
    assert messages == [f"data[0].custom_data.currency: {found[0][1].message}"]


def test_messages_never_echo_hashed_values() -> None:
    raw = "john@example.com"
    findings = validate_event(with_user(em=[raw]), now=NOW)
    assert all(raw not in f.message + f.fix for f in findings)


def test_graph_error_for_a_finding_built_elsewhere() -> None:
    from desktop_app.capi.findings import Finding

    own = Finding("relay_blocked", "event", "Blocked by the relay.", "Fix it.", "error", None)
    body = graph_error_for([own], fbtrace_id="A1")
    assert body is not None and body["error"]["error_user_title"] == "Blocked by the relay."


def test_dropped_customer_values_become_warnings_without_raw_data() -> None:
    from desktop_app.capi.user_data import hash_user_data
    from desktop_app.capi.validation import dropped_value_findings

    hashed = hash_user_data({"ph": "(650) 555-0100", "em": "jo smith@example.com", "zp": "2134",
                             "country": "US"})  # fmt: skip
    findings = dropped_value_findings(hashed)
    assert {f.field for f in findings} == {"user_data.em", "user_data.zp"}
    hashed = hash_user_data({"ph": "(650) 555-0100"})
    [found] = dropped_value_findings(hashed)
    assert found.code == "value_not_sent" and found.severity == "warning"
    assert "calling code" in found.message and "country" in found.fix
    assert "555" not in found.message + found.fix
