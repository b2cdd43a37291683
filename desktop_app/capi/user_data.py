"""Turn raw customer data from the browser into Meta-ready `user_data`, showing the work.

Each hashed key goes through its normalizer (`fields.FIELDS`) and SHA-256; pass-through keys
(IP, user agent, fbc, fbp, …) are sent as received; pre-hashed values are lowercased and never
hashed twice. `traces` keep raw → normalized → sha256 per value for the UI: they hold raw
customer data and live in memory only, never in a file or a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

from mypy_extensions import mypyc_attr

# `hashing.sha256_hex` inlined (UTF-8 in, hex out). CPython's own SHA-256 (HACL*, in every
# CPython 3.12+ build unless configured out) gives the same digests as hashlib's OpenSSL one
# without OpenSSL's per-object context setup and copy: ~10 % less per hashed value.
try:
    from _sha2 import sha256 as _sha256  # type: ignore[import-not-found]
except ImportError:  # a CPython built without its own hashes: OpenSSL's
    from hashlib import sha256 as _sha256

from desktop_app.capi import normalize_fast, phone_fast, pure_speedups
from desktop_app.capi.fields import FIELDS, HASHED_KEYS, KEY_ALIASES, PASS_THROUGH_KEYS
from desktop_app.capi.hashing import as_prehashed
from desktop_app.capi.normalize import Context
from desktop_app.capi.normalize_region import country_code

logger = logging.getLogger(__name__)

__all__ = [
    "HASHED_KEYS",
    "PASS_THROUGH_KEYS",
    "FieldTrace",
    "HashedUserData",
    "clear_caches",
    "hash_user_data",
    "hash_value",
]


# Only text or None inside: no reference cycles, so mypyc need not track it for the cyclic
# garbage collector (a cold record builds five of these; the collector's passes over them
# were ~5 % of the time). No effect in pure Python.
@mypyc_attr(acyclic=True)
class FieldTrace:
    """raw → normalized → sha256 for one value; `raw` lives in memory only, never stored.

    Immutable, compared and hashed by value, like a frozen dataclass. Written out by hand
    because the hashing hot path is compiled by mypyc where a C compiler exists (setup.py),
    and a plain class is what mypyc builds in C; a frozen dataclass's generated `__init__`
    stays a Python function there. Frozen: mypyc makes `Final` attributes read-only; in pure
    Python, `pure_speedups.install_trace_init` adds the dataclass-style `__setattr__`.
    """

    __slots__ = ("error", "key", "normalized", "note", "raw", "sha256")  # CPython sorts them

    def __init__(  # noqa: PLR0917 (a dataclass's positional signature)
        self,
        key: str,
        raw: str,
        normalized: str | None,
        sha256: str | None,
        error: str | None = None,  # why the value was not sent
        note: str | None = None,  # a call the normalizer made (assumed country, ambiguous date…)
    ) -> None:
        self.key: Final = key
        self.raw: Final = raw
        self.normalized: Final = normalized
        self.sha256: Final = sha256
        self.error: Final = error
        self.note: Final = note

    def as_tuple(self) -> tuple[str, str, str | None, str | None, str | None, str | None]:
        return (self.key, self.raw, self.normalized, self.sha256, self.error, self.note)

    def __eq__(self, other: object) -> bool:
        if type(other) is not FieldTrace:
            return NotImplemented
        return self.as_tuple() == other.as_tuple()

    def __hash__(self) -> int:
        return hash(self.as_tuple())

    def __repr__(self) -> str:
        return (
            f"FieldTrace(key={self.key!r}, raw={self.raw!r}, normalized={self.normalized!r},"
            f" sha256={self.sha256!r}, error={self.error!r}, note={self.note!r})"
        )


def new_trace(  # noqa: PLR0917 (FieldTrace's own positional signature)
    key: str,
    raw: str,
    normalized: str | None,
    sha256: str | None,
    error: str | None = None,
    note: str | None = None,
) -> FieldTrace:
    """`FieldTrace(...)` for `hash_value`; pure Python swaps in a faster builder (below)."""
    return FieldTrace(key, raw, normalized, sha256, error, note)


class HashedUserData:
    """The result of `hash_user_data` (a plain class for mypyc, as `FieldTrace`)."""

    __slots__ = ("country", "errors", "ignored_keys", "traces", "user_data")

    def __init__(
        self,
        user_data: dict[str, Any] | None = None,
        traces: list[FieldTrace] | None = None,
        errors: dict[str, list[str]] | None = None,
        country: str | None = None,
        ignored_keys: list[str] | None = None,
    ) -> None:
        self.user_data: dict[str, Any] = {} if user_data is None else user_data  # for Meta
        # memory only: holds raw values
        self.traces: list[FieldTrace] = [] if traces is None else traces
        # key → reasons (no raw values)
        self.errors: dict[str, list[str]] = {} if errors is None else errors
        self.country = country  # the country the phone/zip/state/date rules used
        # keys Meta does not know
        self.ignored_keys: list[str] = [] if ignored_keys is None else ignored_keys

    def __eq__(self, other: object) -> bool:
        if type(other) is not HashedUserData:
            return NotImplemented
        return (
            self.user_data == other.user_data
            and self.traces == other.traces
            and self.errors == other.errors
            and self.country == other.country
            and self.ignored_keys == other.ignored_keys
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it was

    def __repr__(self) -> str:
        return (
            f"HashedUserData(user_data={self.user_data!r}, traces={self.traces!r},"
            f" errors={self.errors!r}, country={self.country!r},"
            f" ignored_keys={self.ignored_keys!r})"
        )

    def safe_summary(self) -> list[dict[str, Any]]:
        """Per value: key, hash, error, note. No raw or normalized value: safe to log/store."""
        return [
            {"key": t.key, "sha256": t.sha256, "error": t.error, "note": t.note}
            for t in self.traces
        ]


_KEY_ALIASES: Final = KEY_ALIASES
# Raw key (Meta's or an alias) → Meta's key, one lookup per value on the hot path.
_HASHED_KEY_OF: Final = {
    raw: KEY_ALIASES.get(raw, raw)
    for raw in (*FIELDS, *KEY_ALIASES)
    if KEY_ALIASES.get(raw, raw) in FIELDS
}
_PASS_THROUGH_KEY_OF: Final = {
    raw: KEY_ALIASES.get(raw, raw)
    for raw in (*PASS_THROUGH_KEYS, *KEY_ALIASES)
    if KEY_ALIASES.get(raw, raw) in PASS_THROUGH_KEYS
}
_HASH_LENGTH: Final = 64  # shorter text cannot be a SHA-256 hex digest
_CONTEXTS: Final[dict[str | None, Context]] = {}
_PASS_THROUGH: Final = frozenset(PASS_THROUGH_KEYS)


# The relay sees the same customer's data with every event of a visit; caching the pure
# normalize+hash step makes repeats ~free. Memory only, bounded: two generations of half the
# size each; when the young one is full it becomes the old one and the old one is dropped,
# so every value stays for at least `_CACHE_SIZE // 2` newer values (about 400 events'
# worth), and a value asked again is kept young. A generation maps country → text → trace:
# lookups by strings whose hash is cached allocate nothing; the same text for another key
# (`trace.key`) is a miss that replaces the entry. Compiled by mypyc, this costs less than
# calling an `lru_cache`; pure Python uses `lru_cache` instead (its C code is faster there;
# see the end of this module).
_CACHE_SIZE: Final = 4096
_Generation = dict[str | None, dict[str, FieldTrace]]
_young: _Generation = {}
_old: _Generation = {}
_young_size = 0


def hash_value(key: str, text: str, country: str | None = None) -> FieldTrace:
    """Normalize and hash one value of a hashed key (`country`: alpha-2 lowercase or None);
    memoized."""
    global _young, _old, _young_size  # noqa: PLW0603 (generations are swapped, not copied)
    young = _young.get(country)
    if young is not None:
        trace = young.get(text)
        if trace is not None and trace.key == key:
            return trace
    old = _old.get(country)
    trace = old.get(text) if old is not None else None
    if trace is None or trace.key != key:
        trace = _hash_value(key, text, country)
    if _young_size >= _CACHE_SIZE // 2:
        _old = _young
        _young = {}
        _young_size = 0
        young = None
    if young is None:
        young = _young[country] = {}
    young[text] = trace
    _young_size += 1
    return trace


def cached_values() -> int:
    """How many values `hash_value` remembers (tests)."""
    pure_cache_info = getattr(hash_value, "cache_info", None)  # pure Python: lru_cache
    if pure_cache_info is not None:
        return int(pure_cache_info().currsize)
    return sum(len(texts) for texts in _young.values()) + sum(len(texts) for texts in _old.values())


def _hash_value(key: str, text: str, country: str | None) -> FieldTrace:
    if len(text) < _HASH_LENGTH:  # too short to be a hash: try the tidy-case shortcut
        value = normalize_fast.shortcut(key, text, country)
        if value is not None:  # exactly what the full rule gives, with no error or note
            return new_trace(key, text, value, _sha256(value.encode()).hexdigest())
    else:
        prehashed = as_prehashed(text)
        if prehashed is not None:
            return new_trace(key, text, prehashed, prehashed, note="already hashed: sent as is")
    context = _CONTEXTS.get(country)
    if context is None:  # Context is frozen: one per country is shared by every call
        context = _CONTEXTS.setdefault(country, Context(country=country))
    result = FIELDS[key].normalize(text, context)
    if result.value is None:
        return new_trace(key, text, None, None, result.error or "unusable", result.note)
    value = result.value
    return new_trace(key, text, value, _sha256(value.encode()).hexdigest(), None, result.note)


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _items(value: Any) -> list[Any]:
    items = value if isinstance(value, (list, tuple)) else [value]
    return [item for item in items if item is not None and item != ""]


def _context_country(raw: Mapping[str, Any], default_country: str | None) -> str | None:
    """The event's own country when usable, else the configured default."""
    for key in ("country", "countryCode", "country_code"):
        value = raw.get(key)
        if value is None:  # the commonest case: the page sent no country at all
            continue
        if type(value) is str:
            code = country_code(value) if value else None
            if code:
                return code
            continue
        for item in _items(value):
            text = _as_text(item)
            code = country_code(text) if text else None
            if code:
                return code
    return country_code(default_country) if default_country else None


