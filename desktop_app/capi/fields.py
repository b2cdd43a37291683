"""The user_data keys Meta knows, as one table: how each is normalized, whether it is hashed.

Customer information parameters:
https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
Tests iterate over `FIELDS`; `hash_user_data` and `pixelbridge hash` use it, and the snippet
follows the same `external_id` rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from desktop_app.capi.normalize import (
    Context,
    Normalized,
    normalize_city,
    normalize_email,
    normalize_external_id,
    normalize_gender,
    normalize_name,
    normalize_zip,
)
from desktop_app.capi.normalize_date import normalize_birthdate
from desktop_app.capi.normalize_phone import normalize_phone
from desktop_app.capi.normalize_region import normalize_country, normalize_state

logger = logging.getLogger(__name__)

Normalizer = Callable[[str, Context], Normalized]


# Not slotted: mypyc compiles a slotted dataclass as a plain Python class.
@dataclass(frozen=True)
class FieldRule:
    key: str
    label: str
    normalize: Normalizer
    rule: str  # the rule in one line, for `--help`, docs and tooltips


FIELDS: Final[dict[str, FieldRule]] = {
    rule.key: rule
    for rule in (
        FieldRule("em", "Email", normalize_email, "trimmed, lowercase; must be name@domain.tld"),
        FieldRule(
            "ph",
            "Phone",
            normalize_phone,
            "digits only, no leading zeros, with the country calling code",
        ),
        FieldRule(
            "fn", "First name", normalize_name, "lowercase, no punctuation or spaces, accents kept"
        ),
        FieldRule(
            "ln", "Last name", normalize_name, "lowercase, no punctuation or spaces, accents kept"
        ),
        FieldRule("db", "Date of birth", normalize_birthdate, "YYYYMMDD, year 1900 to now"),
        FieldRule("ge", "Gender", normalize_gender, "f or m"),
        FieldRule("ct", "City", normalize_city, "lowercase, no punctuation or spaces"),
        FieldRule(
            "st",
            "State",
            normalize_state,
            "US/Canada: 2-letter code; elsewhere lowercase, no punctuation or spaces",
        ),
        FieldRule("zp", "ZIP / postal code", normalize_zip, "lowercase, no spaces; US: 5 digits"),
        FieldRule("country", "Country", normalize_country, "ISO 3166-1 alpha-2, lowercase"),
        FieldRule(
            "external_id",
            "External ID",
            normalize_external_id,
            "whitespace removed, lowercase (same rule as the site snippet)",
        ),
    )
}
HASHED_KEYS: tuple[str, ...] = tuple(FIELDS)

# Sent exactly as received, never hashed (customer-information parameters).
PASS_THROUGH_KEYS: tuple[str, ...] = (
    "client_ip_address",
    "client_user_agent",
    "fbc",
    "fbp",
    "subscription_id",
    "fb_login_id",
    "lead_id",
    "anon_id",
    "madid",
    "page_id",
    "page_scoped_user_id",
    "ctwa_clid",
    "ig_account_id",
    "ig_sid",
)

# Long names that sites and form builders use, mapped to Meta's keys.
KEY_ALIASES: dict[str, str] = {
    "email": "em",
    "phone": "ph",
    "first_name": "fn",
    "firstname": "fn",
    "last_name": "ln",
    "lastname": "ln",
    "date_of_birth": "db",
    "birthdate": "db",
    "dob": "db",
    "gender": "ge",
    "city": "ct",
    "state": "st",
    "zip": "zp",
    "zip_code": "zp",
    "postal_code": "zp",
    "postcode": "zp",
}


def meta_key(key: str) -> str:
    """Meta's key for `key` (aliases resolved), unchanged when unknown."""
    return KEY_ALIASES.get(key, key)
