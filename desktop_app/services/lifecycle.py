"""Stopping several services in order, so one failing stop never leaves the others running."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

logger = logging.getLogger(__name__)


class Stoppable(Protocol):
    async def stop(self) -> None: ...


async def stop_all(services: Iterable[tuple[str, Stoppable | None]]) -> None:
    """Stop each named service in the given order; log (never raise) a failed stop."""
    for name, service in services:
        if service is None:
            continue
        try:
            await service.stop()
        except Exception:
            logger.exception("could not stop the %s cleanly", name)
