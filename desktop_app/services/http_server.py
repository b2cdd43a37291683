"""Run a Starlette app on loopback inside the current asyncio loop, and stop it cleanly.

Every server in PixelBridge (relay, Meta sandbox, demo shop) goes through `LocalServer`, so the
traps measured on this machine are handled once: uvicorn must not install signal handlers inside
the GUI process, must not reconfigure logging (`log_config=None`), and calls `sys.exit` inside
its task when the port is busy, which would kill the whole app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator
from typing import Any

import uvicorn

logger = logging.getLogger(__name__)


class ServerStartError(RuntimeError):
    """The server could not listen (port busy, bad host, …)."""


class _QuietServer(uvicorn.Server):
    # uvicorn's handler would re-raise SIGINT/SIGTERM at shutdown; the owner handles signals.
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None]:
        yield


class LocalServer:
    """One uvicorn server owned by the caller: `await start()` → URL, `await stop()`."""

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "server",
        forwarded_allow_ips: str | None = "",
    ) -> None:
        self._name = name
        self._config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            lifespan="on",
            # X-Forwarded-For is ignored unless a caller names trusted proxies explicitly.
            forwarded_allow_ips=forwarded_allow_ips,
            proxy_headers=bool(forwarded_allow_ips),
            timeout_graceful_shutdown=5,
        )
        self._server = _QuietServer(self._config)
        self._task: asyncio.Task[None] | None = None
        self.host = host
        self.port = 0

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> str:
        """Listen and return the base URL once the port accepts connections."""
        if self._task is not None:
            raise RuntimeError(f"{self._name} already started")
        self._task = asyncio.create_task(self._serve(), name=f"{self._name}-serve")
        while not self._server.started:
            if self._task.done():
                exc = self._task.exception()
                self._task = None
                raise ServerStartError(
                    f"{self._name} could not listen on {self.host}:{self._config.port}: {exc}"
                )
            await asyncio.sleep(0.005)
        sockets = self._server.servers[0].sockets
        self.port = int(sockets[0].getsockname()[1])
        logger.info("%s listening on %s", self._name, self.url)
        return self.url

    async def _serve(self) -> None:
        try:
            await self._server.serve()
        except SystemExit as exc:  # uvicorn exits the process on a busy port; we must not
            raise ServerStartError(f"uvicorn exited with {exc.code}") from None

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        try:
            await self._task
        except ServerStartError:
            pass
        finally:
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()
