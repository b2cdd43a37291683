"""A scriptable Graph API stand-in for the relay's fault tests (real HTTP over loopback).

Each request to `POST /{version}/{pixel_id}/events` takes the next entry of `script` (then
answers 200). An entry is one of:
  ("ok",)                       200 {"events_received": n}
  ("status", 503)               that HTTP status, non-Graph body
  ("code", 4, http_status)      Graph error envelope with that code
  ("hang",)                     never answer until `release()` (the client times out);
  ("hang", "count")             the same, but the events count as received (Meta got them)
Independently, `reject_ids` get code 100 for any batch that contains them (Meta rejects the
whole batch), and a token not in `valid_tokens` gets 190. `delivered` counts every event_id
in a successful answer: the final tally the tests check.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from desktop_app.services.http_server import LocalServer


@dataclass
class Seen:
    pixel_id: str
    event_ids: list[str]
    token: str | None
    answer: str
    body: dict[str, Any]


def graph_error(code: int, message: str, status: int = 400) -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "error_subcode": None,
                "fbtrace_id": "AStandIn",
            }
        },
        status_code=status,
    )


@dataclass
class GraphStandIn:
    script: list[tuple[Any, ...]] = field(default_factory=list)
    valid_tokens: set[str] | None = None
    reject_ids: set[str] = field(default_factory=set)
    echo_token_in_errors: bool = False
    seen: list[Seen] = field(default_factory=list)
    delivered: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._release = asyncio.Event()
        self.hanging = asyncio.Event()  # set when a request is being held
        self.request_seen = asyncio.Event()
        self._server: LocalServer | None = None
        self.port = 0

    def release(self) -> None:
        self._release.set()

    @property
    def app(self) -> Starlette:
        route = Route("/{version}/{pixel_id}/events", self._events, methods=["POST"])
        return Starlette(routes=[route])

    async def start(self, port: int = 0) -> str:
        self._server = LocalServer(self.app, port=port or self.port, name="graph-standin")
        url = await self._server.start()
        self.port = self._server.port
        return url

    async def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            await self._server.stop()
            self._server = None

    async def _events(self, request: Request) -> Response:
        body = json.loads(await request.body())
        pixel_id = request.path_params["pixel_id"]
        events = body.get("data") or []
        ids = [str(e.get("event_id")) for e in events]
        token = body.get("access_token")
        entry = self.script.pop(0) if self.script else ("ok",)
        record = Seen(pixel_id, ids, token, entry[0], body)
        self.seen.append(record)
        self.request_seen.set()
        if entry[0] == "hang":
            self.hanging.set()
            await self._release.wait()
            record.answer = "hang-released"
            if "count" in entry:  # Meta processed it; the relay just never heard back
                self.delivered.update(ids)
            return JSONResponse({"events_received": len(events), "fbtrace_id": "late"})
        if self.valid_tokens is not None and token not in self.valid_tokens:
            record.answer = "190"
            text = f"Invalid OAuth access token {token}" if self.echo_token_in_errors else ""
            return graph_error(190, text or "Invalid OAuth access token.", 401)
        if self.reject_ids & set(ids):
            record.answer = "100"
            return graph_error(100, "Invalid parameter")
        if entry[0] == "status":
            return Response("upstream trouble", status_code=entry[1])
        if entry[0] == "code":
            return graph_error(entry[1], f"error {entry[1]}", entry[2] if len(entry) > 2 else 400)
        self.delivered.update(ids)
        return JSONResponse({"events_received": len(events), "messages": [], "fbtrace_id": "A1"})

    def requests_with(self, event_id: str) -> list[Seen]:
        return [s for s in self.seen if event_id in s.event_ids]
