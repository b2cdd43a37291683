"""Shortcuts for the tidy common case of each hashed key, tried before the full rule.

Why: most values a shop sends are already close to Meta's form (an ASCII email, a 5-digit
ZIP, an ISO date, a phone number written the usual way for its country). For those, the full
rules in `fields.FIELDS` spend more time building `Context`/`Normalized` objects and walking
branches that cannot apply than on the rule itself, and a cold customer record (its email,
phone, birth date, ZIP and id seen for the first time) pays that for every value.

Each shortcut takes the raw text and the country context (what `hash_value` gets: ISO alpha-2
lowercase or None) and returns the normalized value **only when the full rule would return
that same value with no error and no note**; otherwise `None`, meaning "ask the full rule".
A shortcut never decides that a value is unusable, and never makes a call the user should
see (ambiguous dates, assumed countries, numbers not in service all go to the full rule).
tests/capi/test_normalize_fast.py compares every shortcut with its full rule on generated and
real-world-shaped input.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from typing import Final

from desktop_app.capi import phone_fast
from desktop_app.capi.normalize import GENDER_WORDS, US_ZIP_COUNTRIES, squeeze_letters
from desktop_app.capi.normalize_date import MIN_YEAR, today
from desktop_app.capi.normalize_region import STATE_COUNTRIES, country_code, state_index

logger = logging.getLogger(__name__)

Shortcut = Callable[[str, str | None], str | None]

# An address `normalize_email` accepts as is: exactly one @, a non-empty local part without a
# colon (so no `mailto:`), a domain of 2+ non-empty labels, and none of the whitespace or
# invisible characters it rejects (`normalize._INVISIBLE`). Non-ASCII letters are fine there.
_NOT_IN_EMAIL: Final = r"@\s\u200b-\u200f\u2060\ufeff\u00ad"
_TIDY_EMAIL: Final = re.compile(
    rf"[^{_NOT_IN_EMAIL}:]+@[^{_NOT_IN_EMAIL}.]+(?:\.[^{_NOT_IN_EMAIL}.]+)+"
)
_MIN_PHONE_DIGITS: Final = 4  # normalize_phone._MIN_DIGITS


def email(text: str, country: str | None) -> str | None:
    value = text.strip().lower()  # exactly what the full rule hashes when it accepts it
    return value if _TIDY_EMAIL.fullmatch(value) else None


def letters(text: str, country: str | None) -> str | None:
    """fn, ln, ct: ASCII text needs neither Unicode normalization nor category lookups."""
    if not text.isascii():
        return None
    return squeeze_letters(text) or None


def gender(text: str, country: str | None) -> str | None:
    if not text.isascii():
        return None
    return GENDER_WORDS.get(squeeze_letters(text))


def country_name(text: str, country: str | None) -> str | None:
    return country_code(text)


def state(text: str, country: str | None) -> str | None:
    """A known country, ASCII, no dash (a dash may be a `US-CA` prefix: full rule)."""
    if country is None or "-" in text or not text.isascii():
        return None
    squeezed = squeeze_letters(text)
    if not squeezed:
        return None
    if country in STATE_COUNTRIES:
        return state_index(country).get(squeezed)
    return squeezed


def zip_code(text: str, country: str | None) -> str | None:
    """A known country (without one, US-shaped values get a note: full rule)."""
    if country is None or not text.isascii():
        return None
    compact = squeeze_letters(text)
    if country in US_ZIP_COUNTRIES:
        # The full rule's `(\\d{5})(?:-?\\d{4})?` on text that has no dash left.
        return compact[:5] if len(compact) in (5, 9) and compact.isdigit() else None
    return compact or None


def external_id(text: str, country: str | None) -> str | None:
    return "".join(text.split()).lower() or None


def birthdate(text: str, country: str | None) -> str | None:
    """`YYYYMMDD` and `YYYY-MM-DD`, the forms that are never ambiguous."""
    value = text.strip()
    if not value.isascii():
        return None
    if len(value) == 8:
        digits = value
    elif len(value) == 10 and value[4] == value[7] == "-":
        digits = value[:4] + value[5:7] + value[8:]
    else:
        return None
    if not digits.isdigit():  # ASCII: 0-9 only
        return None
    number = int(digits)
    year, month, day = number // 10000, number // 100 % 100, number % 100
    if year < MIN_YEAR:
        return None
    # Days 1-28 exist in every month; other days are checked by `date` itself.
    if not (1 <= month <= 12 and 1 <= day <= 28):
        try:
            date(year, month, day)
        except ValueError:
            return None
    now = today()
    if year >= now.year and date(year, month, day) > now:  # only then can it be future
        return None
    # Both forms have a 4-digit year and 2-digit month and day: the digits are the output.
    return digits


def phone(text: str, country: str | None) -> str | None:
    """Plain ASCII input with a known country, in service per libphonenumber, when written
    with `+` and the calling code, or in the national form with separators. These are the
    first branch of `normalize_phone._normalize` that can apply to such input, and a number
    in service never takes the "not in service" second pass."""
    if not country or not text.isascii():
        return None
    text = text.strip()
    if not phone_fast.is_plain(text):  # anything else goes to the full rule
        return None
    international = text[0] == "+"
    if not international and text.isdigit():  # the calling-code and trunk-0 branches apply
        return None
    digits = phone_fast.plain_digits(text)  # the digits the full rule counts, for plain text
    if len(digits.lstrip("0")) < _MIN_PHONE_DIGITS:
        return None
    region = country.upper()
    # Not through `parse`'s cache: 87 % of numbers are in service and are never asked again.
    number = phone_fast.parse_plain(text, digits, None if international else region)
    if number is None:
        return None
    if phone_fast.is_valid_for_region(number, region) or phone_fast.is_valid(number):
        return f"{number[0]}{number[1]}"
    return None


BY_KEY: dict[str, Shortcut] = {
    "em": email,
    "ph": phone,
    "fn": letters,
    "ln": letters,
    "db": birthdate,
    "ge": gender,
    "ct": letters,
    "st": state,
    "zp": zip_code,
    "country": country_name,
    "external_id": external_id,
}


def shortcut(key: str, text: str, country: str | None) -> str | None:
    """`BY_KEY[key](text, country)`, as direct calls (compiled by mypyc, a call through the
    table is a Python-level call); keys in the order a new customer's values come.
    tests/capi/test_normalize_fast.py checks it agrees with `BY_KEY`."""
    if key == "em":
        return email(text, country)
    if key == "external_id":
        return external_id(text, country)
    if key == "db":
        return birthdate(text, country)
    if key == "ph":
        return phone(text, country)
    if key == "zp":
        return zip_code(text, country)
    if key in ("fn", "ln", "ct"):
        return letters(text, country)
    if key == "st":
        return state(text, country)
    if key == "ge":
        return gender(text, country)
    if key == "country":
        return country_name(text, country)
    return BY_KEY[key](text, country)  # a key added to BY_KEY only
