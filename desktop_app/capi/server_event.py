"""Turn the snippet's mirror of a browser event into a Meta server event (pure, no I/O).

Two kinds of problems are told apart: a mirror that is structurally unusable (no event_name,
wrong types, user_data not an object) raises `EventShapeError` naming the field (the relay
answers 422); an event that breaks a Meta rule a person must fix (e.g. event_time more than
7 days old) is built anyway and returned with blocking findings (kept, not sent).
Server event parameters: https://developers.facebook.com/documentation/ads-commerce/conversions-api/parameters/server-event
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_app.capi.user_data import FieldTrace, hash_user_data
from desktop_app.capi.validation import Finding, validate_event

logger = logging.getLogger(__name__)

MAX_ID_LENGTH = 256
MAX_TEXT_LENGTH = 8192
MAX_EVENT_TIME = 10**15  # beyond any time in milliseconds: garbage, not a time
MILLISECONDS_FROM = 10**11  # seconds stay below this until the year 5138; validation flags it


class EventShapeError(ValueError):
    """The mirror cannot become an event; `field` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


_NUMBER = (int, float)
# field → (accepted Python types, required). Types are checked before anything else.
MIRROR_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "event_name": ((str,), True),
    "event_id": ((str, int), False),
    "event_time": (_NUMBER, False),
    "event_source_url": ((str,), False),
    "action_source": ((str,), False),
    "custom_data": ((dict,), False),
    "user_data": ((dict,), False),
    "fbp": ((str,), False),
    "fbc": ((str,), False),
    "referrer_url": ((str,), False),
    "pixel_id": ((str, int), False),
    "opt_out": ((bool,), False),
    "data_processing_options": ((list,), False),
    "data_processing_options_country": ((int,), False),
    "data_processing_options_state": ((int,), False),
    "test_event_code": ((str,), False),  # ignored: only the relay's settings decide this
}

# Friendly names the snippet or a site may use → Meta's user_data keys.
USER_DATA_ALIASES: dict[str, str] = {
    "email": "em",
    "phone": "ph",
    "first_name": "fn",
    "firstname": "fn",
    "last_name": "ln",
    "lastname": "ln",
    "city": "ct",
    "state": "st",
    "zip": "zp",
    "postal_code": "zp",
    "date_of_birth": "db",
    "dob": "db",
    "gender": "ge",
}
_USER_VALUE_TYPES = (str, int, float)
MAX_USER_VALUES = 20


@dataclass(slots=True)
class BuiltEvent:
    pixel_id: str
    event: dict[str, Any]  # the server event as it will be sent (hashed user data)
    findings: list[Finding] = field(default_factory=list)
    traces: list[FieldTrace] = field(default_factory=list)  # memory only: holds raw values

    @property
    def event_name(self) -> str:
        return str(self.event["event_name"])

    @property
    def event_id(self) -> str | None:
        value = self.event.get("event_id")
        return None if value is None else str(value)


def _types_ok(mirror: Mapping[str, Any]) -> bool:
    """One pass over the fields the mirror has: True when every known one has a right type.

    The relay runs this for every event; only a failing mirror pays for `_first_type_error`,
    which walks the table in its order so the error named is always the same one.
    """
    for name, value in mirror.items():
        spec = MIRROR_FIELDS.get(name)
        if spec is None or value is None:
            continue
        types = spec[0]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            return False
        if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
            return False
    return mirror.get("event_name") is not None


def _check_types(mirror: Mapping[str, Any]) -> None:
    if not _types_ok(mirror):
        _first_type_error(mirror)
    _check_values(mirror)


def _first_type_error(mirror: Mapping[str, Any]) -> None:
    for name, (types, required) in MIRROR_FIELDS.items():
        value = mirror.get(name)
        if value is None:
            if required:
                raise EventShapeError(name, "is required")
            continue
        if isinstance(value, bool) and bool not in types:
            raise EventShapeError(name, f"must be {_type_names(types)}, not a boolean")
        if not isinstance(value, types):
            raise EventShapeError(name, f"must be {_type_names(types)}")
        if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
            raise EventShapeError(name, f"is longer than {MAX_TEXT_LENGTH} characters")


