"""`user_data` checks: hashed keys really hashed, pass-through keys untouched, enough to match.

Which keys are hashed and which never are:
https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
Combinations Meta cannot match (best practices,
https://developers.facebook.com/docs/marketing-api/conversions-api/best-practices): an event
whose customer information is one of them, or a subset of one, is rejected with 2804050.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Mapping
from typing import Any

from desktop_app.capi.cookies import (
    CookieKind,
    CookieProblem,
    creation_time_in_seconds,
    fbclid_case_problem,
    parse_fb_cookie,
)
from desktop_app.capi.fields import FIELDS, HASHED_KEYS, PASS_THROUGH_KEYS
from desktop_app.capi.findings import Finding, finding
from desktop_app.capi.hashing import as_prehashed, is_meta_ready_hash, is_sha256
from desktop_app.capi.user_data import HashedUserData

logger = logging.getLogger(__name__)

# Keys Meta requires hashed. external_id is hashed "recommended", raw allowed: not checked here.
MUST_BE_HASHED = ("em", "ph", "fn", "ln", "db", "ge", "ct", "st", "zp", "country")
NEVER_HASHED = (
    "client_ip_address",
    "client_user_agent",
    "subscription_id",
    "fb_login_id",
    "lead_id",
)

KNOWN_KEYS = frozenset(HASHED_KEYS) | frozenset(PASS_THROUGH_KEYS)

INSUFFICIENT_COMBINATIONS: tuple[frozenset[str], ...] = (
    frozenset({"ct", "country", "st", "zp", "ge", "client_user_agent"}),
    frozenset({"db", "client_user_agent"}),
    frozenset({"fn", "ge"}),
    frozenset({"ln", "ge"}),
)


_ENOUGH_ALONE = KNOWN_KEYS - frozenset().union(*INSUFFICIENT_COMBINATIONS)


def present_keys(user_data: Mapping[str, Any]) -> frozenset[str]:
    """Keys that carry at least one non-empty value."""
    keys: list[str] = []
    for key, value in user_data.items():
        if isinstance(value, list):
            for item in value:
                if item is not None and item != "":
                    keys.append(key)
                    break
        elif value is not None and value != "":
            keys.append(key)
    return frozenset(keys)


def _values(value: Any) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if item is not None and item != ""]


def check_user_data(
    user_data: Any, *, is_website: bool, landing_url: str | None = None
) -> list[Finding]:
    if type(user_data) is not dict and not isinstance(user_data, Mapping):
        return [finding("missing_user_data", "user_data")]
    present = present_keys(user_data)
    if not present:
        return [finding("missing_user_data", "user_data")]
    findings: list[Finding] = []
    # Runs for every event the relay takes in: only the keys present are looked at, and a
    # value already in Meta's form costs one regex match.
    for key in MUST_BE_HASHED:
        if key in present:
            value = user_data[key]
            for item in (value,) if isinstance(value, str) else _values(value):
                if not (isinstance(item, str) and is_meta_ready_hash(item)):
                    findings.extend(_check_hashed(f"user_data.{key}", item))
    for key in NEVER_HASHED:
        if key in present:
            value = user_data[key]
            items = (value,) if isinstance(value, str) else _values(value)
            for item in items:
                if isinstance(item, str) and is_sha256(item):
                    findings.append(finding("hashed_pass_through", f"user_data.{key}"))
    ip = user_data.get("client_ip_address")
    if ip and not (isinstance(ip, str) and is_sha256(ip)) and not _is_ip(ip):
        findings.append(finding("invalid_ip_address", "user_data.client_ip_address"))
    for kind in ("fbc", "fbp"):
        value = user_data.get(kind)
        if value is not None and value != "":
            findings.extend(_check_cookie(value, kind, landing_url))
    if is_website and not user_data.get("client_user_agent"):
        findings.append(finding("missing_client_user_agent", "user_data.client_user_agent"))
    keys = present & KNOWN_KEYS  # Meta ignores keys it does not know
    # One key outside every weak combination (an email, a phone, fbp…) is enough to match.
    if keys.isdisjoint(_ENOUGH_ALONE) and any(
        keys <= combination for combination in INSUFFICIENT_COMBINATIONS
    ):
        findings.append(
            finding(
                "insufficient_customer_information",
                "user_data",
                keys=", ".join(sorted(keys)) or "no key Meta knows",
            )
        )
    return findings


# What to do when a value of this key cannot be used; the default names the key's rule.
_DROPPED_FIX = {
    "ph": "Send the customer's country with the event (or set the relay's default country) "
    "so the calling code can be added, or send the number with +<calling code>.",
    "country": "Send an ISO 3166-1 code such as US or GB, or the country's English name.",
    "em": "Send the address exactly as the customer typed it, without spaces.",
}


def dropped_value_findings(hashed: HashedUserData) -> list[Finding]:
    """One warning per customer-data value `hash_user_data` could not use (no raw values)."""
    findings: list[Finding] = []
    for key, reasons in hashed.errors.items():
        rule = FIELDS[key]
        fix = _DROPPED_FIX.get(key, f"Check what the site sends as {rule.label}: {rule.rule}.")
        findings.extend(
            finding("value_not_sent", f"user_data.{key}", label=rule.label, reason=r, fix=fix)
            for r in dict.fromkeys(reasons)
        )
    return findings


def _check_hashed(field: str, item: Any) -> list[Finding]:
    if isinstance(item, str) and is_meta_ready_hash(item):
        return []
    if isinstance(item, str) and as_prehashed(item) is not None:
        return [finding("uppercase_hash", field)]
    return [finding("unhashed_value", field)]


def _is_ip(value: Any) -> bool:
    return isinstance(value, str) and _is_ip_text(value)


# One visitor's events share one address: parsing it once per address, not per event,
# matters on the relay's hot path.
@functools.lru_cache(maxsize=4096)
def _is_ip_text(value: str) -> bool:
    candidates = [value]
    head, dot, tail = value.rpartition(".")
    if dot and len(tail) in (2, 8):  # Parameter Builder appends `.{appendix}` to IPs too
        candidates.append(head)
    for candidate in candidates:
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            continue
        return True
    return False


# A visitor's fbp/fbc is the same on each of their events; the parsed form is immutable.
_parse_cookie_text = functools.lru_cache(maxsize=4096)(parse_fb_cookie)


def _check_cookie(value: Any, kind: str, landing_url: str | None) -> list[Finding]:
    field = f"user_data.{kind}"
    cookie_kind: CookieKind = "fbc" if kind == "fbc" else "fbp"
    parsed = (
        _parse_cookie_text(value, cookie_kind)
        if isinstance(value, str)
        else parse_fb_cookie(value, cookie_kind)
    )
    if isinstance(parsed, CookieProblem):
        return [finding(parsed.code, field, value=value, reason=parsed.reason)]
    findings: list[Finding] = []
    if creation_time_in_seconds(parsed):
        findings.append(finding("fbc_creation_in_seconds", field, value=parsed.creation_ms))
    if kind == "fbc":
        problem = fbclid_case_problem(parsed, landing_url)
        if problem:
            findings.append(finding("fbclid_case_changed", field, reason=problem))
    return findings
