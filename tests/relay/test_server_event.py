"""Mirror → server event: structure errors name the field; rule breaks become findings."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.capi.server_event import (
    MIRROR_FIELDS,
    EventShapeError,
    _first_type_error,
    _types_ok,
    build_server_event,
)

NOW = 1_800_000_000.0


def build(mirror: Any, **kw: Any) -> Any:
    kw.setdefault("default_pixel_id", "123")
    kw.setdefault("client_ip", "203.0.113.1")
    kw.setdefault("client_user_agent", "Mozilla/5.0")
    return build_server_event(mirror, now=NOW, **kw)


def test_defaults_aliases_and_relay_added_fields() -> None:
    built = build(
        {
            "event_name": "Lead",
            "event_id": 77,
            "event_source_url": "https://shop.example/x",
            "user_data": {"email": "A@B.com", "first_name": "Zoë", "phone": ""},
            "fbc": "fb.1.1700000000000.AbC",
        }
    )
    event = built.event
    assert built.pixel_id == "123" and built.event_id == "77"
    assert event["event_time"] == int(NOW) and event["action_source"] == "website"
    user = event["user_data"]
    assert set(user) >= {"em", "fn", "client_ip_address", "client_user_agent", "fbc"}
    assert "ph" not in user  # empty values are dropped
    assert user["fbc"] == "fb.1.1700000000000.AbC"  # never hashed, case kept
    assert all(len(h) == 64 for h in user["em"])
    assert {t.key for t in built.traces} >= {"em", "fn"}


def test_future_time_is_clamped_and_old_time_is_a_finding() -> None:
    assert build({"event_name": "Lead", "event_time": NOW + 60}).event["event_time"] == int(NOW)
    old = build({"event_name": "Lead", "event_time": NOW - 8 * 86400})
    assert any(f.code == "event_time_too_old" and f.severity == "error" for f in old.findings)


@pytest.mark.parametrize(
    ("mirror", "field"),
    [
        ({}, "event_name"),
        ({"event_name": ""}, "event_name"),
        ({"event_name": ["Lead"]}, "event_name"),
        ({"event_name": "Lead", "user_data": []}, "user_data"),
        ({"event_name": "Lead", "user_data": {"em": {"x": 1}}}, "user_data.em"),
        ({"event_name": "Lead", "user_data": {"em": [True]}}, "user_data.em"),
        ({"event_name": "Lead", "custom_data": "v"}, "custom_data"),
        ({"event_name": "Lead", "event_time": True}, "event_time"),
        ({"event_name": "Lead", "event_time": -5}, "event_time"),
        ({"event_name": "Lead", "event_time": float("inf")}, "event_time"),
        ({"event_name": "Lead", "opt_out": "yes"}, "opt_out"),
        ({"event_name": "Lead", "pixel_id": "abc"}, "pixel_id"),
        ({"event_name": "Lead", "event_id": ""}, "event_id"),
        ({"event_name": "Lead", "data_processing_options": [1]}, "data_processing_options"),
        ("Lead", "event"),
    ],
)
def test_structural_errors_name_the_field(mirror: Any, field: str) -> None:
    with pytest.raises(EventShapeError) as caught:
        build(mirror)
    assert caught.value.field == field


def test_pixel_id_from_mirror_or_config() -> None:
    assert build({"event_name": "Lead", "pixel_id": 987}).pixel_id == "987"
    with pytest.raises(EventShapeError):
        build({"event_name": "Lead"}, default_pixel_id=None)


def test_now_defaults_to_the_clock() -> None:
    built = build_server_event(
        {"event_name": "Lead"}, default_pixel_id="1", client_ip=None, client_user_agent=None
    )
    assert abs(built.event["event_time"] - time.time()) < 5


_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=3),
    st.just("x" * 8193),
    st.lists(st.text(max_size=2), max_size=2),
    st.dictionaries(st.text(max_size=2), st.text(max_size=2), max_size=2),
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.sampled_from([*MIRROR_FIELDS, "other"]), _ANY_VALUE, max_size=8))
def test_the_one_pass_type_check_agrees_with_the_ordered_walk(mirror: dict[str, Any]) -> None:
    # The relay's hot path trusts `_types_ok`; the error it reports comes from the ordered walk.
    try:
        _first_type_error(mirror)
        walk_ok = True
    except EventShapeError:
        walk_ok = False
    assert _types_ok(mirror) is walk_ok
