"""SHA-256 as Meta wants it: UTF-8 in, 64 lowercase hex out, never twice.

Customer information parameters:
https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
"""

from __future__ import annotations

import hashlib
import re

_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


def sha256_hex(normalized: str) -> str:
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def is_sha256(value: str) -> bool:
    """True for a value that is already a SHA-256 hex digest (either case)."""
    return _SHA256_HEX.fullmatch(value.strip()) is not None
