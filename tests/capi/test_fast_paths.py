"""Every shortcut taken for speed gives exactly what the general path gives.

- `squeeze_letters` on ASCII text skips Unicode normalization and the per-character loop;
- `hash_user_data` handles a plain text value without the list machinery;
- `hash_value` reuses one `Context` per country and skips the pre-hashed check for short text;
- `Normalized` and `FieldTrace` are plain classes that behave as frozen dataclasses: compiled
  by mypyc they are native classes; in pure Python `pure_speedups` freezes them, sets their
  slots directly, and `hash_value` builds its traces with `new_trace` (plain stores, then
  `__class__`). Both builds run these tests (tests/capi/conftest.py says which one ran);
- birth dates take today's date once per second and format it with `isoformat`.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.capi import phone_fast
from desktop_app.capi.fields import FIELDS, HASHED_KEYS
from desktop_app.capi.hashing import sha256_hex
from desktop_app.capi.normalize import Context, Normalized, squeeze_letters
from desktop_app.capi.normalize_date import _today, normalize_birthdate
from desktop_app.capi.user_data import (
    FieldTrace,
    cached_values,
    clear_caches,
    hash_user_data,
    hash_value,
    new_trace,
)


def _squeeze_reference(text: str) -> str:
    """The general algorithm: NFC, lowercase, keep what `str.isalnum` keeps."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text).lower() if ch.isalnum())


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(max_codepoint=127), max_size=30))
def test_ascii_squeeze_matches_the_general_path(text: str) -> None:
    assert squeeze_letters(text) == _squeeze_reference(text)


_VALUES = st.sampled_from(
    [
        "",
        " Mary.Ann@Example.com ",
        "john smith@gmail.com",
        "(650) 555-1212",
        "+44 20 7946 0958",
        "06 12 34 56 78",
        "Zoë",
        "O'Brien",
        "1997-02-16",
        "2/3/1990",
        "female",
        "Saint-Étienne",
        "California",
        "Bayern",
        "94035-1234",
        "SW1A 1AA",
        "United States",
        "UK",
        "Narnia",
        "cust-0042",
        "A" * 64,
        "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176",
    ]
)
_RECORDS = st.dictionaries(st.sampled_from([*HASHED_KEYS, "email", "zip"]), _VALUES, max_size=8)


@settings(max_examples=300, deadline=None)
@given(record=_RECORDS, default=st.sampled_from([None, "us", "de", "gb"]))
def test_text_values_hash_like_one_item_lists(record: dict[str, str], default: str | None) -> None:
    as_lists: dict[str, Any] = {key: [value] for key, value in record.items()}
    clear_caches()
    fast = hash_user_data(record, default_country=default)
    clear_caches()
    general = hash_user_data(as_lists, default_country=default)
    assert fast.user_data == general.user_data
    assert fast.traces == general.traces
    assert fast.errors == general.errors
    assert fast.country == general.country
    assert fast.ignored_keys == general.ignored_keys


@settings(max_examples=200, deadline=None)
@given(
    key=st.sampled_from(HASHED_KEYS),
    value=_VALUES,
    country=st.sampled_from([None, "us", "fr", "gb"]),
)
def test_hash_value_matches_the_field_rule(key: str, value: str, country: str | None) -> None:
    trace = hash_value(key, value, country)
    result = FIELDS[key].normalize(value, Context(country=country))
    if trace.note == "already hashed: sent as is":
        assert len(value.strip()) >= 64
        return
    assert (trace.normalized, trace.error, trace.note) == (
        result.value,
        None if result.value is not None else (result.error or "unusable"),
        result.note,
    )
    assert trace.sha256 == (sha256_hex(result.value) if result.value is not None else None)


_TEXT = st.none() | st.text(max_size=5)


@dataclasses.dataclass(frozen=True)
class _ReferenceTrace:
    """What `FieldTrace` was, and must still behave as: a frozen dataclass."""

    key: str
    raw: str
    normalized: str | None
    sha256: str | None
    error: str | None = None
    note: str | None = None


@dataclasses.dataclass(frozen=True)
class _ReferenceNormalized:
    value: str | None
    error: str | None = None
    note: str | None = None


def _frozen(instance: object, name: str) -> bool:
    """Assigning or deleting the field raises (FrozenInstanceError is an AttributeError)."""
    for action in (lambda: setattr(instance, name, "changed"), lambda: delattr(instance, name)):
        with pytest.raises(AttributeError):
            action()
    return True


