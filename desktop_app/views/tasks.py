"""Owned background tasks: every task has an owner that keeps it alive and reports its failure;
`Progress` is what a view shows while one of them waits.

A bare `asyncio.ensure_future` can be garbage-collected mid-run and its exception is only
printed at exit; here failures reach the log and the user's message bridge.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class TaskOwner:
    def __init__(self, on_error: Callable[[str, BaseException], None] | None = None) -> None:
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._on_error = on_error

    def spawn(self, name: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `coro` as task `name`, cancelling a running task of the same name first."""
        previous = self._tasks.get(name)
        if previous is not None and not previous.done():
            previous.cancel()
        task = asyncio.ensure_future(coro)
        self._tasks[name] = task
        task.add_done_callback(functools.partial(self._finished, name))
        return task

    def running(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    def _finished(self, name: str, task: asyncio.Task[Any]) -> None:
        if self._tasks.get(name) is task:
            del self._tasks[name]
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            logger.error("task %s failed", name, exc_info=exc)
            if self._on_error is not None:
                self._on_error(name, exc)

    async def cancel_all(self, timeout_s: float = 10.0) -> None:
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout_s)


class Enablable(Protocol):
    def setEnabled(self, enabled: bool) -> None: ...


def failure_words(exc: BaseException) -> tuple[str, str]:
    """An action's failure as (what happened, the next step), in plain words."""
    from desktop_app.services.embedded_browser import EmbeddedBrowserError

    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, TimeoutError):
        return (
            "This took too long and was stopped.",
            "Check your internet connection, then try again.",
        )
    if isinstance(exc, EmbeddedBrowserError):
        return (
            f"The built-in browser did not answer ({first}).",
            "Close PixelBridge and open it again.",
        )
    if isinstance(exc, OSError):
        return (
            f"PixelBridge could not reach what it needed ({first}).",
            "Check your connection and try again.",
        )
    return (
        f"Something went wrong: {first}",
        "Try again; if it fails again, use Help → Copy diagnostics.",
    )


class Progress:
    """What one view shows while an action waits (issue 8: progress for every wait over ~300 ms).

    `run(text, coro)` shows `text` with the view's busy indicator and disables the controls that
    would start the action twice, at once (well within 300 ms); when the action ends, the
    indicator goes and the controls come back, on success and on failure alike. A failure is
    handed to `failed(what happened, next step)` and `run` returns None; without `failed` it
    propagates (to the TaskOwner, which reports it through the message bridge).
    """

    def __init__(
        self,
        show: Callable[[str], None],
        clear: Callable[[], None],
        controls: Sequence[Enablable] = (),
        failed: Callable[[str, str], object] | None = None,
    ) -> None:
        self._show, self._clear = show, clear
        self.controls = list(controls)
        self._failed = failed
        self.active = False

    def _begin(self, text: str) -> None:
        self.active = True
        for control in self.controls:
            control.setEnabled(False)
        self._show(text)

    def _end(self) -> None:
        self.active = False
        self._clear()
        for control in self.controls:
            control.setEnabled(True)

    async def run[T](self, text: str, action: Awaitable[T]) -> T | None:
        self._begin(text)
        try:
            return await action
        except Exception as exc:  # a cancellation (newer run, shutdown) passes through
            if self._failed is None:
                raise
            logger.info("%s failed", text, exc_info=True)
            words = failure_words(exc)
        finally:
            self._end()  # before `failed` runs: its message may offer to try again
        self._failed(*words)
        return None
