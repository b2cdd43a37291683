"""Is the access token usable for this Pixel? Asked of the Graph API (or the sandbox).

One read of the Pixel node, `GET /{version}/{pixel_id}?fields=id,name`, answers both questions
at once: a dead token gives code 190, a token without access to this Pixel gives a permission
code (10, 200–299) or 100/subcode 33 ("object does not exist or no permission")
(https://developers.facebook.com/docs/graph-api/guides/error-handling). The token travels in
the `Authorization` header, never the URL, so it cannot reach an access log or our log lines.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from desktop_app.capi.graph_api import DEFAULT_GRAPH_URL, GRAPH_API_VERSION

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger(__name__)


class TokenState(StrEnum):
    WORKS = "works"
    MISSING = "missing"
    INVALID = "invalid"  # expired, revoked, mistyped (code 190)
    NO_PERMISSION = "no_permission"  # valid, but not for this Pixel
    OFFLINE = "offline"  # Meta could not be reached: nothing is known
    UNKNOWN = "unknown"  # Meta answered with something else


@dataclass(frozen=True, slots=True)
class TokenHealth:
    state: TokenState
    title: str  # one line, plain words
    next_step: str
    code: int | None = None
    subcode: int | None = None
    detail: str = ""  # Meta's own message (never contains the token)

    @property
    def ok(self) -> bool:
        return self.state is TokenState.WORKS


WHERE_TO_FIND = (
    "Events Manager → your Pixel (dataset) → Settings → Conversions API → “Generate access token”."
)

# state → (title, next step): the words the owner reads.
TEXT: dict[TokenState, tuple[str, str]] = {
    TokenState.WORKS: ("The access token works for this Pixel.", "Nothing to do."),
    TokenState.MISSING: (
        "No access token is stored for this Pixel yet.",
        f"Create one in {WHERE_TO_FIND} Then choose “Replace token” and paste it.",
    ),
    TokenState.INVALID: (
        "Meta refuses this access token: it has expired, was revoked or was mistyped.",
        f"Create a new one in {WHERE_TO_FIND} Then choose “Replace token”.",
    ),
    TokenState.NO_PERMISSION: (
        "The token works, but it is not allowed to send events for this Pixel.",
        "Check the Pixel id, or generate the token from this Pixel's own settings page "
        "(a token from another Pixel or ad account does not carry over).",
    ),
    TokenState.OFFLINE: (
        "The token could not be checked: Meta cannot be reached from this computer.",
        "Check the internet connection and try “Check” again. Events wait safely meanwhile.",
    ),
    TokenState.UNKNOWN: (
        "Meta gave an unexpected answer while checking the token.",
        "Try again in a few minutes; if it persists, copy the diagnostics for support.",
    ),
}

# Sub-reasons of code 190 that deserve their own sentence.
SUBCODE_TITLES: dict[int, str] = {
    463: "The access token has expired.",
    460: "The access token stopped working because the Facebook password was changed.",
    458: "The app behind this token was removed from the Facebook account.",
    467: "The access token was invalidated (logged out or revoked).",
}


def health(state: TokenState, **extra: Any) -> TokenHealth:
    title, step = TEXT[state]
    return TokenHealth(state, title, step, **extra)


def classify_error(status: int, body: Any) -> TokenHealth:
    """Map a Graph error answer to a `TokenHealth` (pure: tests iterate over it)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return health(TokenState.UNKNOWN, detail=f"HTTP {status}")
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    detail = str(error.get("message") or "")[:300]
    extra: dict[str, Any] = {"code": code, "subcode": subcode, "detail": detail}
    if code == 190 or (code is not None and code in (102, 2500) and status == 401):
        found = health(TokenState.INVALID, **extra)
        if subcode in SUBCODE_TITLES:
            return TokenHealth(found.state, SUBCODE_TITLES[subcode], found.next_step, **extra)
        return found
    if code == 10 or (code is not None and 200 <= code <= 299) or (code == 100 and subcode == 33):
        return health(TokenState.NO_PERMISSION, **extra)
    return health(TokenState.UNKNOWN, **extra)


async def check_token(
    token: str | None,
    pixel_id: str,
    *,
    graph_url: str = DEFAULT_GRAPH_URL,
    timeout_s: float = 10.0,
    client: httpx.AsyncClient | None = None,
) -> TokenHealth:
    """Ask Meta (or the sandbox at `graph_url`) whether `token` may use `pixel_id`."""
    if not token:
        return health(TokenState.MISSING)
    import httpx  # here, not at import: the app's first paint does not wait for it

    url = f"{graph_url.rstrip('/')}/{GRAPH_API_VERSION}/{pixel_id}"
    own = client is None
    http = client or httpx.AsyncClient(timeout=timeout_s)
    try:
        response = await http.get(
            url,
            params={"fields": "id,name"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout_s,
        )
    except httpx.HTTPError as exc:
        logger.info("token check could not reach %s: %s", graph_url, type(exc).__name__)
        return health(TokenState.OFFLINE, detail=type(exc).__name__)
    finally:
        if own:
            await http.aclose()
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 200 and isinstance(body, dict) and str(body.get("id")) == pixel_id:
        return health(TokenState.WORKS, detail=str(body.get("name") or ""))
    result = classify_error(response.status_code, body)
    logger.info("token check for pixel %s: %s (code %s)", pixel_id, result.state, result.code)
    return result


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
