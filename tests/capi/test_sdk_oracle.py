"""Oracle: on ordinary input we agree with Meta's own SDK (facebook-business), and we differ
exactly where reference §9 says Meta's docs and the SDK disagree.
"""

from __future__ import annotations

import pytest

normalize = pytest.importorskip("facebook_business.adobjects.serverside.normalize")
Normalize = normalize.Normalize

from desktop_app.capi.user_data import hash_value  # noqa: E402

AGREE = [
    ("em", "John_Smith@gmail.com"),
    ("em", " ANN.Lee+news@Example.org"),
    ("fn", "Mary"),
    ("ln", "Valéry"),
    ("ct", "paris"),
    ("st", "ca"),
    ("zp", "94035"),
    ("zp", "SW1A 1AA"),
    ("country", "US"),
    ("ge", "f"),
    ("ph", "+1 (650) 555-1212"),
    ("db", "19970216"),
]
# Where we follow Meta's docs instead of its SDK (docs/hashing.md).
DIFFER = [
    ("ph", "(650)555-1212", "us", "16505551212"),  # SDK forgets the calling code
    ("db", "2/16/1997", None, "19970216"),  # SDK hashes the date verbatim
    ("ln", "O'Brien", None, "obrien"),  # SDK keeps punctuation
    ("st", "California", "us", "ca"),  # SDK does not map state names
    ("zp", "940351234", "us", "94035"),  # SDK keeps 9 digits
]


@pytest.mark.parametrize(("key", "value"), AGREE)
def test_we_agree_with_the_sdk_on_ordinary_input(key: str, value: str) -> None:
    assert hash_value(key, value, None).sha256 == Normalize.normalize_field(key, value)


@pytest.mark.parametrize(("key", "value", "country", "ours"), DIFFER)
def test_we_follow_the_docs_where_the_sdk_differs(
    key: str, value: str, country: str | None, ours: str
) -> None:
    trace = hash_value(key, value, country)
    assert trace.normalized == ours
    assert trace.sha256 != Normalize.normalize_field(key, value)
