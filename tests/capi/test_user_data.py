"""`hash_user_data`: the relay's entry point. Country context, lists, pass-through, pre-hashed."""

from __future__ import annotations

import logging

import pytest

from desktop_app.capi.hashing import sha256_hex
from desktop_app.capi.user_data import hash_user_data

RAW = {
    "em": " Jane.Doe@Example.com ",
    "ph": "06 12 34 56 78",
    "fn": "Jeanne-Marie",
    "ln": "Dupont",
    "db": "03/02/1990",
    "ge": "femme",
    "ct": "Saint-Étienne",
    "st": "Auvergne-Rhône-Alpes",
    "zp": "42 000",
    "country": "France",
    "external_id": "Cust 77",
    "client_ip_address": "2001:db8::1",
    "client_user_agent": "Mozilla/5.0",
    "fbp": "fb.1.1790000000000.123456789",
    "fbc": "fb.1.1790000000000.IwAR2F4dbP0l7Mn1",
}


def test_full_record_uses_the_record_country_for_every_rule() -> None:
    result = hash_user_data(RAW, default_country="us")
    assert result.country == "fr"
    expected = {
        "em": "jane.doe@example.com",
        "ph": "33612345678",
        "fn": "jeannemarie",
        "ln": "dupont",
        "db": "19900203",  # day-first in France
        "ge": "f",
        "ct": "saintétienne",
        "st": "auvergnerhônealpes",
        "zp": "42000",
        "country": "fr",
        "external_id": "cust77",
    }
    for key, normalized in expected.items():
        assert result.user_data[key] == [sha256_hex(normalized)], key
    for key in ("client_ip_address", "client_user_agent", "fbp", "fbc"):
        assert result.user_data[key] == RAW[key]  # never hashed, never re-cased
    assert result.errors == {}
    db_trace = next(t for t in result.traces if t.key == "db")
    assert db_trace.note is not None and "day-first" in db_trace.note


def test_default_country_fills_in_for_the_phone() -> None:
    result = hash_user_data({"ph": "(650) 555-1212"}, default_country="US")
    assert result.user_data["ph"] == [sha256_hex("16505551212")]
    assert "country" not in result.user_data  # the default is a rule input, not customer data
    without = hash_user_data({"ph": "(650) 555-1212"})
    assert "ph" not in without.user_data
    assert "calling code" in without.errors["ph"][0]


def test_invalid_record_country_falls_back_to_default_and_is_reported() -> None:
    result = hash_user_data({"country": "Narnia", "ph": "020 7946 0958"}, default_country="gb")
    assert result.country == "gb"
    assert result.user_data["ph"] == [sha256_hex("442079460958")]
    assert "country" in result.errors and "country" not in result.user_data


def test_lists_are_normalized_each_and_deduplicated() -> None:
    result = hash_user_data({"em": ["A@b.co", "a@b.co ", "bad", "c@d.org"]})
    assert result.user_data["em"] == [sha256_hex("a@b.co"), sha256_hex("c@d.org")]
    assert len(result.traces) == 4
    assert len(result.errors["em"]) == 1


def test_prehashed_values_pass_through_lowercased_never_twice() -> None:
    digest = sha256_hex("a@b.co")
    result = hash_user_data({"em": digest.upper(), "ph": f" {digest} ", "fn": digest + ".AQICAQMC"})
    assert result.user_data["em"] == [digest]
    assert result.user_data["ph"] == [digest]
    assert result.user_data["fn"] == [digest + ".AQICAQMC"]


def test_aliases_unknown_keys_and_odd_types() -> None:
    result = hash_user_data(
        {
            "email": "x@y.org",
            "em": "x@y.org",
            "zip": 94035,
            "color": "red",
            "fn": {"a": 1},
            "ln": None,
        },
        default_country="us",
    )
    assert result.user_data["em"] == [sha256_hex("x@y.org")]
    assert result.user_data["zp"] == [sha256_hex("94035")]
    assert result.ignored_keys == ["color"]
    assert result.errors["fn"] == ["not text"]
    assert "ln" not in result.user_data


def test_pass_through_empty_values_are_dropped() -> None:
    result = hash_user_data({"fbp": "", "fbc": None, "client_user_agent": "  UA  "})
    assert result.user_data == {"client_user_agent": "UA"}


def test_safe_summary_and_logs_carry_no_raw_or_normalized_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="desktop_app")
    result = hash_user_data({"em": "Secret.Person@example.com", "ph": "not a phone", "fn": "Zorro"})
    text = repr(result.safe_summary()) + caplog.text
    for secret in ("secret.person", "Secret.Person", "Zorro", "zorro", "not a phone"):
        assert secret not in text
    assert "ph" in caplog.text  # the log says which key was dropped, without its value


def test_repeated_records_are_memoized_but_callers_get_their_own_copy() -> None:
    record = {"em": "memo@example.com", "fbp": "fb.1.1790000000000.1"}
    first = hash_user_data(record)
    first.user_data["em"].append("tampered")
    first.traces.clear()
    second = hash_user_data(record)
    assert second.user_data["em"] == [sha256_hex("memo@example.com")]
    assert len(second.traces) == 1
    # Unhashable values (nested dicts) are simply not memoized.
    odd = hash_user_data({"em": "memo@example.com", "x": {"a": 1}})
    assert odd.ignored_keys == ["x"]
