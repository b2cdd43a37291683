"""Per-field normalizer rules as a table, one row per rule (reference §3 and §9)."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_app.capi.fields import FIELDS
from desktop_app.capi.normalize import Context

TODAY = date(2026, 11, 27)
OK, ERR = "ok", "error"

# (key, raw input, country, expected normalized value or None, expected note substring or None)
CASES: list[tuple[str, str, str | None, str | None, str | None]] = [
    # em: trim + lowercase; odd input rejected, unicode accepted
    ("em", "  Foo.Bar+tag@Example.COM ", None, "foo.bar+tag@example.com", None),
    ("em", "mailto:Ann@ex.org", None, "ann@ex.org", None),
    ("em", "jürgen@bücher.de", None, "jürgen@bücher.de", None),
    ("em", "john smith@gmail.com", None, None, None),
    ("em", "john\u200b@gmail.com", None, None, None),
    ("em", "john@gmail", None, None, None),
    ("em", "@gmail.com", None, None, None),
    ("em", "john@@gmail.com", None, None, None),
    # ph: digits, no leading zeros, calling code added from the country
    ("ph", "(650)555-1212", "us", "16505551212", None),
    ("ph", "+1 650-555-1212", None, "16505551212", None),
    ("ph", "001 650 555 1212", "fr", "16505551212", None),
    ("ph", "06 12 34 56 78", "fr", "33612345678", None),
    ("ph", "+33 (0)6 12 34 56 78", None, "33612345678", None),
    ("ph", "020 7946 0958", "gb", "442079460958", None),
    ("ph", "650.555.1212 ext. 99", "us", "16505551212", None),
    ("ph", "１６５０５５５１２１２", None, "16505551212", "international"),
    ("ph", "16505551212", None, "16505551212", "international"),
    ("ph", "(650)555-1212", None, None, None),  # no country: the calling code is unknowable
    ("ph", "12345", "us", None, None),
    ("ph", "phone", "us", None, None),
    # fn/ln: lowercase, punctuation and spaces out, accents and scripts kept
    ("fn", "Mary Ann", None, "maryann", None),
    ("ln", "O'Brien", None, "obrien", None),
    ("ln", "O’Brien", None, "obrien", None),
    ("fn", "Jean-Luc", None, "jeanluc", None),
    ("fn", "Vale\u0301ry", None, "valéry", None),  # decomposed accent → NFC
    ("ln", "Müller", None, "müller", None),
    ("fn", "राहुल", None, "राहुल", None),  # Devanagari vowel signs are marks: kept
    ("fn", "...", None, None, None),
    ("ln", " - ", None, None, None),
    # db: YYYYMMDD from common forms, ambiguity resolved by country and reported
    ("db", "1997-02-16", None, "19970216", None),
    ("db", "16/02/1997", "fr", "19970216", None),
    ("db", "02/03/1997", "us", "19970203", "month-first"),
    ("db", "02/03/1997", "de", "19970302", "day-first"),
    ("db", "02/03/1997", None, "19970203", "month-first"),
    ("db", "16.02.97", "de", "19970216", "two-digit year"),
    ("db", "16021997", "de", "19970216", None),
    ("db", "February 16, 1997", None, "19970216", None),
    ("db", "16 feb 1997", None, "19970216", None),
    ("db", "1899-12-31", None, None, None),
    ("db", "2027-01-01", None, None, None),
    ("db", "1997-02-30", None, None, None),
    ("db", "soon", None, None, None),
    # ge
    ("ge", "Female", None, "f", None),
    ("ge", "M", None, "m", None),
    ("ge", "Mr.", None, "m", None),
    ("ge", "Frau", None, "f", None),
    ("ge", "unknown", None, None, None),
    # ct: no punctuation or spaces; accents kept (docs allow UTF-8)
    ("ct", "New York", None, "newyork", None),
    ("ct", "Coeur d'Alene", None, "coeurdalene", None),
    ("ct", "Zürich", None, "zürich", None),
    ("ct", "São Paulo", None, "sãopaulo", None),
    ("ct", "東京", None, "東京", None),
    ("ct", "123 / 45", None, "12345", None),
    ("ct", "(--)", None, None, None),
    # st: US/CA names → codes; other regions full, never truncated
    ("st", "California", "us", "ca", None),
    ("st", "TX", "us", "tx", None),
    ("st", "New York", None, "ny", "US"),
    ("st", "Québec", "ca", "qc", None),
    ("st", "Ontario", None, "on", "CA"),
    ("st", "Bavaria", "de", "bavaria", None),
    ("st", "Île-de-France", "fr", "îledefrance", None),
    ("st", "US-CA", None, "ca", None),
    ("st", "Narnia", "us", None, None),
    # zp: no spaces or dash; US first 5 digits (also 9 digits without dash)
    ("zp", "94035-1234", "us", "94035", None),
    ("zp", "940351234", "us", "94035", None),
    ("zp", "940351234", None, "94035", "US"),
    ("zp", "SW1A 1AA", "gb", "sw1a1aa", None),
    ("zp", "K1A 0A6", "ca", "k1a0a6", None),
    ("zp", "00-950", "pl", "00950", None),
    ("zp", "75018", "fr", "75018", None),
    ("zp", "2134", "us", None, None),
    # country: ISO alpha-2 from codes and names; UK → gb; unknown rejected
    ("country", "United States", None, "us", None),
    ("country", "USA", None, "us", None),
    ("country", "U.S.", None, "us", None),
    ("country", "UK", None, "gb", None),
    ("country", "GB", None, "gb", None),
    ("country", "Deutschland", None, "de", None),
    ("country", "fra", None, "fr", None),
    ("country", "XX", None, None, None),
    ("country", "Narnia", None, None, None),
    # external_id: whitespace removed, lowercase
    ("external_id", " User 42 ", None, "user42", None),
    ("external_id", "ABC-def", None, "abc-def", None),
    ("external_id", "   ", None, None, None),
]


@pytest.mark.parametrize(
    ("key", "raw", "country", "expected", "note"),
    CASES,
    ids=[f"{c[0]}:{c[1]!r}:{c[2]}" for c in CASES],
)
def test_normalizer(
    key: str, raw: str, country: str | None, expected: str | None, note: str | None
) -> None:
    result = FIELDS[key].normalize(raw, Context(country=country, today=TODAY))
    assert result.value == expected
    if expected is None:
        assert result.error  # every rejection says why
    if note is not None:
        assert result.note is not None and note in result.note
    else:
        assert expected is None or result.note is None or key == "ph"


def test_every_field_has_cases() -> None:
    assert {c[0] for c in CASES} == set(FIELDS)
    for key in FIELDS:
        assert any(c[3] is None for c in CASES if c[0] == key), f"no rejection case for {key}"


def test_phone_example_numbers_of_every_region_get_their_calling_code() -> None:
    """libphonenumber's own example numbers, written nationally, come out as E.164 digits."""
    import phonenumbers

    checked = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)[1:]
            ctx = Context(country=region.lower())
            result = FIELDS["ph"].normalize(national, ctx)
            assert result.value == e164, (region, national, result)
            assert FIELDS["ph"].normalize(result.value, ctx).value == e164, region
            assert FIELDS["ph"].normalize("+" + e164, Context()).value == e164, region
            checked += 1
    assert checked > 400
