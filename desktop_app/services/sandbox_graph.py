"""The sandbox's Starlette app: Graph API routes that answer like Meta, and `/_sandbox` controls.

Batch checks use the same validator as the relay (`desktop_app.capi.validation`), so a payload
the sandbox accepts is one PixelBridge itself considers valid, and one bad event rejects the
whole batch as Meta does
(https://developers.facebook.com/documentation/ads-commerce/conversions-api/using-the-api).
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from desktop_app.capi.validation import (
    graph_error_for,
    http_status_for,
    validate_batch,
    warnings_as_messages,
)
from desktop_app.services.sandbox_request import (
    GraphRequestError,
    decode_events,
    error_envelope,
    new_fbtrace_id,
    parse_body,
    read_params,
    token_error,
)
from desktop_app.services.sandbox_store import SandboxStore, parse_faults

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024  # far above 1,000 events; Meta documents no byte limit
_VERSION = re.compile(r"^v\d+\.\d+$")
SANDBOX_USER = {"id": "10000000000000", "name": "PixelBridge sandbox user"}


class SandboxGraph:
    """Request handlers bound to one store, token and clock."""

    def __init__(self, store: SandboxStore, token: str | None, clock: Callable[[], float]) -> None:
        self.store = store
        self.token = token
        self.clock = clock

    # --- helpers -------------------------------------------------------------------------
    async def _params(self, request: Request) -> tuple[str, str, dict[str, Any]]:
        """(version, node, params) after the version and token checks."""
        version = request.path_params["version"]
        node = request.path_params.get("node", "")
        body = await _read_body(request)
        params = read_params(
            request.query_params,
            request.headers,
            parse_body(request.headers.get("content-type", ""), body),
        )
        if not _VERSION.match(version):
            status, env = error_envelope(2500, message=f"Unknown path components: /{version}")
            raise GraphRequestError(status, env)
        if not self._token_ok(params.token):
            raise token_error(params.token is not None)
        return version, node, params.values

    def _token_ok(self, token: str | None) -> bool:
        if not token:
            return False
        if self.token is None:
            return True
        return hmac.compare_digest(token.encode(), self.token.encode())

    # --- Graph routes --------------------------------------------------------------------
    async def post_events(self, request: Request) -> Response:
        try:
            _, pixel_id, values = await self._params(request)
            _check_pixel(pixel_id)
            events = decode_events(values.get("data"))
            now = self.clock()
            messages = _check_batch(events, now)
        except GraphRequestError as exc:
            logger.info("sandbox refused %s: %s", request.url.path, exc)
            return JSONResponse(exc.envelope, status_code=exc.status)
        test_event_code = values.get("test_event_code") or None
        partner_agent = values.get("partner_agent") or None
        records = [
            {
                **event,
                "pixel_id": pixel_id,
                "test_event_code": test_event_code,
                "partner_agent": partner_agent,
                "received_at": now,
            }
            for event in events
        ]
        self.store.add_events(records)
        logger.info("sandbox accepted %d event(s) for pixel %s", len(events), pixel_id)
        return JSONResponse(
            {"events_received": len(events), "messages": messages, "fbtrace_id": new_fbtrace_id()}
        )

    async def get_node(self, request: Request) -> Response:
        """Token health: `/me`, `/debug_token` and `/{pixel_id}?fields=id,name`."""
        try:
            _, node, values = await self._params(request)
            if node == "me":
                body: dict[str, Any] = dict(SANDBOX_USER)
            elif node == "debug_token":
                body = {"data": self._debug_token(values.get("input_token"))}
            else:
                _check_pixel(node)
                body = {"id": node, "name": f"Sandbox pixel {node}"}
        except GraphRequestError as exc:
            return JSONResponse(exc.envelope, status_code=exc.status)
        fields = values.get("fields")
        if isinstance(fields, str) and fields and "data" not in body:
            wanted = {f.strip() for f in fields.split(",")} | {"id"}
            body = {k: v for k, v in body.items() if k in wanted}
        return JSONResponse(body)

    def _debug_token(self, input_token: Any) -> dict[str, Any]:
        valid = isinstance(input_token, str) and self._token_ok(input_token)
        return {
            "app_id": "sandbox",
            "type": "SYSTEM_USER",
            "application": "PixelBridge sandbox",
            "is_valid": valid,
            "scopes": ["ads_management", "business_management"] if valid else [],
        }

    async def unknown(self, request: Request) -> Response:
        status, env = error_envelope(2500, message=f"Unknown path components: {request.url.path}")
        return JSONResponse(env, status_code=status)

    # --- /_sandbox controls --------------------------------------------------------------
    async def list_events(self, request: Request) -> Response:
        pixel_id = request.query_params.get("pixel_id") or None
        return JSONResponse({"events": self.store.received(pixel_id)})

    async def clear_events(self, request: Request) -> Response:
        self.store.clear()
        return JSONResponse({"cleared": True})

    async def stats(self, request: Request) -> Response:
        pixel_id = request.query_params.get("pixel_id") or None
        return JSONResponse(
            {
                "events": self.store.count(pixel_id),
                "requests": self.store.request_count(),
                "pending_faults": len(self.store.pending_faults()),
            }
        )

    async def list_requests(self, request: Request) -> Response:
        return JSONResponse({"requests": self.store.requests()})

    async def post_faults(self, request: Request) -> Response:
        try:
            faults = parse_faults(json.loads(await _read_body(request) or b"null"))
        except (ValueError, GraphRequestError) as exc:
            return JSONResponse({"error": {"message": str(exc)}}, status_code=400)
        self.store.set_faults(faults)
        return JSONResponse({"faults": [f.to_json() for f in faults]})

    async def get_faults(self, request: Request) -> Response:
        return JSONResponse({"faults": [f.to_json() for f in self.store.pending_faults()]})

    async def delete_faults(self, request: Request) -> Response:
        self.store.clear_faults()
        return JSONResponse({"faults": []})


def build_app(graph: SandboxGraph) -> Starlette:
    routes = [
        Route("/_sandbox/events", graph.list_events, methods=["GET"]),
        Route("/_sandbox/events", graph.clear_events, methods=["DELETE"]),
        Route("/_sandbox/requests", graph.list_requests, methods=["GET"]),
        Route("/_sandbox/stats", graph.stats, methods=["GET"]),
        Route("/_sandbox/faults", graph.post_faults, methods=["POST"]),
        Route("/_sandbox/faults", graph.get_faults, methods=["GET"]),
        Route("/_sandbox/faults", graph.delete_faults, methods=["DELETE"]),
        Route("/{version}/{node}/events", graph.post_events, methods=["POST"]),
        Route("/{version}/{node}", graph.get_node, methods=["GET"]),
        Route("/{path:path}", graph.unknown, methods=["GET", "POST", "DELETE", "PUT"]),
    ]
    return Starlette(routes=routes)


async def _read_body(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                _, env = error_envelope(100, message="(#100) Request body too large")
                raise GraphRequestError(413, env)
            chunks.append(chunk)
    except ClientDisconnect:
        # The client gave up mid-request; answer something harmless nobody will read.
        _, env = error_envelope(1, message="Client disconnected")
        raise GraphRequestError(499, env) from None
    return b"".join(chunks)


def _check_pixel(pixel_id: str) -> None:
    # Pixel (dataset) ids are numeric; anything else is an object Meta cannot find.
    if not pixel_id.isdigit():
        status, env = error_envelope(
            100,
            message=f"Unsupported post request. Object with ID '{pixel_id}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation.",
            subcode=33,
        )
        raise GraphRequestError(status, env)


def _check_batch(events: list[dict[str, Any]], now: float) -> list[str]:
    """Warnings for a valid batch; GraphRequestError (code 100) for an invalid one."""
    findings = validate_batch(events, now=now)
    envelope = graph_error_for(findings)
    if envelope is not None:
        raise GraphRequestError(http_status_for(envelope), envelope)
    return warnings_as_messages(findings)
