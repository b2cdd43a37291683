"""Re-pair both channels as events arrive, coalescing bursts into one model update.

Listeners of the relay and the pixel capture call `poke()`. A burst within `delay_s` costs one
O(n) `pair_events` and one diffed model update. Large logs are paired on a worker thread
(pairing is pure and works on snapshots), so only the small in-place model update runs on the
GUI thread: ~1 s of pairing at 100,000 rows would otherwise freeze the window.
Qt-free: it runs on whatever asyncio loop is current (qasync in the app).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from desktop_app.capi.dedup import Pair, pair_events
from desktop_app.capi.observations import PixelObservation, ServerObservation
from desktop_app.views.pair_model import chronological, diff_rows

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

logger = logging.getLogger(__name__)

THREAD_ABOVE = 2_000  # observations; below this, pairing inline is faster than a hand-off

Sink = Callable[[list[Pair], list[int]], None]  # (pairs, changed rows) → model.set_pairs


def compute(
    pixels: Sequence[PixelObservation],
    servers: Sequence[ServerObservation],
    current: Sequence[Pair],
) -> tuple[list[Pair], list[int]]:
    """Pure: the new chronological pairs and the rows that differ from `current`."""
    pairs = chronological(pair_events(pixels, servers))
    return pairs, diff_rows(current, pairs)


class LivePairs:
    def __init__(
        self,
        pixels: Callable[[], Sequence[PixelObservation]],
        servers: Callable[[], Sequence[ServerObservation]],
        current: Callable[[], Sequence[Pair]],
        sink: Sink,
        *,
        delay_s: float = 0.1,
    ) -> None:
        self._pixels = pixels
        self._servers = servers
        self._current = current
        self._sink = sink
        self._delay_s = delay_s
        self._handle: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._dirty = False
        self._executor: ThreadPoolExecutor | None = None
        self.refreshes = 0

    def poke(self, *_: Any) -> None:
        """Something changed on one side: refresh soon (listener-compatible signature)."""
        self._dirty = True
        if self._handle is None and self._task is None:
            self._handle = asyncio.get_running_loop().call_later(self._delay_s, self._start)

    def _start(self) -> None:
        self._handle = None
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        try:
            while self._dirty:
                self._dirty = False
                await self.refresh()
        except Exception:
            logger.exception("live pairing failed")
        finally:
            self._task = None

    async def refresh(self) -> None:
        """Pair everything now (on a worker thread for large logs) and update the sink."""
        pixels, servers = list(self._pixels()), list(self._servers())
        current = list(self._current())
        if len(pixels) + len(servers) < THREAD_ABOVE:
            pairs, changed = compute(pixels, servers, current)
        else:
            if self._executor is None:
                from concurrent.futures import ThreadPoolExecutor  # only for large logs

                self._executor = ThreadPoolExecutor(1, thread_name_prefix="live-pairs")
            loop = asyncio.get_running_loop()
            pairs, changed = await loop.run_in_executor(
                self._executor, compute, pixels, servers, current
            )
            if len(self._current()) != len(current):  # someone else changed the model
                changed = diff_rows(self._current(), pairs)
        self.refreshes += 1
        self._sink(pairs, changed)

    async def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)  # never block the GUI
