"""Read a Graph API request the way Meta does, and write Meta's answers (for the sandbox).

Meta accepts the CAPI parameters in three shapes, and the sandbox must take all of them
(https://developers.facebook.com/documentation/ads-commerce/conversions-api/using-the-api):
- a form (urlencoded or multipart, as `curl -F` sends) whose `data` field is a JSON array;
- the same form as Meta's Python SDK sends it: `data` is a JSON array of per-event JSON
  *strings* (`facebook_business/api.py` json-encodes the list of `json.dumps(event)`);
- a JSON body `{"data": [...]}`.
The access token may be in the query string, the body, or an `Authorization: Bearer` header.

Error envelopes follow https://developers.facebook.com/docs/graph-api/guides/error-handling.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

logger = logging.getLogger(__name__)


class GraphRequestError(Exception):
    """A request Meta would refuse: carries the envelope to answer with."""

    def __init__(self, status: int, envelope: dict[str, Any]) -> None:
        super().__init__(envelope["error"]["message"])
        self.status = status
        self.envelope = envelope


@dataclass(frozen=True, slots=True)
class ErrorKind:
    type: str
    message: str
    http_status: int
    is_transient: bool = False


# Graph error codes the sandbox can answer with, for fault scripts and its own checks.
# Codes and retry meaning: Graph API error-handling guide (URL above); statuses as observed
# live (400 for code 100, 401 for code 190).
ERROR_KINDS: dict[int, ErrorKind] = {
    1: ErrorKind("OAuthException", "An unknown error occurred", 500, True),
    2: ErrorKind("OAuthException", "Service temporarily unavailable", 503, True),
    4: ErrorKind("OAuthException", "(#4) Application request limit reached", 400, True),
    10: ErrorKind("OAuthException", "(#10) Permission denied", 403),
    17: ErrorKind("OAuthException", "(#17) User request limit reached", 400, True),
    32: ErrorKind("OAuthException", "(#32) Page request limit reached", 400, True),
    100: ErrorKind("OAuthException", "(#100) Invalid parameter", 400),
    190: ErrorKind("OAuthException", "Invalid OAuth access token - Cannot parse access token", 401),
    200: ErrorKind("OAuthException", "(#200) Permissions error", 403),
    341: ErrorKind("OAuthException", "(#341) Application limit reached", 400, True),
    368: ErrorKind("OAuthException", "(#368) The action attempted has been deemed abusive", 400),
    613: ErrorKind(
        "OAuthException", "(#613) Calls to this api have exceeded the rate limit", 400, True
    ),
    2500: ErrorKind("OAuthException", "Unknown path components", 400),
}
_DEFAULT_KIND = ErrorKind("OAuthException", "An error occurred", 400)


def new_fbtrace_id() -> str:
    """An opaque id shaped like Meta's (11 to 27 url-safe characters)."""
    return "A" + secrets.token_urlsafe(16)[:22]


def error_envelope(
    code: int,
    *,
    message: str | None = None,
    subcode: int | None = None,
    user_title: str | None = None,
    user_msg: str | None = None,
    blame_fields: list[str] | None = None,
    **extra: Any,
) -> tuple[int, dict[str, Any]]:
    """(HTTP status, `{"error": {...}}`) for a Graph error code."""
    kind = ERROR_KINDS.get(code, _DEFAULT_KIND)
    error: dict[str, Any] = {
        "message": message or kind.message,
        "type": kind.type,
        "code": code,
        "is_transient": kind.is_transient,
        "fbtrace_id": new_fbtrace_id(),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if user_title:
        error["error_user_title"] = user_title
    if user_msg:
        error["error_user_msg"] = user_msg
    if blame_fields:
        error["error_data"] = {"blame_field_specs": [[f] for f in blame_fields]}
    error.update(extra)
    return kind.http_status, {"error": error}


def token_error(present: bool) -> GraphRequestError:
    if present:
        status, env = error_envelope(190, subcode=None)
    else:
        status, env = error_envelope(
            190, message="An access token is required to request this resource."
        )
    return GraphRequestError(status, env)


def param_error(
    message: str, *, subcode: int | None = None, field: str = "data"
) -> GraphRequestError:
    status, env = error_envelope(
        100, message=f"(#100) {message}", subcode=subcode, blame_fields=[field]
    )
    return GraphRequestError(status, env)


@dataclass(slots=True)
class GraphParams:
    """The parameters of one request, whatever shape they came in."""

    values: dict[str, Any] = field(default_factory=dict)
    token: str | None = None

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if isinstance(value, str) and value else None


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    """Body parameters from a urlencoded, multipart or JSON body (empty dict if none)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}
    if media == "application/json":
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise param_error("The request body is not valid JSON", field="body") from None
        if not isinstance(parsed, dict):
            raise param_error("The JSON body must be an object", field="body")
        return parsed
    if media == "multipart/form-data":
        return _parse_multipart(content_type, body)
    # urlencoded, and what clients send without a content type
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise param_error("The request body is not UTF-8", field="body") from None
    return dict(parse_qsl(text, keep_blank_values=True))


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(header + body)
    pairs: list[tuple[str, str]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        pairs.append((name, raw.decode("utf-8", errors="replace")))
    return dict(pairs)


def read_params(
    query: Mapping[str, str], headers: Mapping[str, str], body_params: dict[str, Any]
) -> GraphParams:
    """Merge query and body; find the token in query, body or Authorization header."""
    values: dict[str, Any] = dict(query)
    values.update(body_params)
    token = values.pop("access_token", None)
    auth = headers.get("authorization", "")
    scheme, _, credential = auth.partition(" ")
    if not token and scheme.lower() in ("bearer", "oauth") and credential.strip():
        token = credential.strip()
    return GraphParams(values=values, token=token if isinstance(token, str) and token else None)


def decode_events(raw: Any) -> list[dict[str, Any]]:
    """The `data` parameter as a list of event objects, in any of Meta's accepted shapes."""
    if raw is None or raw == "":
        raise param_error("The parameter data is required")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise param_error("param data must be an array.") from None
    if not isinstance(raw, list):
        raise param_error("param data must be an array.")
    events: list[dict[str, Any]] = []
    for index, entry in enumerate(raw):
        item = entry
        if isinstance(entry, str):  # facebook-business: one JSON string per event
            try:
                item = json.loads(entry)
            except ValueError:
                raise param_error(
                    f"param data[{index}] is not valid JSON", field=f"data[{index}]"
                ) from None
        if not isinstance(item, dict):
            raise param_error(f"param data[{index}] must be an object", field=f"data[{index}]")
        events.append(item)
    return events
