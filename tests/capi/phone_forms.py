"""libphonenumber's example numbers of a region, written the ways people type them (tests)."""

from __future__ import annotations

import phonenumbers

TYPES = (
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
)
FORMATS = (
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
)


def examples(region: str) -> list[phonenumbers.PhoneNumber]:
    """The region's example fixed-line, mobile and toll-free numbers that exist."""
    found = (phonenumbers.example_number_for_type(region, kind) for kind in TYPES)
    return [example for example in found if example is not None]


def formatted(example: phonenumbers.PhoneNumber) -> list[tuple[str, str]]:
    """(text, its digits) of `example` in E.164, international and national format."""
    texts = [phonenumbers.format_number(example, fmt) for fmt in FORMATS]
    return [(text, "".join(ch for ch in text if ch.isdigit())) for text in texts]
