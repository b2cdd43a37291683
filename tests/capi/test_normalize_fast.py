"""Every tidy-case shortcut (`capi/normalize_fast.py`) answers exactly like its full rule.

A shortcut may decline (None: the full rule runs); when it answers, the full rule must give
that same value with no error and no note. Inputs: random text, text shaped like what shops
send, libphonenumber's example numbers of every region in the usual written forms, and the
benchmark's own records. Each shortcut must also actually take the common forms.
"""

from __future__ import annotations

from datetime import date, timedelta

import phonenumbers
import pytest
from capi.phone_forms import examples, formatted
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bench_hashing import make_records
from desktop_app.capi import normalize_fast
from desktop_app.capi.fields import FIELDS
from desktop_app.capi.normalize import Context, Normalized
from desktop_app.capi.normalize_region import country_code
from desktop_app.capi.user_data import clear_caches, hash_value

COUNTRIES = [None, "", "us", "ca", "pr", "gb", "de", "fr", "it", "br", "in", "au", "ar", "mx"]
COUNTRIES += ["jp", "ch", "nl", "sg", "ci", "ru", "za", "US", "GB", "xx", "zz"]
SHAPED = [
    " Mary.Smith42@Example.com ", "John_Smith@gmail.com", "o'brien+tag@mail.co.uk",
    "mailto:a@b.co", "a@b", "a@@b.co", "@b.co", "a@.co", "a@b..co", '"a@b"@c.de', "a b@c.de",
    "a\u200b@b.co", "jürgen@bücher.de", "\u212aelvin@x.org", "a@b.co\n", "A@B.CO.",
    "(650)555-1212", "+1 650 253 0000", "06 12 34 56 78", "07911 123456", "+49 151 1234567",
    "+44 20 7946 0958", "0044 20 7946 0958", "011 44 20 7946 0958", "16505551212", "+1",
    "(212) 555-0100", "+1 (650) 253-0000", "650.253.0000", "+33 6 12 34 56 78", "1-800-FLOWERS",
    "+1 650 253 0000 ext. 12", "tel:+16502530000", "+ 1 650 253 0000", "(+1) 650 253 0000",
    "1997-02-16", "19970216", "02161997", "16021997", "1997-2-16", "1997-02-30", "1899-12-31",
    "2/16/1997", "16.02.1997", "1997/02/16", "1997-02-16T10:00", " 1997-02-16 ", "00000000",
    "Mary", "Anne-Sophie", "O'Brien", "Zoë", "Valéry", "정", " ", "-", "New York",
    "California", "CA", "US-CA", "us - ny", "Bayern", "Québec", "QC", "Washington DC", "ON",
    "94035", "94035-1234", "940351234", "9403", "SW1A 1AA", "m1 1ae", "K1A 0B1", "10115",
    "United States", "USA", "UK", "gb", "Deutschland", "Narnia", "f", "Female", "M", "x",
    "cust-0000042", " User 42 ", "ＡＢＣ", "", "0", "12345",
]  # fmt: skip


def _check(key: str, text: str, country: str | None) -> str | None:
    value = normalize_fast.BY_KEY[key](text, country)
    assert normalize_fast.shortcut(key, text, country) == value  # the direct-call dispatch
    if value is not None:
        assert FIELDS[key].normalize(text, Context(country=country)) == Normalized(value), (
            key,
            text,
            country,
        )
    return value


@pytest.mark.parametrize("key", sorted(FIELDS))
def test_shaped_values_give_the_full_rules_answer(key: str) -> None:
    for text in SHAPED:
        for country in COUNTRIES:
            _check(key, text, country)


@settings(max_examples=400, deadline=None)
@given(
    key=st.sampled_from(sorted(FIELDS)),
    text=st.one_of(
        st.text(max_size=30),
        st.text("0123456789 ().-+", max_size=20),
        st.text("abcdefgxyzABZ09@._-'+ ", max_size=30),
        st.text('aZ9éÜ정\u212a@@..:-"\\ \t\n\u200b\u00ad\u2060\ufeff\u3000', max_size=20),
        st.sampled_from(SHAPED),
    ),
    country=st.sampled_from(COUNTRIES),
)
def test_generated_values_give_the_full_rules_answer(
    key: str, text: str, country: str | None
) -> None:
    _check(key, text, country)


@settings(max_examples=300, deadline=None)
@given(
    born=st.dates(min_value=date(1890, 1, 1), max_value=date.today() + timedelta(days=400)),
    form=st.sampled_from(["%Y%m%d", "%Y-%m-%d", "%d%m%Y", "%m%d%Y", "%Y-%m-%d ", "%Y.%m.%d"]),
)
def test_birth_dates_give_the_full_rules_answer(born: date, form: str) -> None:
    text = born.strftime(form)
    for country in ("us", "de", None):
        _check("db", text, country)


