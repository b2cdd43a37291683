"""Turn raw customer data from the browser into Meta-ready `user_data`, showing the work.

(Minimal version laid by the Foundation; the "Meta-exact customer data" issue completes it.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_app.capi.hashing import is_sha256, sha256_hex

HASHED_KEYS = ("em", "ph", "fn", "ln", "db", "ge", "ct", "st", "zp", "country", "external_id")
PASS_THROUGH_KEYS = (
    "client_ip_address",
    "client_user_agent",
    "fbc",
    "fbp",
    "subscription_id",
    "fb_login_id",
    "lead_id",
)


@dataclass(frozen=True, slots=True)
class FieldTrace:
    """raw → normalized → sha256 for one value; `raw` lives in memory only, never stored."""

    key: str
    raw: str
    normalized: str | None
    sha256: str | None
    error: str | None = None


@dataclass(slots=True)
class HashedUserData:
    user_data: dict[str, Any] = field(default_factory=dict)  # ready for Meta
    traces: list[FieldTrace] = field(default_factory=list)


def _normalize_minimal(key: str, value: str) -> tuple[str | None, str | None]:
    text = value.strip().lower()
    if key == "em" and ("@" not in text or " " in text):
        return None, "not an email address"
    if key == "ph":
        text = "".join(ch for ch in text if ch.isdigit()).lstrip("0")
    return (text or None), (None if text else "empty")


def hash_user_data(raw: Mapping[str, Any], *, default_country: str | None = None) -> HashedUserData:
    """Normalize and hash each hashed key; pass the others through untouched."""
    result = HashedUserData()
    for key, value in raw.items():
        if key in PASS_THROUGH_KEYS:
            if value not in (None, ""):
                result.user_data[key] = value
            continue
        if key not in HASHED_KEYS:
            continue
        values = value if isinstance(value, list) else [value]
        hashed: list[str] = []
        for item in values:
            text = str(item)
            if is_sha256(text):
                already = text.strip().lower()
                result.traces.append(FieldTrace(key, text, already, already))
                hashed.append(already)
                continue
            normalized, error = _normalize_minimal(key, text)
            digest = sha256_hex(normalized) if normalized else None
            result.traces.append(FieldTrace(key, text, normalized, digest, error))
            if digest:
                hashed.append(digest)
        if hashed:
            result.user_data[key] = hashed
    return result
