"""Phone numbers as Meta wants them: digits only, no leading zeros, WITH the country code.

Docs example: `(650)555-1212` → `16505551212` (the docs add the `1`), from
https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
Neither of Meta's libraries adds the calling code (both send `6505551212`, which cannot match
a US account). We parse with libphonenumber's rules (`phonenumbers`), taking the calling code
from the number itself (`+44…`, `0044…`) or from the event's country / the default country.
"""

from __future__ import annotations

import logging
import re

import phonenumbers

from desktop_app.capi import phone_fast
from desktop_app.capi.normalize import Context, Normalized, fail
from desktop_app.capi.phone_fast import Parsed

logger = logging.getLogger(__name__)

_MIN_DIGITS = 4  # Niue and Saint Helena have 4-digit numbers; libphonenumber judges the rest
_NOT_ASCII_DIGIT = re.compile(r"[^0-9]+")
_NOT_IN_SERVICE = "possible, but not a number in service per libphonenumber"


def _ascii_digits(text: str) -> str:
    """Any Unicode decimal digit (full-width, Arabic-Indic…) written as ASCII, rest kept.

    CHOICE: full-width digits from East-Asian keyboards are read (Meta's SDK does; the
    Parameter Builder drops them and sends nothing).
    """
    if text.isascii():
        return text
    return "".join(str(int(ch)) if ch.isdecimal() else ch for ch in text)


class _Reference:
    """Every step asked of `phonenumbers` itself: the slow path, and the fast path's oracle."""

    @staticmethod
    def parse(text: str, region: str | None) -> Parsed | None:
        try:
            return phone_fast.from_number(phonenumbers.parse(text, region))
        except phonenumbers.NumberParseException:
            return None

    @staticmethod
    def valid(number: Parsed | None, region: str | None = None) -> bool:
        if number is None:
            return False
        # Checking the expected region first skips libphonenumber's walk over every region
        # that shares the calling code (25 for +1), the slow part of `is_valid_number`.
        parsed = phone_fast.to_number(number)
        if region and phonenumbers.is_valid_number_for_region(parsed, region):
            return True
        return bool(phonenumbers.is_valid_number(parsed))

    @staticmethod
    def possible(number: Parsed | None) -> bool:
        if number is None:
            return False
        return bool(phonenumbers.is_possible_number(phone_fast.to_number(number)))

    @staticmethod
    def calling_code(region: str) -> int:
        return int(phonenumbers.country_code_for_region(region))

    @staticmethod
    def trunk_zero(region: str) -> bool:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        return metadata is not None and metadata.national_prefix == "0"


class _Fast(_Reference):
    """The same answers from precompiled metadata (`phone_fast`), falling back per call."""

    @staticmethod
    def parse(text: str, region: str | None) -> Parsed | None:
        parsed = phone_fast.parse(text, region)
        return parsed if parsed is not None else _Reference.parse(text, region)

    @staticmethod
    def valid(number: Parsed | None, region: str | None = None) -> bool:
        if number is None:
            return False
        if region and phone_fast.is_valid_for_region(number, region):
            return True
        return phone_fast.is_valid(number)

    @staticmethod
    def possible(number: Parsed | None) -> bool:
        return number is not None and phone_fast.is_possible(number)

    @staticmethod
    def calling_code(region: str) -> int:
        rules = phone_fast.rules_for(region)
        return rules.country_code if rules is not None else _Reference.calling_code(region)

    @staticmethod
    def trunk_zero(region: str) -> bool:
        rules = phone_fast.rules_for(region)
        return rules is not None and rules.trunk_zero


def _e164(number: Parsed) -> str:
    return f"{number[0]}{number[1]}"


def normalize_phone(text: str, ctx: Context) -> Normalized:
    """Steps in order; the first that fits wins. Already-normalized output is a fixed point.

    A number that is only *possible* (not in service per libphonenumber's metadata) is kept
    only if normalizing it again gives the same digits; otherwise the digits are ambiguous.
    """
    return _normalize_checked(text, ctx, _Fast)


def normalize_phone_reference(text: str, ctx: Context) -> Normalized:
    """`normalize_phone` with every libphonenumber step done by `phonenumbers` (tests)."""
    return _normalize_checked(text, ctx, _Reference)


def _normalize_checked(text: str, ctx: Context, lib: type[_Reference]) -> Normalized:
    result = _normalize(text, ctx, lib)
    if result.value is not None and result.note == _NOT_IN_SERVICE:
        again = _normalize(result.value, ctx, lib)
        if again.value != result.value:
            return fail("not a phone number in service, and its digits are ambiguous")
    return result


def _normalize(text: str, ctx: Context, lib: type[_Reference]) -> Normalized:
    text = _ascii_digits(text).strip()
    if text.isascii():  # the common case: the same digits without a per-character loop
        digits = _NOT_ASCII_DIGIT.sub("", text)
    else:
        digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits.lstrip("0")) < _MIN_DIGITS:
        return fail("too few digits for a phone number")
    region = ctx.country.upper() if ctx.country else None
    if text.startswith("+"):  # explicit calling code
        number = lib.parse(text, None)
        if number is not None and lib.valid(number, region):
            return Normalized(_e164(number))
        if region and number is not None and lib.possible(number):
            return Normalized(_e164(number), note=_NOT_IN_SERVICE)
        return fail("not a possible phone number")
    # "0044 20…" without a country: 00 is the international prefix almost everywhere.
    bare_digits = digits[2:] if (region is None and digits.startswith("00")) else digits
    # Digits that already start with a calling code ("16505551212"); never after a trunk 0.
    # Parsed only when needed: parsing is the expensive part.
    bare_parsed: list[Parsed | None] = []

    def bare() -> Parsed | None:
        if not bare_parsed:
            international = not bare_digits.startswith("0")
            bare_parsed.append(lib.parse("+" + bare_digits, None) if international else None)
        return bare_parsed[0]

    if region is None:
        # Only a number in service proves the digits carry a calling code: "6505551212" is a
        # *possible* Singapore number, and sending that is the silent failure we exist to stop.
        number = bare()
        if number is not None and lib.valid(number):
            return Normalized(_e164(number), note="no country given: read as already international")
        return fail("no country calling code, and no country to take it from")
    own_code_first = text.isdigit() and digits.startswith(str(lib.calling_code(region)))
    if own_code_first and lib.valid(bare(), region):
        return Normalized(digits)  # already normalized for this country
    if text.isdigit() and lib.trunk_zero(region) and not digits.startswith("0"):
        # Where national numbers are written with a leading 0 (DE, FR, GB…), bare digits
        # without it that form a valid international number are one (and our own output
        # stays a fixed point: "442079460958" in DE is London, not a German number).
        number = bare()
        if number is not None and lib.valid(number):
            return Normalized(_e164(number))
    local = lib.parse(text, region)  # national form, or with the IDD prefix ("0033…", "011…")
    if local is not None and lib.valid(local, region):
        return Normalized(_e164(local))
    number = bare()
    if number is not None and lib.valid(number):  # another country's number with its calling code
        return Normalized(_e164(number))
    if own_code_first and lib.possible(number):
        return Normalized(digits, note=_NOT_IN_SERVICE)
    if local is not None and lib.possible(local):
        return Normalized(_e164(local), note=_NOT_IN_SERVICE)
    return fail(f"not a possible phone number in {region}")
