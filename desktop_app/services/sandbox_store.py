"""What the Meta sandbox has seen: accepted events, a request log, the fault script.

Kept in memory only (the sandbox stands in for Meta; nothing it receives is ours to store).
Events are already hashed by the sender; the token is never recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

logger = logging.getLogger(__name__)

# Enough for any demo or benchmark run; the oldest entries go first beyond it.
MAX_RECEIVED = 1_000_000
MAX_REQUESTS = 100_000


@dataclass(frozen=True, slots=True)
class Fault:
    """One scripted answer for the next Graph request (see `desktop_app.services.sandbox`)."""

    status: int | None = None  # HTTP status to answer with
    error: dict[str, Any] | None = None  # {"code", "error_subcode"?, "message"?, ...}
    hang_s: float = 0.0  # wait this long before answering (or before the scripted answer)
    close: bool = False  # drop the connection without any answer
    body: Any = None  # a raw JSON body to answer with instead of Meta's envelope

    @property
    def answers(self) -> bool:
        """True when the fault replaces the normal answer (otherwise it only delays it)."""
        return (
            self.close
            or self.error is not None
            or self.body is not None
            or (self.status is not None and self.status != 200)
        )

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, False, 0.0)}


_FAULT_KEYS = {"status", "error", "hang_s", "close", "body"}


def parse_faults(payload: Any) -> list[Fault]:
    """`[{...}, ...]` or `{"faults": [...]}` → faults; ValueError naming the bad entry."""
    if isinstance(payload, dict) and "faults" in payload:
        payload = payload["faults"]
    if isinstance(payload, dict):
        payload = [payload]
    if not isinstance(payload, list):
        raise ValueError("faults must be a list of objects")
    faults: list[Fault] = []
    for index, item in enumerate(payload):
        if not isinstance(item, dict):
            raise ValueError(f"faults[{index}] must be an object")
        unknown = set(item) - _FAULT_KEYS
        if unknown:
            raise ValueError(f"faults[{index}]: unknown keys {sorted(unknown)}")
        status = item.get("status")
        if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
            raise ValueError(f"faults[{index}].status must be an HTTP status code")
        error = item.get("error")
        if error is not None and (
            not isinstance(error, dict) or not isinstance(error.get("code"), int)
        ):
            raise ValueError(f"faults[{index}].error must be an object with an integer code")
        hang = item.get("hang_s", 0)
        if not isinstance(hang, int | float) or isinstance(hang, bool) or not 0 <= hang <= 600:
            raise ValueError(f"faults[{index}].hang_s must be a number of seconds (0..600)")
        faults.append(
            Fault(
                status=status,
                error=error,
                hang_s=float(hang),
                close=bool(item.get("close", False)),
                body=item.get("body"),
            )
        )
    return faults


class SandboxStore:
    def __init__(self) -> None:
        self._received: deque[dict[str, Any]] = deque(maxlen=MAX_RECEIVED)
        self._requests: deque[dict[str, Any]] = deque(maxlen=MAX_REQUESTS)
        self._faults: deque[Fault] = deque()
        self._changed = asyncio.Event()
        self.closing = asyncio.Event()  # set on stop: hanging answers end at once
        self.latency_s = 0.0  # added to every Graph answer, to behave like a distant Meta

    # accepted events -------------------------------------------------------------------
    def add_events(self, records: list[dict[str, Any]]) -> None:
        self._received.extend(records)
        self._notify()

    def received(self, pixel_id: str | None = None) -> list[dict[str, Any]]:
        if pixel_id is None:
            return [dict(r) for r in self._received]
        return [dict(r) for r in self._received if r.get("pixel_id") == pixel_id]

    def count(self, pixel_id: str | None = None) -> int:
        if pixel_id is None:
            return len(self._received)
        return sum(1 for r in self._received if r.get("pixel_id") == pixel_id)

    def clear(self) -> None:
        self._received.clear()
        self._requests.clear()
        self._notify()

    # request log ----------------------------------------------------------------------
    def log_request(self, entry: dict[str, Any]) -> None:
        self._requests.append(entry)
        self._notify()

    def requests(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._requests]

    def request_count(self) -> int:
        return len(self._requests)

    # fault script ---------------------------------------------------------------------
    def set_faults(self, faults: list[Fault]) -> None:
        self._faults = deque(faults)

    def clear_faults(self) -> None:
        self._faults.clear()

    def pending_faults(self) -> list[Fault]:
        return list(self._faults)

    def next_fault(self) -> Fault | None:
        return self._faults.popleft() if self._faults else None

    # waiting --------------------------------------------------------------------------
    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_until(self, predicate: Callable[[], bool], timeout_s: float) -> bool:
        """True once `predicate()` holds, False after `timeout_s` seconds."""
        try:
            async with asyncio.timeout(timeout_s):
                while not predicate():
                    await self._changed.wait()
        except TimeoutError:
            return predicate()
        return True