@pytest.mark.parametrize("region", sorted(phonenumbers.SUPPORTED_REGIONS))
def test_example_phone_numbers_give_the_full_rules_answer(region: str) -> None:
    forms: list[str] = []
    for example in examples(region):
        for text, digits in formatted(example):
            forms += [text, text.replace(" ", "-"), f"({digits[:3]}) {digits[3:]}", digits]
            forms += [text[:-1], text + "5", text[:-1] + str((int(text[-1]) + 1) % 10)]
    for text in forms:
        for country in (region.lower(), "us", "gb", None):
            _check("ph", text, country)


@settings(max_examples=300, deadline=None)
@given(
    plus=st.booleans(),
    parts=st.lists(
        st.tuples(
            st.text("0123456789", min_size=1, max_size=4),
            st.sampled_from(["", " ", "-", ".", "(", ")", "  "]),
        ),
        max_size=6,
    ),
    country=st.sampled_from(["us", "ca", "gb", "de", "fr", "it", "br", "ar", "mx", "ru", "jp"]),
)
def test_generated_phone_numbers_give_the_full_rules_answer(
    plus: bool, parts: list[tuple[str, str]], country: str
) -> None:
    text = ("+" if plus else "") + "".join(digits + sep for digits, sep in parts)
    _check("ph", text, country)


def test_the_shortcuts_take_the_common_forms() -> None:
    """Without this a shortcut that always declines would pass every test above."""
    expected = {
        ("em", " Mary.Smith42@Example.com ", "us"): "mary.smith42@example.com",
        ("ph", "(650) 253-0000", "us"): "16502530000",
        ("ph", "+1 650 253 0000", "us"): "16502530000",
        ("ph", "06 12 34 56 78", "fr"): "33612345678",
        ("ph", "+49 151 12345678", "de"): "4915112345678",
        ("fn", "Anne-Sophie", "fr"): "annesophie",
        ("db", "1997-02-16", "us"): "19970216",
        ("db", "19970216", "de"): "19970216",
        ("ge", "Female", None): "f",
        ("ct", "Mountain View", "us"): "mountainview",
        ("st", "California", "us"): "ca",
        ("st", "Bayern", "de"): "bayern",
        ("zp", "94035-1234", "us"): "94035",
        ("zp", "SW1A 1AA", "gb"): "sw1a1aa",
        ("country", "United States", None): "us",
        ("external_id", " Cust 42 ", None): "cust42",
    }
    for (key, text, country), value in expected.items():
        assert _check(key, text, country) == value, (key, text)


def test_benchmark_records_take_the_shortcuts_and_hash_identically() -> None:
    records = make_records(500)
    declined: dict[str, int] = dict.fromkeys(FIELDS, 0)
    for record in records:
        country = country_code(record["country"])
        for key in FIELDS:
            declined[key] += _check(key, record[key], country) is None
    # Non-ASCII names and places (Zoë, München) go to the full rule, once per spelling; the
    # values each customer has alone must take the shortcut, except phone numbers that
    # libphonenumber says are not in service (~13 %), which the full rule checks twice.
    assert declined["em"] == declined["db"] == declined["zp"] == declined["external_id"] == 0
    assert declined["ph"] < 0.2 * len(records)
    clear_caches()
    for record in records[:100]:
        country = country_code(record["country"])
        for key in FIELDS:
            trace = hash_value(key, record[key], country)
            full = FIELDS[key].normalize(record[key], Context(country=country))
            assert (trace.normalized, trace.note) == (full.value, full.note)


def test_every_calendar_edge_gives_the_full_rules_answer() -> None:
    """Month/day 0-13/0-32 in leap and common years, the 1900 boundary, and every day from
    last year to next year (the future cut-off), in both shortcut forms."""
    texts = [
        f"{year:04d}{sep}{month:02d}{sep}{day:02d}"
        for year in (1899, 1900, 1999, 2000, 2023, 2024, date.today().year)
        for month in range(14)
        for day in range(33)
        for sep in ("", "-")
    ]
    day = date(date.today().year - 1, 1, 1)
    while day.year <= date.today().year + 1:
        texts += [day.strftime("%Y%m%d"), day.strftime("%Y-%m-%d")]
        day += timedelta(days=1)
    taken = sum(_check("db", text, "de") is not None for text in texts)
    assert taken > len(texts) // 3
