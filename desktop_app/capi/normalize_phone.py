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
from typing import Final

import phonenumbers

from desktop_app.capi import phone_fast
from desktop_app.capi.normalize import Context, Normalized, fail
from desktop_app.capi.phone_fast import Parsed

logger = logging.getLogger(__name__)

_MIN_DIGITS: Final = 4  # Niue and Saint Helena have 4-digit numbers; libphonenumber judges the rest
_NOT_ASCII_DIGIT: Final = re.compile(r"[^0-9]+")
_NOT_IN_SERVICE: Final = "possible, but not a number in service per libphonenumber"


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
    if ctx.country and text.isascii():
        trunk_form = _trunk_zero_form(text.strip(), ctx.country.upper())
        if trunk_form is not None:
            return trunk_form
    return _normalize_checked(text, ctx, _Fast)


def _trunk_zero_form(text: str, region: str) -> Normalized | None:
    """The national form with its trunk 0 and separators ("07911 650708"), in few steps.

    Why: these are most of the numbers that are not in service (the tidy-case shortcut
    takes the ones that are), and `_normalize` spent more on branches that cannot apply
    than on the rule. For such text the digits start with 0, so there is no bare calling
    code to try, and the text is not all digits, so the own-code and trunk branches do not
    apply: what is left of `_normalize` is the national parse, then "possible", then the
    second pass. None: not this form, ask `_normalize_checked`.
    """
    if not text or text[0] != "0" or text.isdigit():
        return None
    if len(_NOT_ASCII_DIGIT.sub("", text).lstrip("0")) < _MIN_DIGITS:
        return None
    local = _Fast.parse(text, region)
    if local is None:
        return None
    value = _e164(local)
    if _Fast.valid(local, region):
        return Normalized(value)
    if not _Fast.possible(local):
        return None
    if not _same_again(value, region):
        return fail("not a phone number in service, and its digits are ambiguous")
    return Normalized(value, note=_NOT_IN_SERVICE)


def normalize_phone_reference(text: str, ctx: Context) -> Normalized:
    """`normalize_phone` with every libphonenumber step done by `phonenumbers` (tests)."""
    return _normalize_checked(text, ctx, _Reference)


def _normalize_checked(text: str, ctx: Context, lib: type[_Reference]) -> Normalized:
    result = _normalize(text, ctx, lib)
    value = result.value
    if value is not None and result.note == _NOT_IN_SERVICE:
        if lib is _Fast and ctx.country:  # a note needs a country; `ctx.country` is set
            same = _same_again(value, ctx.country.upper())
        else:
            same = _normalize(value, ctx, lib).value == value
        if not same:
            return fail("not a phone number in service, and its digits are ambiguous")
    return result


def _same_again(digits: str, region: str) -> bool:
    """`_normalize(digits, Context(country=region.lower()), _Fast).value == digits` for the
    all-digit output of a first pass, without building the results in between.

    Why: ~13 % of real numbers are not in service per libphonenumber, and this second pass
    cost them as much as the rest of the customer's record. Same branches in the same
    order as `_normalize` takes for all-digit text with a country (each step is pure, so
    asking once and reusing the answer changes nothing); tests/capi/test_phone_fast.py
    compares both on generated and example numbers.
    """
    if len(digits.lstrip("0")) < _MIN_DIGITS:
        return False
    valid_in_region, valid, possible = (
        phone_fast.is_valid_for_region,
        phone_fast.is_valid,
        phone_fast.is_possible,
    )
    international = digits[0] != "0"
    bare = _Fast.parse("+" + digits, None) if international else None
    bare_valid = bare is not None and valid(bare)
    own_code_first = digits.startswith(str(_Fast.calling_code(region)))
    if own_code_first and bare is not None and (bare_valid or valid_in_region(bare, region)):
        return True
    if bare is not None and bare_valid and international and _Fast.trunk_zero(region):
        return _e164(bare) == digits
    local = _Fast.parse(digits, region)
    if local is not None and (valid_in_region(local, region) or valid(local)):
        return _e164(local) == digits
    if bare is not None and bare_valid:
        return _e164(bare) == digits
    if own_code_first and bare is not None and possible(bare):
        return True
    return local is not None and possible(local) and _e164(local) == digits


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