def clear_caches() -> None:
    """Forget every memoized value (tests, benchmarks, or when the app stops)."""
    global _young_size  # noqa: PLW0603
    _young.clear()
    _old.clear()
    _young_size = 0
    pure_cache_clear = getattr(hash_value, "cache_clear", None)  # pure Python: lru_cache
    if pure_cache_clear is not None:
        pure_cache_clear()
    country_code.cache_clear()
    phone_fast.parse.cache_clear()  # these hold phone digits too
    phone_fast.is_valid.cache_clear()


def hash_user_data(raw: Mapping[str, Any], *, default_country: str | None = None) -> HashedUserData:
    """Normalize and hash each hashed key; pass the others through untouched.

    `country` in the same record (or `default_country`) gives the phone calling code, the
    US/Canada state codes, the US ZIP rule and the day/month order of birth dates.
    """
    # Every event of a visit carries the same record; its values come from `hash_value`'s
    # cache. Memoizing whole records measured no faster: building a key for the record and
    # copying the result cost as much as the cached per-value lookups.
    # A dict (the relay's parsed JSON) is read as one: compiled by mypyc, iterating a value
    # typed `dict` skips the generic `items()` view and its tuples.
    record: dict[str, Any] = raw if type(raw) is dict else dict(raw)
    country = record.get("country")  # the common case of `_context_country`, inlined
    country = country_code(country) if type(country) is str and country else None
    if country is None:
        country = _context_country(record, default_country)
    user_data: dict[str, Any] = {}
    traces: list[FieldTrace] = []
    result = HashedUserData(user_data, traces, {}, country, [])
    for raw_key, value in record.items():
        if type(value) is str:  # the common case: one text value, without the list path
            key = _HASHED_KEY_OF.get(raw_key)
            if key is not None:
                if value:
                    trace = hash_value(key, value, country)
                    traces.append(trace)
                    digest = trace.sha256
                    if digest is None:
                        result.errors.setdefault(key, []).append(trace.error or "unusable")
                    else:
                        sent = user_data.get(key)
                        if sent is None:
                            user_data[key] = [digest]
                        elif digest not in sent:
                            sent.append(digest)
                continue
            key = _PASS_THROUGH_KEY_OF.get(raw_key)
            if key is not None:  # IP, user agent, fbp, fbc: text as received
                stripped = value.strip()
                if stripped:
                    user_data[key] = stripped
                continue
        key = _KEY_ALIASES.get(raw_key, raw_key)
        if key in _PASS_THROUGH:
            text = _as_text(value)
            if text is not None and text.strip():
                user_data[key] = text.strip()
            continue
        if key not in FIELDS:
            result.ignored_keys.append(raw_key)
            continue
        hashed: list[str] = []
        for item in _items(value):
            text = _as_text(item)
            trace = (
                hash_value(key, text, country)
                if text is not None
                else FieldTrace(key, repr(item), None, None, "not text")
            )
            traces.append(trace)
            if trace.sha256 is None:
                result.errors.setdefault(key, []).append(trace.error or "unusable")
            elif trace.sha256 not in hashed:  # Meta's SDK dedupes lists too
                hashed.append(trace.sha256)
        if hashed:  # "email" and "em" in one record end up under one key
            sent = user_data.setdefault(key, [])
            sent.extend(h for h in hashed if h not in sent)
    if result.errors:
        logger.debug("user_data keys not sent: %s", sorted(result.errors))
    return result


# Pure Python only (no C compiler at install time): `FieldTrace` made frozen like a dataclass,
# and built faster (pure_speedups.py). Compiled by mypyc it is a native class built in C, and
# the calls above are direct C calls that no module attribute can replace.
if not pure_speedups.is_compiled(_as_text):
    new_trace = pure_speedups.install_trace_init(FieldTrace)
    hash_value = lru_cache(maxsize=_CACHE_SIZE)(_hash_value)
