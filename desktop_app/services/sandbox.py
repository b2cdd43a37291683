"""A local stand-in for Meta's Graph API, so everything in PixelBridge runs offline.

It answers the Conversions API like Meta does (request shapes, token check, validation with
the same rules as the relay, Meta's error envelope) and keeps what it accepted in memory, like
Events Manager's Test Events tab. It is real HTTP on loopback; nothing is mocked.

```python
sandbox = MetaSandbox(token=None)     # None: any non-empty token is accepted
                                      # latency_s=0.15: answer like a distant Meta
url = await sandbox.start(host="127.0.0.1", port=0)
sandbox.received(pixel_id=None)       # same list as GET /_sandbox/events
await sandbox.wait_for_events(4, pixel_id="123", timeout_s=5)
await sandbox.stop()
```

Graph routes (any `/vNN.N/` version):
- `POST /{version}/{pixel_id}/events`: `data` as a JSON string in a form field (urlencoded or
  multipart), as a JSON array of per-event JSON strings (what facebook-business sends), or a
  JSON body `{"data": [...]}`; `test_event_code` and `partner_agent` accepted; the token in
  the query, the body or `Authorization: Bearer`. Success: 200
  `{"events_received": N, "messages": [warnings], "fbtrace_id": ...}`. No token, or not the
  configured one: 401, code 190 (`OAuthException`). One invalid event, an empty batch or more
  than 1,000 events: 400, code 100 with Meta's subcode, and nothing of the batch is kept.
  A non-numeric pixel id: 400, code 100, subcode 33. A body over 64 MiB: 413, code 100.
- `latency_s` (CLI `--latency-ms`) delays every Graph answer, to behave like a distant Meta
  (most real answers take under 600 ms); the request is read before the delay, as Meta would.
- Token health: `GET /{version}/me`, `GET /{version}/{pixel_id}?fields=id,name` (the pixel) and
  `GET /{version}/debug_token?input_token=...`; each answers 190 for a bad token.

Controls (never subject to faults):
- `GET /_sandbox/events?pixel_id=...` → `{"events": [{...event as received..., "pixel_id",
  "test_event_code", "partner_agent", "received_at" (unix seconds)}]}`;
  `DELETE /_sandbox/events` forgets events and the request log;
  `GET /_sandbox/stats?pixel_id=...` → `{"events": N, "requests": N, "pending_faults": N}`.
- `GET /_sandbox/requests` → `{"requests": [{"method", "path", "status", "fault", "at"}]}`, one
  per Graph request (the path only: the query may carry the token).
- Fault injection for tests and demos: `POST /_sandbox/faults` with a JSON list of scripted
  answers, one consumed by each following Graph request, in order:
    `{"status": 503}`            answer that HTTP status (a 5xx carries code 2, transient;
                                 a 4xx code 1)
    `{"error": {"code": 4}}`     answer Meta's envelope for that code (optional
                                 `error_subcode`, `message`; `status` overrides the HTTP status)
    `{"hang_s": 2.5}`            wait that long, then answer normally (or as the rest of the
                                 same entry says); ends early when the sandbox stops
    `{"close": true}`            drop the connection without answering
    `{"body": {...}}`            answer that JSON body (with `status`, default 200)
  `GET /_sandbox/faults` lists what is left; `DELETE /_sandbox/faults` clears the script.
  In Python: `sandbox.set_faults([...])`, `sandbox.clear_faults()`.

The token is never logged or stored; accepted events are hashed by the sender already.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from desktop_app.services.http_server import LocalServer
from desktop_app.services.sandbox_faults import FaultInjector
from desktop_app.services.sandbox_graph import SandboxGraph, build_app
from desktop_app.services.sandbox_store import SandboxStore, parse_faults

logger = logging.getLogger(__name__)


class MetaSandbox:
    def __init__(
        self,
        token: str | None = None,
        *,
        latency_s: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = SandboxStore()
        self._store.latency_s = max(0.0, latency_s)
        self._graph = SandboxGraph(self._store, token or None, clock)
        self._app = FaultInjector(build_app(self._graph), self._store)
        self._server: LocalServer | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on `host:port` (0 = a free port); return the base URL once it accepts."""
        if self._server is not None:
            raise RuntimeError("sandbox already started")
        self._store.closing.clear()
        server = LocalServer(self._app, host=host, port=port, name="meta-sandbox")
        url = await server.start()
        self._server = server
        return url

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("sandbox not started")
        return self._server.url

    @property
    def asgi_app(self) -> Any:
        """The ASGI app, for in-process clients (e.g. Starlette's TestClient)."""
        return self._app

    def received(self, pixel_id: str | None = None) -> list[dict[str, Any]]:
        """Accepted events, oldest first (copies; same as `GET /_sandbox/events`)."""
        return self._store.received(pixel_id)

    def requests(self) -> list[dict[str, Any]]:
        """One entry per Graph request: method, path, status, fault applied, time."""
        return self._store.requests()

    def clear(self) -> None:
        self._store.clear()

    def set_faults(self, faults: list[dict[str, Any]]) -> None:
        """Script the next answers (same entries as `POST /_sandbox/faults`)."""
        self._store.set_faults(parse_faults(faults))

    def clear_faults(self) -> None:
        self._store.clear_faults()

    def pending_faults(self) -> list[dict[str, Any]]:
        """What is left of the fault script (same as `GET /_sandbox/faults`)."""
        return [fault.to_json() for fault in self._store.pending_faults()]

    async def wait_for_events(
        self, count: int, *, pixel_id: str | None = None, timeout_s: float = 5.0
    ) -> bool:
        """True once at least `count` events were accepted (for `pixel_id`), else False."""
        return await self._store.wait_until(lambda: self._store.count(pixel_id) >= count, timeout_s)

    async def wait_for_requests(self, count: int, *, timeout_s: float = 5.0) -> bool:
        """True once at least `count` Graph requests were answered (accepted or not)."""
        return await self._store.wait_until(lambda: len(self._store.requests()) >= count, timeout_s)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._store.closing.set()
        server, self._server = self._server, None
        await server.stop()

    async def __aenter__(self) -> Self:
        if self._server is None:
            await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
