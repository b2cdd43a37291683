"""Property tests: normalizing is idempotent, no unhashed value leaves, nothing crashes."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from desktop_app.capi.fields import FIELDS, KEY_ALIASES, PASS_THROUGH_KEYS
from desktop_app.capi.hashing import is_meta_ready_hash
from desktop_app.capi.normalize import Context
from desktop_app.capi.user_data import hash_user_data
from desktop_app.capi.validation import validate_batch, validate_event

TODAY = date(2026, 11, 27)
COUNTRIES = st.sampled_from([None, "us", "gb", "fr", "de", "ca", "jp", "in", "br"])
# Random unicode plus text shaped like real customer data, so rules are exercised, not only
# rejections.
REALISTIC = st.sampled_from(
    [
        "John_Smith@gmail.com", "(650)555-1212", "+44 20 7946 0958", "06 12 34 56 78",
        "Mary Ann", "O'Brien", "Valéry", "2/16/1997", "1997-02-16", "16.02.97", "Female",
        "New York", "California", "Île-de-France", "94035-1234", "SW1A 1AA", "United States",
        "UK", " User 42 ", "정", "１６５０５５５１２１２", "02/03/1997", "Feb 16 1997",
    ]
)  # fmt: skip
TEXT = st.one_of(st.text(), REALISTIC, st.from_regex(r"[0-9 ()+.\-]{0,20}", fullmatch=True))
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(key=st.sampled_from(sorted(FIELDS)), text=TEXT, country=COUNTRIES)
@example(key="ph", text="(650)555-1212", country="us")
def test_normalizing_is_idempotent_and_never_crashes(
    key: str, text: str, country: str | None
) -> None:
    ctx = Context(country=country, today=TODAY)
    first = FIELDS[key].normalize(text, ctx)
    assert (first.value is None) != (first.error is None)  # a value or a reason, never both
    if first.value is not None:
        assert first.value  # never an empty string to hash
        again = FIELDS[key].normalize(first.value, ctx)
        assert again.value == first.value


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
ANY_KEY = st.sampled_from([*FIELDS, *KEY_ALIASES, *PASS_THROUGH_KEYS, "other", "countryCode"])


@SETTINGS
@given(raw=st.dictionaries(ANY_KEY, JSONISH, max_size=8), default=COUNTRIES)
def test_no_unhashed_value_ever_leaves_for_a_hashed_key(
    raw: dict[str, Any], default: str | None
) -> None:
    result = hash_user_data(raw, default_country=default)
    for key in FIELDS:
        for value in result.user_data.get(key, []):
            assert isinstance(value, str) and is_meta_ready_hash(value)
    for key in result.user_data:
        assert key in FIELDS or key in PASS_THROUGH_KEYS
    findings = validate_event({"user_data": result.user_data}, now=1.7e9)
    assert not any(f.code in ("unhashed_value", "uppercase_hash") for f in findings)
    # Traces account for every value that was not sent.
    for trace in result.traces:
        assert (trace.sha256 is None) == (trace.error is not None)


@SETTINGS
@given(
    event=st.dictionaries(
        st.sampled_from(
            [
                "event_name",
                "event_time",
                "action_source",
                "event_source_url",
                "user_data",
                "custom_data",
                "data_processing_options",
                "data_processing_options_country",
                "data_processing_options_state",
                "opt_out",
                "event_id",
            ]
        ),
        JSONISH,
        max_size=10,
    )
)
def test_validator_never_crashes(event: dict[str, Any]) -> None:
    for finding in validate_event(event, now=1.7e9):
        assert finding.message and finding.fix
    validate_batch([event, "x", 3], now=1.7e9)


@SETTINGS
@given(
    user=st.dictionaries(ANY_KEY, st.one_of(TEXT, st.lists(TEXT, max_size=3)), max_size=8),
    default=COUNTRIES,
)
def test_relay_events_never_carry_an_unhashed_value_for_a_hashed_key(
    user: dict[str, Any], default: str | None
) -> None:
    """The same property through the relay's event builder (`capi/server_event.py`)."""
    from desktop_app.capi.server_event import EventShapeError, build_server_event

    mirror = {"event_name": "Lead", "event_id": "e1", "user_data": user,
              "event_source_url": "https://shop.example/"}  # fmt: skip
    try:
        built = build_server_event(
            mirror,
            default_pixel_id="123",
            client_ip="203.0.113.9",
            client_user_agent="UA",
            now=1.7e9,
            default_country=default,
        )
    except EventShapeError:
        return
    for key in FIELDS:
        for value in built.event["user_data"].get(key, []):
            assert is_meta_ready_hash(value), key
    assert not any(f.code == "unhashed_value" for f in built.findings)
