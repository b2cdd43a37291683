"""What validation can say about an event, as one table: code → severity, Meta subcode, words.

Keeping every rule's wording, severity and Graph error subcode in one table lets the relay, the
sandbox and the views agree, and lets tests iterate over every code. Subcodes come from Graph
API error answers (https://developers.facebook.com/docs/graph-api/guides/error-handling);
2804003/2804050/2804019 are observed in real responses (reference §6). A `None` subcode means
Meta answers that problem with plain code 100 and no subcode.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any, Literal

logger = logging.getLogger(__name__)

Severity = Literal["error", "warning"]

SUBCODE_TOO_OLD = 2804003
SUBCODE_INSUFFICIENT_CUSTOMER_INFO = 2804050
SUBCODE_FIELD_VALIDATION = 2804019


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # stable id, e.g. "event_time_too_old"
    field: str  # dotted path, e.g. "user_data.em"
    message: str  # what is wrong, in plain words
    fix: str  # what to do about it
    severity: Severity = "error"
    graph_subcode: int | None = None  # Meta's error_subcode for this problem, when known

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Rule:
    severity: Severity
    subcode: int | None
    title: str  # short, like Meta's error_user_title
    message: str  # str.format template over the finding's details
    fix: str


_E: Severity = "error"
_W: Severity = "warning"
_FV = SUBCODE_FIELD_VALIDATION

# fmt: off
RULES: dict[str, Rule] = {
    # --- the event itself (server-event parameters page) ---
    "missing_event_name": Rule(_E, None, "Missing event name",
        "The event has no event_name.",
        "Give every event a standard Meta event name such as Purchase."),
    "missing_event_time": Rule(_E, None, "Missing event time",
        "The event has no event_time.",
        "Set event_time to the Unix time in seconds when the event happened."),
    "event_time_not_integer": Rule(_E, _FV, "Invalid event time",
        "event_time is {value!r}, not a Unix time in seconds.",
        "Send event_time as a whole number of seconds since 1970 (UTC)."),
    "event_time_in_milliseconds": Rule(_E, _FV, "Event time in milliseconds",
        "event_time {value} looks like milliseconds, not seconds.",
        "Divide the timestamp by 1000: Meta wants Unix seconds."),
    "event_time_too_old": Rule(_E, SUBCODE_TOO_OLD, "Event Timestamp Too Old",
        "The event happened {age} ago; Meta accepts events at most {limit} old.",
        "Send events within an hour of when they happen; events older than the limit "
        "cannot be sent at all."),
    "event_time_in_future": Rule(_E, _FV, "Event Timestamp In Future",
        "event_time is {ahead} in the future.",
        "Use the time the event happened; check the server clock."),
    "missing_action_source": Rule(_E, None, "Missing action source",
        "The event does not say where it happened (action_source).",
        "Set action_source, e.g. 'website' for events from a web site."),
    "invalid_action_source": Rule(_E, _FV, "Invalid action source",
        "action_source {value!r} is not one of Meta's values.",
        "Use one of: {allowed}."),
    "missing_event_source_url": Rule(_E, None, "Missing event source URL",
        "A website event needs event_source_url, the page where it happened.",
        "Send the full URL of the page (the Pixel's dl) as event_source_url."),
    "event_source_url_not_http": Rule(_W, None, "Odd event source URL",
        "event_source_url {value!r} is not an http(s) URL.",
        "Send the page's full URL, starting with https://."),
    "url_has_pb_appendix": Rule(_W, None, "URL with a Parameter Builder suffix",
        "{field} ends with a Parameter Builder appendix ({value!r}).",
        "Send the page URL without the '.AQ…' suffix that Meta's Parameter Builder adds."),
    "missing_client_user_agent": Rule(_E, None, "Missing browser user agent",
        "A website event needs user_data.client_user_agent.",
        "Send the browser's User-Agent header unchanged (never hashed)."),
    # --- user_data ---
    "missing_user_data": Rule(_E, SUBCODE_INSUFFICIENT_CUSTOMER_INFO,
        "Insufficient customer information",
        "The event carries no customer information (user_data).",
        "Send at least the browser's IP address, user agent, fbp/fbc cookies and, when known, "
        "a hashed email or phone."),
    "insufficient_customer_information": Rule(_E, SUBCODE_INSUFFICIENT_CUSTOMER_INFO,
        "Insufficient customer information",
        "The customer information ({keys}) is not enough for Meta to match anyone.",
        "Add an email, phone, external_id, fbp/fbc or the browser's IP address."),
    "unhashed_value": Rule(_E, _FV, "Customer data not hashed",
        "{field} carries a value that is not a SHA-256 hash.",
        "Normalize then hash it with SHA-256 (64 lowercase hex characters) before sending."),
    "value_not_sent": Rule(_W, None, "Customer data dropped",
        "A {label} value was not sent: {reason}.",
        "{fix}"),
    "uppercase_hash": Rule(_W, None, "Hash in uppercase",
        "{field} is a SHA-256 hash written in uppercase hex.",
        "Send hashes as lowercase hex."),
    "hashed_pass_through": Rule(_E, _FV, "Value must not be hashed",
        "{field} looks hashed, but Meta needs it as is.",
        "Send {field} unhashed; only em ph fn ln db ge ct st zp country external_id are hashed."),
    "invalid_ip_address": Rule(_E, _FV, "Invalid IP address",
        "client_ip_address is not an IPv4 or IPv6 address.",
        "Send the browser's real public IP address, unhashed."),
    "malformed_fbc": Rule(_W, None, "Malformed fbc",
        "fbc {value!r} is malformed: {reason}.",
        "Send the _fbc cookie unchanged: fb.<subdomain index>.<creation ms>.<fbclid>."),
    "malformed_fbp": Rule(_W, None, "Malformed fbp",
        "fbp {value!r} is malformed: {reason}.",
        "Send the _fbp cookie unchanged: fb.<subdomain index>.<creation ms>.<random digits>."),
    "fbclid_case_changed": Rule(_W, None, "fbclid case changed",
        "The fbclid in fbc {reason}; fbclid is case-sensitive.",
        "Never lowercase or uppercase fbc or the fbclid taken from the landing URL."),
    "fbc_creation_in_seconds": Rule(_W, None, "fbc/fbp time in seconds",
        "{field} creation time {value} looks like seconds, Meta wants milliseconds.",
        "Use the cookie's creation time in milliseconds."),
    # --- custom_data ---
    "value_not_number": Rule(_E, _FV, "Invalid value",
        "custom_data.value {value!r} is not a number.",
        "Send value as a number, e.g. 49.9."),
    "value_is_string": Rule(_W, None, "Value sent as text",
        "custom_data.value {value!r} is a string.",
        "Send value as a JSON number, not text."),
    "invalid_currency": Rule(_E, _FV, "Invalid currency",
        "custom_data.currency {value!r} is not an ISO 4217 code.",
        "Use a 3-letter ISO 4217 code such as USD or EUR."),
    "currency_without_value": Rule(_W, None, "Currency without value",
        "custom_data has a currency but no value.",
        "Send value together with currency."),
    "value_without_currency": Rule(_W, None, "Value without currency",
        "custom_data has a value but no currency.",
        "Send currency (ISO 4217) together with value."),
    "purchase_missing_value": Rule(_E, _FV, "Purchase without value or currency",
        "A Purchase event needs custom_data.value and custom_data.currency.",
        "Send the order total as value and its ISO 4217 currency."),
    "content_ids_not_list": Rule(_E, _FV, "content_ids must be a list",
        "custom_data.content_ids is {value!r}, not a list.",
        "Send content_ids as a JSON array of strings, e.g. [\"SKU-1\"]."),
    "contents_malformed": Rule(_E, _FV, "Malformed contents",
        "custom_data.contents must be a list of objects with an id ({reason}).",
        "Send contents as [{{\"id\": \"SKU-1\", \"quantity\": 1}}, ...]."),
    # --- data processing options (Limited Data Use) ---
    "dpo_not_list": Rule(_E, _FV, "Invalid data processing options",
        "data_processing_options {value!r} is not a list.",
        "Send [] or [\"LDU\"]."),
    "dpo_unknown_option": Rule(_E, _FV, "Unknown data processing option",
        "data_processing_options contains {value!r}.",
        "The only option is \"LDU\"; send [] or [\"LDU\"]."),
    "ldu_country_without_state": Rule(_E, _FV, "LDU state missing",
        "Limited Data Use sets a country but no data_processing_options_state.",
        "Send data_processing_options_state too (0 lets Meta geolocate, 1000 = California)."),
    "ldu_state_without_country": Rule(_E, _FV, "LDU country missing",
        "Limited Data Use sets a state but no data_processing_options_country.",
        "Send data_processing_options_country too (1 = US, 0 lets Meta geolocate)."),
    "ldu_needs_location": Rule(_W, None, "LDU without location",
        "Limited Data Use is on without country/state and without an IP address.",
        "Send client_ip_address, or data_processing_options_country and _state."),
    "opt_out_not_boolean": Rule(_W, None, "opt_out not boolean",
        "opt_out is {value!r}, not true/false.",
        "Send opt_out as a JSON boolean."),
    # --- the batch ---
    "empty_batch": Rule(_E, None, "No events",
        "The request carries no events.",
        "Send at least one event in data."),
    "batch_too_large": Rule(_E, None, "Too many events",
        "The request carries {count} events; Meta accepts at most {limit} per request.",
        "Split the events into requests of at most {limit}."),
    "event_not_object": Rule(_E, None, "Event is not an object",
        "Event is {value!r}, not a JSON object.",
        "Send each event as a JSON object."),
}
# fmt: on


def finding(code: str, field: str, **details: Any) -> Finding:
    """Build the finding for `code` from the table, filling its templates with `details`."""
    rule = RULES[code]
    details.setdefault("field", field)
    return Finding(
        code=code,
        field=field,
        message=rule.message.format(**details),
        fix=rule.fix.format(**details),
        severity=rule.severity,
        graph_subcode=rule.subcode,
    )
