"""Send one batch of server events to `POST {graph_url}/{version}/{pixel_id}/events`.

The token travels in the request body, never in the URL, so it cannot end up in an access
log or an httpx error message. `appsecret_proof` (HMAC-SHA256 of the token keyed by the app
secret, lowercase hex) is added when an app secret is configured
(https://developers.facebook.com/docs/graph-api/securing-requests/).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from desktop_app.capi.graph_api import events_url
from desktop_app.capi.graph_errors import Verdict, classify_network_error, classify_response
from desktop_app.services.logs import redact

logger = logging.getLogger(__name__)

USER_AGENT = "PixelBridge-relay"


def appsecret_proof(token: str, app_secret: str) -> str:
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class GraphResult:
    verdict: Verdict
    status: int | None  # HTTP status, None for network failures
    body: Any  # Meta's parsed JSON answer (None when absent or not JSON)
    elapsed_s: float

    def response_record(self) -> dict[str, Any]:
        """What is stored with each event: Meta's answer plus our classification."""
        return {
            "http_status": self.status,
            "body": self.body,
            "verdict": self.verdict.to_json(),
            "elapsed_ms": round(self.elapsed_s * 1000, 1),
        }


class GraphClient:
    def __init__(
        self,
        graph_url: str,
        *,
        timeout_s: float = 5.0,
        app_secret: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.graph_url = graph_url
        self._app_secret = app_secret
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s),
            headers={"User-Agent": USER_AGENT},
            transport=transport,
            trust_env=False,  # never route events through an ambient proxy setting
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(
        self,
        pixel_id: str,
        events: list[dict[str, Any]],
        *,
        token: str,
        test_event_code: str | None = None,
    ) -> GraphResult:
        body: dict[str, Any] = {"data": events, "access_token": token}
        if test_event_code:
            body["test_event_code"] = test_event_code
        if self._app_secret:
            body["appsecret_proof"] = appsecret_proof(token, self._app_secret)
        url = events_url(self.graph_url, pixel_id)
        started = time.monotonic()
        try:
            response = await self._client.post(
                url,
                content=json.dumps(body, separators=(",", ":")),
                headers={"Content-Type": "application/json"},
            )
        except httpx.TimeoutException:
            return self._failed("timed out waiting for Meta", started)
        except httpx.HTTPError as exc:
            # The exception text may hold the URL; it never holds the token (body only).
            return self._failed(redact(f"network error: {type(exc).__name__}: {exc}"), started)
        elapsed = time.monotonic() - started
        try:
            parsed: Any = _scrub(response.json(), token)
        except ValueError:
            parsed = None
        return GraphResult(
            classify_response(response.status_code, parsed), response.status_code, parsed, elapsed
        )

    @staticmethod
    def _failed(description: str, started: float) -> GraphResult:
        return GraphResult(
            classify_network_error(description), None, None, time.monotonic() - started
        )


def _scrub(value: Any, token: str) -> Any:
    """Meta's answer is stored and shown: make sure it cannot carry the token back out."""
    if isinstance(value, str):
        return redact(value.replace(token, "[redacted]")) if token else redact(value)
    if isinstance(value, list):
        return [_scrub(v, token) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, token) for k, v in value.items()}
    return value
