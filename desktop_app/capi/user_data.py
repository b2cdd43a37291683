"""Turn raw customer data from the browser into Meta-ready `user_data`, showing the work.

Each hashed key goes through its normalizer (`fields.FIELDS`) and SHA-256; pass-through keys
(IP, user agent, fbc, fbp, …) are sent as received; pre-hashed values are lowercased and never
hashed twice. `traces` keep raw → normalized → sha256 per value for the UI: they hold raw
customer data and live in memory only, never in a file or a log line.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from desktop_app.capi.fields import FIELDS, HASHED_KEYS, PASS_THROUGH_KEYS, meta_key
from desktop_app.capi.hashing import as_prehashed, sha256_hex
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


# The relay sees the same customer's data with every event of a visit; caching the pure
# normalize+hash step makes repeats ~free. Memory only, bounded.
@lru_cache(maxsize=4096)
def hash_value(key: str, text: str, country: str | None = None) -> FieldTrace:
    """Normalize and hash one value of a hashed key (`country`: alpha-2 lowercase or None)."""
    prehashed = as_prehashed(text)
    if prehashed is not None:
        return FieldTrace(key, text, prehashed, prehashed, note="already hashed: sent as is")
    result = FIELDS[key].normalize(text, Context(country=country))
    if result.value is None:
        return FieldTrace(key, text, None, None, result.error or "unusable", result.note)
    return FieldTrace(key, text, result.value, sha256_hex(result.value), None, result.note)


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
        for item in _items(raw.get(key)):
            text = _as_text(item)
            code = country_code(text) if text else None
            if code:
                return code
    return country_code(default_country) if default_country else None


# Every event of a visit carries the same raw record (the snippet keeps it for the session),
# so whole records are memoized too: memory only, bounded, each caller gets its own copy.
_RECORD_MEMO_SIZE = 1024
_record_memo: OrderedDict[Hashable, HashedUserData] = OrderedDict()
_memo_lock = threading.Lock()


def _memo_key(raw: Mapping[str, Any], default_country: str | None) -> Hashable | None:
    parts = tuple(
        (key, type(value).__name__, tuple(value) if isinstance(value, list) else value)
        for key, value in raw.items()
    )
    key = (default_country, parts)
    try:
        hash(key)
    except TypeError:  # a dict or nested list somewhere: not worth memoizing
        return None
    return key


def _copy(result: HashedUserData) -> HashedUserData:
    return HashedUserData(
        user_data={k: list(v) if isinstance(v, list) else v for k, v in result.user_data.items()},
        traces=list(result.traces),
        errors={k: list(v) for k, v in result.errors.items()},
        country=result.country,
        ignored_keys=list(result.ignored_keys),
    )


def clear_caches() -> None:
    """Forget every memoized value (tests, benchmarks, or when the app stops)."""
    with _memo_lock:
        _record_memo.clear()
    hash_value.cache_clear()


def hash_user_data(raw: Mapping[str, Any], *, default_country: str | None = None) -> HashedUserData:
    """Normalize and hash each hashed key; pass the others through untouched.

    `country` in the same record (or `default_country`) gives the phone calling code, the
    US/Canada state codes, the US ZIP rule and the day/month order of birth dates.
    """
    memo_key = _memo_key(raw, default_country)
    if memo_key is not None:
        with _memo_lock:  # the relay may hash from worker threads
            known = _record_memo.get(memo_key)
            if known is not None:
                _record_memo.move_to_end(memo_key)
                return _copy(known)
    result = _hash_record(raw, default_country)
    if memo_key is not None:
        with _memo_lock:
            _record_memo[memo_key] = _copy(result)
            while len(_record_memo) > _RECORD_MEMO_SIZE:
                _record_memo.popitem(last=False)
    return result


def _hash_record(raw: Mapping[str, Any], default_country: str | None) -> HashedUserData:
    country = _context_country(raw, default_country)
    result = HashedUserData(country=country)
    for raw_key, value in raw.items():
        key = meta_key(raw_key)
        if key in PASS_THROUGH_KEYS:
            text = _as_text(value)
            if text is not None and text.strip():
                result.user_data[key] = text.strip()
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
            result.traces.append(trace)
            if trace.sha256 is None:
                result.errors.setdefault(key, []).append(trace.error or "unusable")
            elif trace.sha256 not in hashed:  # Meta's SDK dedupes lists too
                hashed.append(trace.sha256)
        if hashed:  # "email" and "em" in one record end up under one key
            sent = result.user_data.setdefault(key, [])
            sent.extend(h for h in hashed if h not in sent)
    if result.errors:
        logger.debug("user_data keys not sent: %s", sorted(result.errors))
    return result
