"""Meta's answers built from findings: the error envelope for a rejected request, warnings.

Envelope shape (https://developers.facebook.com/docs/graph-api/guides/error-handling):
`{"error": {"message", "type", "code", "error_subcode", "is_transient", "error_user_title",
"error_user_msg", "fbtrace_id"}}`. Invalid parameters are code 100 with a subcode; Meta omits
`error_subcode` for plain "parameter required" answers, and so do we. Our `error_data`
names the field, like Meta's `blame_field_specs`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from typing import Any

from desktop_app.capi.findings import RULES, Finding

logger = logging.getLogger(__name__)

INVALID_PARAMETER = 100
INVALID_TOKEN = 190
HTTP_STATUS_FOR_CODE = {INVALID_PARAMETER: 400, INVALID_TOKEN: 401}

FindingLike = Finding | tuple[int, Finding]


def new_fbtrace_id() -> str:
    """An id shaped like Meta's fbtrace_id (opaque, URL-safe, ~11 characters)."""
    return "A" + secrets.token_urlsafe(8)[:10]


def _split(item: FindingLike) -> tuple[int | None, Finding]:
    return (item[0], item[1]) if isinstance(item, tuple) else (None, item)


def graph_error_for(
    findings: Iterable[FindingLike], *, fbtrace_id: str | None = None
) -> dict[str, Any] | None:
    """Meta's error body for the first blocking finding, or None when nothing blocks.

    Accepts `validate_event` findings or `validate_batch` (index, finding) pairs.
    """
    for item in findings:
        index, found = _split(item)
        if found.severity != "error":
            continue
        where = f" (event {index} of the batch)" if index is not None and index >= 0 else ""
        rule = RULES.get(found.code)  # findings built elsewhere may use codes of their own
        error: dict[str, Any] = {
            "message": "Invalid parameter"
            if found.graph_subcode is not None
            else f"(#100) {found.message}",
            "type": "OAuthException",
            "code": INVALID_PARAMETER,
        }
        if found.graph_subcode is not None:
            error["error_subcode"] = found.graph_subcode
        error.update(
            {
                "is_transient": False,
                "error_user_title": rule.title if rule else found.message,
                "error_user_msg": f"{found.message} {found.fix}{where}",
                "error_data": {"blame_field_specs": [[found.field]], "finding": found.code},
                "fbtrace_id": fbtrace_id or new_fbtrace_id(),
            }
        )
        return {"error": error}
    return None


def invalid_token_error(*, fbtrace_id: str | None = None) -> dict[str, Any]:
    """What Meta answers (HTTP 401, code 190) for an access token it cannot use."""
    return {
        "error": {
            "message": "Invalid OAuth access token - Cannot parse access token",
            "type": "OAuthException",
            "code": INVALID_TOKEN,
            "is_transient": False,
            "fbtrace_id": fbtrace_id or new_fbtrace_id(),
        }
    }


def http_status_for(body: dict[str, Any]) -> int:
    """HTTP status Meta uses for an error body (400 for invalid parameters)."""
    code = body.get("error", {}).get("code")
    return HTTP_STATUS_FOR_CODE.get(code, 400) if isinstance(code, int) else 400


def warnings_as_messages(findings: Iterable[FindingLike]) -> list[str]:
    """The `messages` array of a successful response: one line per warning."""
    messages: list[str] = []
    for item in findings:
        index, found = _split(item)
        if found.severity == "warning":
            prefix = f"data[{index}]." if index is not None and index >= 0 else ""
            messages.append(f"{prefix}{found.field}: {found.message}")
    return messages