@given(value=_TEXT, error=_TEXT, note=_TEXT)
def test_results_behave_as_frozen_dataclasses(
    value: str | None, error: str | None, note: str | None
) -> None:
    reference = _ReferenceNormalized(value, error, note)
    built = Normalized(value, error, note)
    assert (built.value, built.error, built.note) == dataclasses.astuple(reference)
    assert repr(built) == repr(reference).replace("_ReferenceNormalized", "Normalized")
    assert built == Normalized(value, error, note)
    assert hash(built) == hash(Normalized(value, error, note)) == hash(reference)
    assert Normalized(value) == Normalized(value, None, None)
    assert built != Normalized(value, error, note + "x" if note else "x")
    assert built != reference  # another class, as between two dataclasses
    assert _frozen(built, "value")
    assert Normalized(value, note=note) == Normalized(value, None, note)
    trace = FieldTrace("em", "raw", value, error, note=note)
    trace_reference = _ReferenceTrace("em", "raw", value, error, note=note)
    assert trace.as_tuple() == dataclasses.astuple(trace_reference)
    assert repr(trace) == repr(trace_reference).replace("_ReferenceTrace", "FieldTrace")
    assert hash(trace) == hash(trace_reference)
    assert FieldTrace("em", "raw", value, error) == FieldTrace("em", "raw", value, error, None)
    assert trace != FieldTrace("ph", "raw", value, error, note=note)
    assert _frozen(trace, "sha256")
    assert not hasattr(trace, "__dict__")


@given(value=_TEXT, error=_TEXT, note=_TEXT)
def test_trace_builder_gives_ordinary_frozen_traces(
    value: str | None, error: str | None, note: str | None
) -> None:
    built = new_trace("ph", "raw", value, error, note=note)
    plain = FieldTrace("ph", "raw", value, error, note=note)
    assert type(built) is FieldTrace
    assert built == plain
    assert hash(built) == hash(plain)
    assert repr(built) == repr(plain)
    assert built.as_tuple() == ("ph", "raw", value, error, None, note)
    assert built.as_tuple() == plain.as_tuple()
    assert new_trace("ph", "raw", value, error) == FieldTrace("ph", "raw", value, error, None)
    assert _frozen(built, "note")
    assert not hasattr(built, "__dict__")  # still slots only


def test_todays_date_is_the_real_one() -> None:
    before = date.today()
    today = _today(Context())
    assert today in {before, date.today()}  # the day may turn between the two calls
    assert _today(Context(today=date(2001, 2, 3))) == date(2001, 2, 3)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)))
def test_birthdate_output_is_zero_padded_yyyymmdd(born: date) -> None:
    text = f"{born.year:04d}-{born.month:02d}-{born.day:02d}"
    assert normalize_birthdate(text, Context()).value == text.replace("-", "")


def test_clear_caches_forgets_every_phone_number() -> None:
    clear_caches()
    # A number in service takes the uncached shortcut; one that is not (per libphonenumber)
    # goes through the full rule and its cached parse and validity steps.
    hash_user_data({"ph": "+1 650 253 0000", "country": "US"})
    hash_user_data({"ph": "07911 650708", "country": "GB"})
    assert (
        hash_value("ph", "07911 650708", "gb").note
        == "possible, but not a number in service per libphonenumber"
    )
    assert phone_fast.parse.cache_info().currsize > 0
    assert phone_fast.is_valid.cache_info().currsize > 0
    clear_caches()
    assert phone_fast.parse.cache_info().currsize == 0
    assert phone_fast.is_valid.cache_info().currsize == 0
    assert cached_values() == 0


def test_the_cache_keeps_keys_and_countries_apart() -> None:
    clear_caches()
    for _ in range(2):  # computed, then from the cache
        assert hash_value("fn", "Smith", "us").key == "fn"
        assert hash_value("ln", "Smith", "us").key == "ln"
        assert hash_value("zp", "94035-1234", "us").normalized == "94035"
        assert hash_value("zp", "94035-1234", "de").normalized == "940351234"
        assert hash_value("zp", "94035-1234", None).note == "country unknown; read as a US ZIP code"


def test_the_cache_is_bounded_and_keeps_recent_values() -> None:
    clear_caches()
    for number in range(3 * 4096):
        hash_value("external_id", f"id-{number}", None)
        assert cached_values() <= 4096
    recent = hash_value("external_id", f"id-{3 * 4096 - 1}", None)
    assert hash_value("external_id", f"id-{3 * 4096 - 1}", None) is recent
    clear_caches()
    assert cached_values() == 0