def _check_values(mirror: Mapping[str, Any]) -> None:
    if not str(mirror["event_name"]).strip():
        raise EventShapeError("event_name", "must not be empty")
    if len(str(mirror["event_name"])) > MAX_ID_LENGTH:
        raise EventShapeError("event_name", f"is longer than {MAX_ID_LENGTH} characters")
    event_id = mirror.get("event_id")
    if event_id is not None and not 0 < len(str(event_id)) <= MAX_ID_LENGTH:
        raise EventShapeError("event_id", f"must be 1–{MAX_ID_LENGTH} characters")
    event_time = mirror.get("event_time")
    if event_time is not None and not 0 < float(event_time) < MAX_EVENT_TIME:
        raise EventShapeError("event_time", "must be a positive unix time in seconds")
    pixel_id = mirror.get("pixel_id")
    if pixel_id is not None and not str(pixel_id).isdigit():
        raise EventShapeError("pixel_id", "must be digits")
    options = mirror.get("data_processing_options") or []
    if not all(isinstance(o, str) for o in options):
        raise EventShapeError("data_processing_options", "must be a list of strings")


def _type_names(types: tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", dict: "an object"}
    names.update({list: "a list", bool: "a boolean"})
    return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in types))


def _raw_user_data(mirror: Mapping[str, Any]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for key, value in (mirror.get("user_data") or {}).items():
        if not isinstance(key, str):
            continue
        meta_key = USER_DATA_ALIASES.get(key.lower(), key)
        if type(value) is str:  # the common case, without building a list
            if not value:
                continue
            if len(value) > MAX_TEXT_LENGTH:
                raise EventShapeError(f"user_data.{key}", "value too long")
            raw[meta_key] = value
            continue
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        if len(values) > MAX_USER_VALUES:
            raise EventShapeError(f"user_data.{key}", f"has more than {MAX_USER_VALUES} values")
        for item in values:
            if isinstance(item, bool) or not isinstance(item, _USER_VALUE_TYPES):
                raise EventShapeError(f"user_data.{key}", "must be a string or list of strings")
            if isinstance(item, str) and len(item) > MAX_TEXT_LENGTH:
                raise EventShapeError(f"user_data.{key}", "value too long")
        converted = [str(v) for v in values]
        raw[meta_key] = converted if isinstance(value, list) else converted[0]
    return raw


def build_server_event(
    mirror: Any,
    *,
    default_pixel_id: str | None,
    client_ip: str | None,
    client_user_agent: str | None,
    now: float | None = None,
    default_country: str | None = None,
) -> BuiltEvent:
    """Mirror → server event with hashed user data, plus findings; raises `EventShapeError`."""
    if type(mirror) is not dict and not isinstance(mirror, Mapping):
        raise EventShapeError("event", "each event must be a JSON object")
    _check_types(mirror)
    now = time.time() if now is None else now
    pixel_id = str(mirror.get("pixel_id") or default_pixel_id or "")
    if not pixel_id:
        raise EventShapeError("pixel_id", "is required (the config has no pixel_id)")

    raw = _raw_user_data(mirror)
    # The relay, not the page, knows the client's address and browser.
    for key, value in (
        ("fbp", mirror.get("fbp")),
        ("fbc", mirror.get("fbc")),
        ("client_ip_address", client_ip),
        ("client_user_agent", client_user_agent),
    ):
        if value:
            raw[key] = value
    hashed = hash_user_data(raw, default_country=default_country)

    event_time = mirror.get("event_time")
    event_time_s = int(now) if event_time is None else int(event_time)
    if event_time_s < MILLISECONDS_FROM:
        # Browser clocks run ahead; Meta documents no tolerance for future times: clamp.
        event_time_s = min(event_time_s, int(now))
    event: dict[str, Any] = {
        "event_name": str(mirror["event_name"]),
        "event_time": event_time_s,
        "action_source": mirror.get("action_source") or "website",
        "user_data": hashed.user_data,
    }
    if mirror.get("event_id") is not None:
        event["event_id"] = str(mirror["event_id"])
    for key in (
        "event_source_url",
        "custom_data",
        "referrer_url",
        "opt_out",
        "data_processing_options",
        "data_processing_options_country",
        "data_processing_options_state",
    ):
        if mirror.get(key) is not None:
            event[key] = mirror[key]

    findings = list(validate_event(event, now=now))
    return BuiltEvent(pixel_id=pixel_id, event=event, findings=findings, traces=hashed.traces)
