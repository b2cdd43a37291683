"""Turn raw customer data from the browser into Meta-ready `user_data`, showing the work.

Each hashed key goes through its normalizer (`fields.FIELDS`) and SHA-256; pass-through keys
(IP, user agent, fbc, fbp, …) are sent as received; pre-hashed values are lowercased and never
hashed twice. `traces` keep raw → normalized → sha256 per value for the UI: they hold raw
customer data and live in memory only, never in a file or a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import sha256 as _sha256  # inlined `hashing.sha256_hex` (UTF-8 in, hex out)
from typing import Any

from desktop_app.capi import normalize_fast, phone_fast
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


@dataclass(frozen=True, slots=True)
class FieldTrace:
    """raw → normalized → sha256 for one value; `raw` lives in memory only, never stored."""

    key: str
    raw: str
    normalized: str | None
    sha256: str | None
    error: str | None = None  # why the value was not sent
    note: str | None = None  # a call the normalizer made (assumed country, ambiguous date…)


# Speed: set the slots directly instead of through `object.__setattr__` (see the same
# change for `Normalized` in normalize.py); same arguments, defaults and instances.
_SET_KEY, _SET_RAW, _SET_NORMALIZED, _SET_SHA256, _SET_ERROR, _SET_NOTE = (
    FieldTrace.__dict__[name].__set__
    for name in ("key", "raw", "normalized", "sha256", "error", "note")
)


def _init_trace(  # noqa: PLR0917 (the dataclass's own positional signature)
    self: FieldTrace,
    key: str,
    raw: str,
    normalized: str | None,
    sha256: str | None,
    error: str | None = None,
    note: str | None = None,
) -> None:
    _SET_KEY(self, key)
    _SET_RAW(self, raw)
    _SET_NORMALIZED(self, normalized)
    _SET_SHA256(self, sha256)
    _SET_ERROR(self, error)
    _SET_NOTE(self, note)


GENERATED_TRACE_INIT = FieldTrace.__init__
FieldTrace.__init__ = _init_trace  # type: ignore[method-assign]


class _TraceBuilder:
    """Builds a `FieldTrace` in ~40 % of the time of `FieldTrace(...)`, for `hash_value`.

    Why: a cold customer record builds five traces. Any `__init__` of a frozen class must go
    through descriptor calls (above), while plain attribute stores on a class with the same
    slots are specialized by CPython 3.12. The instance then becomes a `FieldTrace`: the
    slots, their order and the base are the same, which is what `__class__` assignment
    requires, so the result is an ordinary frozen `FieldTrace` (tests/capi/test_fast_paths.py).
    """

    __slots__ = ("error", "key", "normalized", "note", "raw", "sha256")  # CPython sorts them

    def __init__(  # noqa: PLR0917 (FieldTrace's own positional signature)
        self,
        key: str,
        raw: str,
        normalized: str | None,
        sha256: str | None,
        error: str | None = None,
        note: str | None = None,
    ) -> None:
        self.key = key
        self.raw = raw
        self.normalized = normalized
        self.sha256 = sha256
        self.error = error
        self.note = note
        self.__class__ = FieldTrace  # type: ignore[assignment]  # noqa: PLE0237 (see above)


new_trace: Callable[..., FieldTrace] = _TraceBuilder  # type: ignore[assignment]


@dataclass(slots=True)
class HashedUserData:
    user_data: dict[str, Any] = field(default_factory=dict)  # ready for Meta
    traces: list[FieldTrace] = field(default_factory=list)  # memory only: holds raw values
    errors: dict[str, list[str]] = field(default_factory=dict)  # key → reasons (no raw values)
    country: str | None = None  # the country the phone/zip/state/date rules used
    ignored_keys: list[str] = field(default_factory=list)  # keys Meta does not know

    def safe_summary(self) -> list[dict[str, Any]]:
        """Per value: key, hash, error, note. No raw or normalized value: safe to log/store."""
        return [
            {"key": t.key, "sha256": t.sha256, "error": t.error, "note": t.note}
            for t in self.traces
        ]


_KEY_ALIASES = KEY_ALIASES
# Raw key (Meta's or an alias) → Meta's key, one lookup per value on the hot path.
_HASHED_KEY_OF = {
    raw: KEY_ALIASES.get(raw, raw)
    for raw in (*FIELDS, *KEY_ALIASES)
    if KEY_ALIASES.get(raw, raw) in FIELDS
}
_PASS_THROUGH_KEY_OF = {
    raw: KEY_ALIASES.get(raw, raw)
    for raw in (*PASS_THROUGH_KEYS, *KEY_ALIASES)
    if KEY_ALIASES.get(raw, raw) in PASS_THROUGH_KEYS
}
_HASH_LENGTH = 64  # shorter text cannot be a SHA-256 hex digest
_CONTEXTS: dict[str | None, Context] = {}
_PASS_THROUGH = frozenset(PASS_THROUGH_KEYS)
_SHORTCUTS = normalize_fast.BY_KEY  # key → tidy-case shortcut (normalize_fast.py)


# The relay sees the same customer's data with every event of a visit; caching the pure
# normalize+hash step makes repeats ~free. Memory only, bounded.
@lru_cache(maxsize=4096)
def hash_value(key: str, text: str, country: str | None = None) -> FieldTrace:
    """Normalize and hash one value of a hashed key (`country`: alpha-2 lowercase or None)."""
    if len(text) < _HASH_LENGTH:  # too short to be a hash: try the tidy-case shortcut
        value = _SHORTCUTS[key](text, country)
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
    hash_value.cache_clear()
    country_code.cache_clear()
    phone_fast.parse.cache_clear()  # these hold phone digits too
    phone_fast.is_valid.cache_clear()


_new_object = object.__new__


def hash_user_data(raw: Mapping[str, Any], *, default_country: str | None = None) -> HashedUserData:
    """Normalize and hash each hashed key; pass the others through untouched.

    `country` in the same record (or `default_country`) gives the phone calling code, the
    US/Canada state codes, the US ZIP rule and the day/month order of birth dates.
    """
    # Every event of a visit carries the same record; its values come from `hash_value`'s
    # cache. Memoizing whole records measured no faster: building a key for the record and
    # copying the result cost as much as the cached per-value lookups.
    country = raw.get("country")  # the common case of `_context_country`, inlined
    country = country_code(country) if type(country) is str and country else None
    if country is None:
        country = _context_country(raw, default_country)
    user_data: dict[str, Any] = {}
    traces: list[FieldTrace] = []
    # `HashedUserData(user_data, traces, {}, country, [])` without the generated __init__'s
    # default-factory checks (~0.15 µs of the ~4 µs an event with cached values costs).
    result = _new_object(HashedUserData)
    result.user_data = user_data
    result.traces = traces
    result.errors = {}
    result.country = country
    result.ignored_keys = []
    for raw_key, value in raw.items():
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
