"""The precompiled phone path (`capi/phone_fast.py`) must answer exactly like `phonenumbers`.

Oracle: `normalize_phone_reference`, the same steps with every libphonenumber call made by
`phonenumbers` itself. Inputs: libphonenumber's example numbers of every region, written in
every common form and with digits changed, plus generated digit strings.
"""

from __future__ import annotations

import phonenumbers
import pytest
from capi.phone_forms import examples, formatted
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.capi import phone_fast
from desktop_app.capi.normalize import Context
from desktop_app.capi.normalize_phone import (
    _Fast,
    _normalize,
    _Reference,
    _same_again,
    normalize_phone,
    normalize_phone_reference,
)

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


def _written_forms(region: str) -> list[str]:
    """Example numbers of `region` as people type them, and near misses of each."""
    forms: list[str] = []
    for example in examples(region):
        for text, digits in formatted(example):
            forms += [text, digits, text.replace(" ", "-"), f"({digits[:3]}) {digits[3:]}"]
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        forms += [e164[:-1], e164 + "5", e164[:-1] + str((int(e164[-1]) + 1) % 10), e164[1:]]
    return forms


@pytest.mark.parametrize("region", REGIONS)
def test_fast_path_matches_phonenumbers_on_every_region(region: str) -> None:
    covered = 0
    for text in _written_forms(region):
        for context in (region, None, "US"):
            fast = phone_fast.parse(text, context)
            if fast is not None:
                covered += 1
                assert fast == _Reference.parse(text, context), (text, context)
                number = phone_fast.to_number(fast)
                assert phone_fast.is_valid(fast) == phonenumbers.is_valid_number(number)
                assert phone_fast.is_valid_for_region(
                    fast, region
                ) == phonenumbers.is_valid_number_for_region(number, region)
            ctx = Context(country=context.lower() if context else None)
            assert normalize_phone(text, ctx) == normalize_phone_reference(text, ctx), text
    # The fast path must actually take the common forms, or it is not a fast path.
    assert covered > 0 or region == "001"


def test_fast_path_takes_the_common_forms() -> None:
    assert phone_fast.parse("+1 650 253 0000", None) == (1, "6502530000")
    assert phone_fast.parse("(650) 253-0000", "US") == (1, "6502530000")
    assert phone_fast.parse("06 12 34 56 78", "FR") == (33, "612345678")
    assert phone_fast.parse("07911 123456", "GB") == (44, "7911123456")
    assert phone_fast.parse("+39 06 1234 5678", None) == (39, "0612345678")  # Italian 0 kept


@pytest.mark.parametrize(
    "text",
    ["tel:+1-650-253-0000", "+1 650 253 0000 ext. 12", "1-800-FLOWERS", "011 44 20 7946 0958"],
)
def test_unusual_input_is_left_to_phonenumbers(text: str) -> None:
    assert phone_fast.parse(text, "US") is None


_separator = st.sampled_from(["", " ", "-", ".", "(", ")", "  "])
_typed = st.lists(st.tuples(st.text("0123456789", min_size=1, max_size=4), _separator), max_size=6)


COUNTRIES = [None, "us", "ca", "gb", "de", "fr", "it", "br", "in", "au", "ar", "mx", "cn", "jp"]
COUNTRIES += ["nl", "ru", "sg", "ci", "ch", "at", "pl", "es", "kr", "za", "ng", "id", "hu"]


@settings(max_examples=400, deadline=None)
@given(plus=st.booleans(), parts=_typed, country=st.sampled_from(COUNTRIES))
def test_generated_numbers_normalize_identically(
    plus: bool, parts: list[tuple[str, str]], country: str | None
) -> None:
    text = ("+" if plus else "") + "".join(digits + sep for digits, sep in parts)
    ctx = Context(country=country)
    assert normalize_phone(text, ctx) == normalize_phone_reference(text, ctx)
    region = country.upper() if country else None
    fast = phone_fast.parse(text, region)
    if fast is not None:
        assert fast == _Reference.parse(text, region)


@settings(max_examples=300, deadline=None)
@given(
    code=st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)),
    nsn=st.text("0123456789", min_size=2, max_size=14),
)
def test_validity_matches_phonenumbers(code: int, nsn: str) -> None:
    parsed = (code, nsn)
    number = phone_fast.to_number(parsed)
    assert phone_fast.from_number(number) == parsed
    assert phone_fast.is_valid(parsed) == phonenumbers.is_valid_number(number)
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code][:3]:
        if region != "001":
            assert phone_fast.is_valid_for_region(
                parsed, region
            ) == phonenumbers.is_valid_number_for_region(number, region)


@settings(max_examples=300, deadline=None)
@given(
    code=st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)),
    nsn=st.text("0123456789", min_size=1, max_size=18),
)
def test_possible_matches_phonenumbers(code: int, nsn: str) -> None:
    parsed = (code, nsn)
    assert phone_fast.is_possible(parsed) == phonenumbers.is_possible_number(
        phone_fast.to_number(parsed)
    )


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("442079460958", "GB", (44, "2079460958")),  # calling code without the plus
        ("16135550123", "CA", (1, "6135550123")),  # …read with the main region's (US) rules
        ("4420", "GB", (44, "4420")),  # too short to carry a calling code: national
    ],
)
def test_own_calling_code_without_plus(text: str, region: str, expected: tuple[int, str]) -> None:
    assert phone_fast.parse(text, region) == expected == _Reference.parse(text, region)


def _second_pass_inputs(region: str) -> list[str]:
    """All-digit numbers like a first pass outputs, in service or not, for `region`."""
    forms: list[str] = []
    for example in examples(region):
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)[1:]
        forms += [e164, e164[:-1], e164 + "7", e164[:-2] + "00", e164[:-3] + "999"]
        forms += [str(example.national_number), "0" + str(example.national_number)]
    return forms


@pytest.mark.parametrize("region", REGIONS)
def test_second_pass_shortcut_matches_the_first_pass_rule(region: str) -> None:
    """`_same_again` (the not-in-service check) answers like normalizing again."""
    ctx = Context(country=region.lower())
    for digits in _second_pass_inputs(region):
        expected = _normalize(digits, ctx, _Fast).value == digits
        assert _same_again(digits, region) == expected, (digits, region)


@settings(max_examples=400, deadline=None)
@given(digits=st.text("0123456789", min_size=1, max_size=16), country=st.sampled_from(COUNTRIES))
def test_second_pass_shortcut_on_generated_digits(digits: str, country: str | None) -> None:
    region = (country or "us").upper()
    expected = _normalize(digits, Context(country=region.lower()), _Fast).value == digits
    assert _same_again(digits, region) == expected


@pytest.mark.parametrize("region", REGIONS)
def test_national_forms_and_near_misses_match_phonenumbers(region: str) -> None:
    """The trunk-0 national form ("07911 650708"), in service or not, takes its own short
    path in `normalize_phone`; near misses are mostly numbers not in service."""
    ctx = Context(country=region.lower())
    for example in examples(region):
        text = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
        for form in (text, text[:-1], text + "5", text[:-1] + str((int(text[-1]) + 1) % 10)):
            for variant in (form, "0" + form.lstrip("0"), f" {form} ", form.replace(" ", ".")):
                assert normalize_phone(variant, ctx) == normalize_phone_reference(variant, ctx)
