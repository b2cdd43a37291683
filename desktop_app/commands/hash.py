"""`pixelbridge hash FIELD VALUE [--country CC] [--json]`: normalize + SHA-256 one value.

A consultant compares the printed hash with what Meta's Test Events tool shows. Unusable input
prints `sha256: null` with the reason and exits 1; a pre-hashed input is echoed lowercased.
The value goes to stdout only (the user typed it); it is never logged.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from desktop_app.capi.fields import FIELDS, KEY_ALIASES, PASS_THROUGH_KEYS, meta_key
from desktop_app.capi.normalize_region import country_code
from desktop_app.capi.user_data import hash_value
from desktop_app.errors import UsageError

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    rules = "; ".join(f"{rule.key}: {rule.rule}" for rule in FIELDS.values())
    parser = subparsers.add_parser(
        "hash",
        help="normalize and SHA-256 one customer-data value exactly as Meta wants it",
        description="Print the normalized value and its SHA-256 for one user_data field, to "
        f"compare with Meta's Test Events. Fields: {rules}. Exit 1 when the value is unusable.",
    )
    parser.add_argument(
        "field", metavar="FIELD", help="em ph fn ln db ge ct st zp country external_id"
    )
    parser.add_argument(
        "value",
        metavar="VALUE",
        help="the value as the customer typed it; '-' reads one line from stdin "
        "(keeps customer data out of the shell history)",
    )
    parser.add_argument(
        "--country",
        metavar="CC",
        default=None,
        help="the customer's country (adds the phone calling code, US/CA state codes, "
        "US ZIP and date rules); a code or an English name",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def hash_field(field: str, value: str, country: str | None = None) -> dict[str, Any]:
    """`{"field","input","normalized","sha256","error","note"}` for one value."""
    key = meta_key(field.strip().lower())
    if key in PASS_THROUGH_KEYS:
        raise UsageError(f"{key} is sent to Meta unhashed; there is nothing to hash")
    if key not in FIELDS:
        known = " ".join([*FIELDS, *KEY_ALIASES])
        raise UsageError(f"unknown field {field!r}; use one of: {known}")
    code = None
    if country is not None:
        code = country_code(country)
        if code is None:
            raise UsageError(f"--country {country!r} is not a country name or ISO code")
    if key == "country":
        code = None  # the value itself is the country
    trace = hash_value(key, value, code)
    return {
        "field": key,
        "input": value,
        "normalized": trace.normalized,
        "sha256": trace.sha256,
        "error": trace.error,
        "note": trace.note,
    }


def run(args: argparse.Namespace) -> int:
    value = sys.stdin.readline().rstrip("\r\n") if args.value == "-" else args.value
    result = hash_field(args.field, value, args.country)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for name in ("field", "input", "normalized", "sha256", "error", "note"):
            if result[name] is None and name in ("error", "note"):
                continue
            shown = "null" if result[name] is None else result[name]
            print(f"{name + ':':<12}{shown}")
    return 0 if result["sha256"] else 1
