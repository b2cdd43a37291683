"""Every worked example on Meta's customer-information page reproduces exactly.

https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
The expected digests were recomputed with hashlib (not copied from our code) and agree with
the prefixes/suffixes printed on Meta's page (reference §3).
"""

from __future__ import annotations

import hashlib

import pytest

from desktop_app.capi.user_data import hash_user_data, hash_value

# (key, docs input, country for the rules, normalized, sha256, docs' printed prefix…suffix)
EXAMPLES = [
    ("em", "John_Smith@gmail.com", None, "john_smith@gmail.com",
     "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f", ("62a14e44", "0f62f")),
    ("ph", "(650)555-1212", "us", "16505551212",
     "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176", ("e323ec62", "b3176")),
    ("fn", "Mary", None, "mary",
     "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec", ("6915771b", "")),
    ("ln", "정", None, "정",
     "8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14", ("8fa8cd9c", "")),
    ("fn", "Valéry", None, "valéry",
     "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c", ("08e1996b", "")),
    ("db", "2/16/1997", None, "19970216",
     "01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c", ("01acdbf6", "40f0c")),
    ("country", "United States", None, "us",
     "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621", ("79adb2a2", "04621")),
]  # fmt: skip

# Examples the page gives without a hash: already-normalized values stay as they are.
NORMALIZED_EXAMPLES = [
    ("ct", "newyork"), ("ct", "paris"), ("ct", "london"), ("st", "ca"), ("st", "az"),
    ("zp", "94035"), ("zp", "m11ae"), ("zp", "75018"), ("zp", "1987"), ("ge", "f"), ("ge", "m"),
]  # fmt: skip


Example = tuple[str, str, str | None, str, str, tuple[str, str]]


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e[0]}:{e[1]}" for e in EXAMPLES])
def test_docs_example(example: Example) -> None:
    key, raw, country, normalized, digest, printed = example
    assert hashlib.sha256(normalized.encode("utf-8")).hexdigest() == digest
    assert digest.startswith(printed[0]) and digest.endswith(printed[1])
    trace = hash_value(key, raw, country)
    assert (trace.normalized, trace.sha256, trace.error) == (normalized, digest, None)


def test_docs_phone_example_through_the_record_country() -> None:
    """The relay path: the calling code comes from the event's own `country`."""
    result = hash_user_data({"ph": "(650)555-1212", "country": "United States"})
    assert result.user_data["ph"] == [EXAMPLES[1][4]]
    assert result.user_data["country"] == [EXAMPLES[6][4]]


@pytest.mark.parametrize(("key", "value"), NORMALIZED_EXAMPLES)
def test_docs_normalized_examples_are_fixed_points(key: str, value: str) -> None:
    country = "us" if key == "st" else None
    assert hash_value(key, value, country).normalized == value
