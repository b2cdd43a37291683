"""`custom_data` and Limited Data Use checks.

custom_data fields: https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/custom-data
(value and currency are required for Purchase). Data processing options:
https://developers.facebook.com/docs/marketing-apis/data-processing-options
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

import pycountry

from desktop_app.capi.findings import Finding, finding

logger = logging.getLogger(__name__)

DATA_PROCESSING_OPTIONS = ("LDU",)
EVENTS_REQUIRING_VALUE = ("Purchase",)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_numeric_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


@functools.cache
def _iso_currency_codes() -> frozenset[str]:
    # Built once: a pycountry lookup per event was a measurable share of relay ingest.
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def is_iso_currency(code: Any) -> bool:
    return (
        isinstance(code, str)
        and len(code) == 3
        and code.isalpha()
        and code.upper() in _iso_currency_codes()
    )


def check_custom_data(custom_data: Any, event_name: str) -> list[Finding]:
    data: Mapping[str, Any] = custom_data if isinstance(custom_data, Mapping) else {}
    findings: list[Finding] = []
    value, currency = data.get("value"), data.get("currency")
    has_value, has_currency = value not in (None, ""), currency not in (None, "")
    if has_value and not _is_number(value):
        code = "value_is_string" if _is_numeric_text(value) else "value_not_number"
        findings.append(finding(code, "custom_data.value", value=value))
    if has_currency and not is_iso_currency(currency):
        findings.append(finding("invalid_currency", "custom_data.currency", value=currency))
    if event_name in EVENTS_REQUIRING_VALUE and not (has_value and has_currency):
        findings.append(finding("purchase_missing_value", "custom_data"))
    elif has_currency and not has_value:
        findings.append(finding("currency_without_value", "custom_data.value"))
    elif has_value and not has_currency:
        findings.append(finding("value_without_currency", "custom_data.currency"))
    content_ids = data.get("content_ids")
    if content_ids is not None and not isinstance(content_ids, list):
        findings.append(
            finding("content_ids_not_list", "custom_data.content_ids", value=content_ids)
        )
    contents = data.get("contents")
    if contents is not None:
        reason = _contents_problem(contents)
        if reason:
            findings.append(finding("contents_malformed", "custom_data.contents", reason=reason))
    return findings


def _contents_problem(contents: Any) -> str | None:
    if not isinstance(contents, list):
        return "it is not a list"
    for index, item in enumerate(contents):
        if not isinstance(item, Mapping):
            return f"item {index} is not an object"
        if item.get("id") in (None, ""):
            return f"item {index} has no id"
    return None


def check_processing_options(event: Mapping[str, Any]) -> list[Finding]:
    options = event.get("data_processing_options")
    if options is None:
        return []
    if not isinstance(options, list):
        return [finding("dpo_not_list", "data_processing_options", value=options)]
    findings = [
        finding("dpo_unknown_option", "data_processing_options", value=option)
        for option in options
        if option not in DATA_PROCESSING_OPTIONS
    ]
    if "LDU" not in options:
        return findings
    country = event.get("data_processing_options_country")
    state = event.get("data_processing_options_state")
    if country is not None and state is None:
        findings.append(finding("ldu_country_without_state", "data_processing_options_state"))
    elif state is not None and country is None:
        findings.append(finding("ldu_state_without_country", "data_processing_options_country"))
    elif country is None and state is None:
        user_data = event.get("user_data")
        has_ip = isinstance(user_data, Mapping) and bool(user_data.get("client_ip_address"))
        if not has_ip:
            findings.append(finding("ldu_needs_location", "data_processing_options"))
    return findings
