"""Re-pair both channels as events arrive, coalescing bursts into one model update.

Listeners of the relay and the pixel capture call `poke()`. A burst within `delay_s` costs one
O(n) `pair_events` and one diffed model update. Large logs are paired on a worker thread
(pairing is pure and works on snapshots), so only the small in-place model update runs on the
GUI thread: ~1 s of pairing at 100,000 rows would otherwise freeze the window.

What still stopped the GUI at 100,000 rows (bench/bench_views.py), and what this does about it:
- the cyclic collector scanning the ~200,000 fresh container objects of a re-pairing (35–40 ms
  per pass, holding the GIL, in whichever thread allocates next): it stays paused from the
  hand-off until the throw-away pairs are gone, so reference counting frees them unscanned;
- freeing the re-paired list in one go on the GUI thread (~20 ms): freed a slice per turn;
- a refresh that changes or adds many rows (late server copies, the first fill): the model
  takes it in steps of `STEP_ROWS` rows, one per loop turn (`pair_rows.update_steps`).
Qt-free: it runs on whatever asyncio loop is current (qasync in the app).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from desktop_app.capi.dedup import Pair, pair_events
from desktop_app.capi.observations import PixelObservation, ServerObservation
from desktop_app.views.pair_rows import chronological, diff_rows, slices, update_steps

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

logger = logging.getLogger(__name__)

THREAD_ABOVE = 2_000  # observations; below this, pairing inline is faster than a hand-off
FREE_SLICE = 5_000  # pairs freed per loop turn: ~1 ms here
STEP_ROWS = 1_000  # rows changed or added per model step: ~1–2 ms here (+ the repaint)

Sink = Callable[[list[Pair], list[int]], None]  # (pairs, changed rows) → model.set_pairs
Result = tuple[list[Pair], list[int]]


def compute(
    pixels: Sequence[PixelObservation],
    servers: Sequence[ServerObservation],
    current: Sequence[Pair],
) -> Result:
    """Pure: the new chronological pairs and the rows that differ from `current`."""
    pairs = chronological(pair_events(pixels, servers))
    return pairs, diff_rows(current, pairs)


class _CyclicGcPause:
    """Nestable, process-wide pause of the cyclic collector, used from the loop thread only.

    Reference counting still frees everything; only the scans are deferred. Pairs hold no
    reference cycles, so nothing waits for a collection while paused.
    """

    def __init__(self) -> None:
        self._depth = 0
        self._resume = False

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        if self._depth == 0:
            self._resume = gc.isenabled()
            gc.disable()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._resume:
                gc.enable()


_GC_PAUSE = _CyclicGcPause()


def _compute_into(box: list[Result], *args: Any) -> None:
    # The result leaves through `box`, not the future: executor futures can outlive the
    # refresh, and whatever still holds the pairs decides where (and when) they are freed.
    box.append(compute(*args))


async def release(chunks: list[Sequence[Any]]) -> None:
    """Drop `chunks` one per loop turn: what nobody else holds is freed a slice at a time."""
    while chunks:
        del chunks[-1]
        await asyncio.sleep(0)


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
            self._sink(pairs, changed)
            self.refreshes += 1
            return
        with _GC_PAUSE.held():
            box: list[Result] = []
            await asyncio.get_running_loop().run_in_executor(
                self._worker(), _compute_into, box, pixels, servers, current
            )
            pairs, changed = box.pop()
            if len(self._current()) != len(current):  # someone else changed the model
                changed = diff_rows(self._current(), pairs)
            await self._apply(pairs, changed)
            self.refreshes += 1
            # The model kept the pairs it needs; the rest of both snapshots is freed in
            # slices. Chunks, not the lists themselves: a sink may keep the list it was given.
            garbage = [*slices(pairs, FREE_SLICE), *slices(current, FREE_SLICE)]
            del pairs, current
            await release(garbage)

    async def _apply(self, pairs: list[Pair], changed: list[int]) -> None:
        """Hand the update to the sink in steps of at most `STEP_ROWS` rows, one per turn."""
        steps = update_steps(len(self._current()), len(pairs), changed, STEP_ROWS)
        for at, (length, rows) in enumerate(steps):
            if at:
                await asyncio.sleep(0)  # paint, and let events in
                if len(self._current()) != steps[at - 1][0]:  # changed meanwhile: one go
                    self._sink(pairs, diff_rows(self._current(), pairs))
                    return
            self._sink(pairs if length == len(pairs) else pairs[:length], list(rows))

    def _worker(self) -> ThreadPoolExecutor:
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor  # only for large logs

            self._executor = ThreadPoolExecutor(1, thread_name_prefix="live-pairs")
        return self._executor

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
