"""Per-field normalizers for text-like customer data: email, names, city, gender, zip, ids.

Rules: https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
Each normalizer takes the raw text and a `Context` (the event's country, today's date) and
returns `Normalized`: the value to hash, or the reason it cannot be used, plus a note when
the normalizer had to make a call (ambiguous date, assumed country…). Where Meta's docs and
Meta's libraries disagree we follow the docs and Meta's worked examples; each such choice is
marked "CHOICE" here and listed in docs/hashing.md.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final

from mypy_extensions import mypyc_attr

from desktop_app.capi import pure_speedups

logger = logging.getLogger(__name__)


# Only text or None inside: no reference cycles, so mypyc need not track it for the cyclic
# garbage collector (a cold record builds five of these; the collector's passes over them
# were ~5 % of the time). No effect in pure Python.
@mypyc_attr(acyclic=True)
class Normalized:
    """What a normalizer returns. Immutable, compared and hashed by value, like a frozen
    dataclass; a plain class so that mypyc builds it in C (see `user_data.FieldTrace`)."""

    __slots__ = ("error", "note", "value")

    def __init__(
        self,
        value: str | None,  # what gets hashed; None when the input is unusable
        error: str | None = None,  # why it is unusable, in plain words
        note: str | None = None,  # a call the normalizer made that the user should see
    ) -> None:
        self.value: Final = value
        self.error: Final = error
        self.note: Final = note

    def __eq__(self, other: object) -> bool:
        if type(other) is not Normalized:
            return NotImplemented
        return (self.value, self.error, self.note) == (other.value, other.error, other.note)

    def __hash__(self) -> int:
        return hash((self.value, self.error, self.note))

    def __repr__(self) -> str:
        return f"Normalized(value={self.value!r}, error={self.error!r}, note={self.note!r})"


# Not slotted: mypyc compiles a slotted dataclass as a plain Python class.
@dataclass(frozen=True)
class Context:
    country: str | None = None  # ISO alpha-2 lowercase, from the event or the default
    today: date | None = None  # for date-of-birth bounds; None = the real today


def fail(reason: str) -> Normalized:
    return Normalized(None, reason)


# Unicode general categories removed from names and places: punctuation (P*), symbols (S*),
# separators/spaces (Z*) and control/format/unassigned (C*; this covers zero-width spaces).
# Letters (L*), marks (M*, needed by Devanagari, Thai, decomposed accents) and digits stay.
_DROPPED_CATEGORIES: Final = frozenset("PSZC")
_NOT_ASCII_ALNUM: Final = re.compile(r"[^0-9a-z]+")


def squeeze_letters(text: str) -> str:
    """NFC, lowercase, without punctuation, symbols, spaces or invisible characters.

    CHOICE: NFC first, so `Vale\\u0301ry` (decomposed) hashes like Meta's `valéry` example.
    """
    if text.isascii():  # fast path: NFC changes no ASCII text; keep [0-9a-z] only
        # Spaces and dashes (names, ZIP codes) go without the regex, ~4x faster: what is left
        # of ASCII text is [0-9a-z] exactly when it is `isalnum()`.
        compact = text.lower().replace(" ", "").replace("-", "")
        return compact if compact.isalnum() else _NOT_ASCII_ALNUM.sub("", compact)
    text = unicodedata.normalize("NFC", text).lower()
    if text.isascii():  # fast path: the common case needs no per-character lookup
        return "".join(ch for ch in text if ch.isalnum())
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] not in _DROPPED_CATEGORIES)
    # Again: removing a character can leave combining marks out of canonical order.
    return unicodedata.normalize("NFC", kept)


# --- em --------------------------------------------------------------------------------------
_INVISIBLE: Final = re.compile(r"[\s\u200b-\u200f\u2060\ufeff\u00ad]")


def normalize_email(text: str, ctx: Context) -> Normalized:
    """Trim and lowercase (docs). CHOICE: reject what cannot be a deliverable address
    (inner spaces, zero-width characters, no `local@domain.tld`) instead of hashing garbage,
    like Meta's Parameter Builder; unlike it, accept non-ASCII (internationalized) addresses.
    """
    email = text.strip().lower()
    if email.startswith("mailto:"):
        email = email[len("mailto:") :]
    if not email:
        return fail("empty")
    if _INVISIBLE.search(email):
        return fail("an email address cannot contain spaces or invisible characters")
    local, at, domain = email.rpartition("@")
    labels = domain.split(".")
    if not at or not local or len(labels) < 2 or not all(labels):
        return fail("not an email address (expected name@domain.tld)")
    quoted = len(local) > 1 and local.startswith('"') and local.endswith('"')
    if "@" in local.replace("\\@", "") and not quoted:
        return fail("an email address has one @ (outside quotes)")
    return Normalized(email)


# --- fn, ln, ct --------------------------------------------------------------------------------
def normalize_name(text: str, ctx: Context) -> Normalized:
    """Lowercase, punctuation and spaces removed, accents and non-Latin letters kept (docs:
    `Mary`→`mary`, `정`→`정`, `Valéry`→`valéry`). CHOICE: like Meta's Parameter Builder we
    remove spaces and hyphens (`Mary Ann`→`maryann`); unlike it we also remove `’`.
    """
    name = squeeze_letters(text)
    return Normalized(name) if name else fail("no letters left after removing punctuation")


def normalize_city(text: str, ctx: Context) -> Normalized:
    """Lowercase without punctuation, special characters or spaces; UTF-8 allowed (docs).

    CHOICE: accents and non-Latin letters are kept (`Zürich`→`zürich`) as the docs allow;
    Meta's Parameter Builder drops them (`zrich`), the Python SDK keeps them.
    """
    city = squeeze_letters(text)
    return Normalized(city) if city else fail("no letters left after removing punctuation")


# --- ge ----------------------------------------------------------------------------------------
# Meta accepts only `f` and `m`. Common words in the languages of Meta's largest markets.
GENDER_WORDS: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("f", "female", "woman", "women", "girl", "w", "mrs", "ms", "miss", "femme",
         "féminin", "feminin", "frau", "weiblich", "mujer", "femenino", "femenina",
         "donna", "femmina", "feminino", "mulher", "vrouw"),
        "f",
    ),
    **dict.fromkeys(
        ("m", "male", "man", "men", "boy", "mr", "homme", "masculin", "herr", "mann",
         "männlich", "maennlich", "hombre", "masculino", "uomo", "maschio", "homem"),
        "m",
    ),
}  # fmt: skip


def normalize_gender(text: str, ctx: Context) -> Normalized:
    word = squeeze_letters(text)
    gender = GENDER_WORDS.get(word)
    if gender is None:
        return fail("Meta accepts only f or m for gender")
    return Normalized(gender)


# --- zp ----------------------------------------------------------------------------------------
_US_ZIP: Final = re.compile(r"(\d{5})(?:-?\d{4})?")
US_ZIP_COUNTRIES: Final = frozenset({"us", "pr", "gu", "vi", "as", "mp"})  # USPS ZIP codes


def normalize_zip(text: str, ctx: Context) -> Normalized:
    """Lowercase, no spaces, no dash; US: first 5 digits (docs: `94035`, UK `m11ae`).

    CHOICE: a US ZIP+4 without the dash (`940351234`) is cut to 5 digits too, and a value
    shaped like a US ZIP is treated as one when the country is unknown. Neither Meta library
    does that; both send the 9 digits, which cannot match.
    """
    compact = squeeze_letters(text)
    if not compact:
        return fail("empty")
    us_shape = _US_ZIP.fullmatch(compact)
    if ctx.country in US_ZIP_COUNTRIES:
        if us_shape is None:
            return fail("a US ZIP code has 5 digits (or 5+4)")
        return Normalized(us_shape.group(1))
    if ctx.country is None and us_shape is not None:
        note = "country unknown; read as a US ZIP code" if len(compact) > 5 else None
        return Normalized(us_shape.group(1), note=note)
    return Normalized(compact)


# --- external_id ---------------------------------------------------------------------------------
def normalize_external_id(text: str, ctx: Context) -> Normalized:
    """CHOICE (one rule for snippet and relay): remove all whitespace, lowercase, then hash —
    what Meta's Parameter Builder does, so the Pixel and the server send the same hash.
    """
    ident = "".join(text.split()).lower()
    return Normalized(ident) if ident else fail("empty")


# Pure Python only (no C compiler at install time): the generated frozen `__init__` sets each
# field through `object.__setattr__`, a tenth of the cost of hashing a record; see
# pure_speedups.py. Compiled by mypyc, `Normalized` is a native class built in C.
if not pure_speedups.is_compiled(squeeze_letters):
    pure_speedups.install_normalized_init(Normalized)
