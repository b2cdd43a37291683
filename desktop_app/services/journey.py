"""A recorded visitor journey, and its replay on a Playwright page.

The JSON (written by the desktop app's "record journey" button, or by hand):
`{"steps": [{"action": "goto", "url": …}, {"action": "click", "selector": …},
{"action": "fill", "selector": …, "value": …}, {"action": "wait", "ms": …}]}`.
Parsing is strict (a typo must fail before a browser starts, as a `UsageError`); replay is
bounded per step, so a missing button fails that step with a clear message instead of hanging.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from desktop_app.errors import UsageError

if TYPE_CHECKING:
    from playwright.async_api import Page

logger = logging.getLogger(__name__)

# action → the keys it needs (besides "action"), as a table the parser and the docs share.
ACTIONS: dict[str, tuple[str, ...]] = {
    "goto": ("url",),
    "click": ("selector",),
    "fill": ("selector", "value"),
    "wait": ("ms",),
}
MAX_WAIT_MS = 120_000
STEP_TIMEOUT_MS = 15_000


class JourneyError(UsageError):
    """The journey file is unusable (bad JSON, unknown action, missing key)."""


class StepFailed(RuntimeError):
    """A step could not be replayed on the page (element missing, navigation failed)."""


@dataclass(frozen=True, slots=True)
class Step:
    action: str
    url: str | None = None
    selector: str | None = None
    value: str | None = None
    ms: int = 0

    def describe(self) -> str:
        target = {"goto": self.url, "click": self.selector, "fill": self.selector}.get(
            self.action, f"{self.ms} ms"
        )
        return f"{self.action} {target}"


def parse_journey(data: Any, source: str = "journey") -> list[Step]:
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise JourneyError(f'{source}: expected {{"steps": [...]}}')
    steps: list[Step] = []
    for number, raw in enumerate(data["steps"], start=1):
        where = f"{source}: step {number}"
        if not isinstance(raw, dict):
            raise JourneyError(f"{where} must be an object")
        action = raw.get("action")
        if action not in ACTIONS:
            raise JourneyError(f"{where}: action must be one of {', '.join(ACTIONS)}")
        missing = [key for key in ACTIONS[action] if key not in raw]
        if missing:
            raise JourneyError(f"{where} ({action}) needs {', '.join(missing)}")
        if action == "wait":
            ms = raw["ms"]
            if not isinstance(ms, int) or isinstance(ms, bool) or not 0 <= ms <= MAX_WAIT_MS:
                raise JourneyError(f"{where}: ms must be a whole number 0–{MAX_WAIT_MS}")
            steps.append(Step("wait", ms=ms))
            continue
        texts = {key: raw[key] for key in ACTIONS[action]}
        for key, value in texts.items():
            if not isinstance(value, str) or (key != "value" and not value):
                raise JourneyError(f"{where}: {key} must be non-empty text")
        steps.append(Step(action, **texts))
    return steps


def load_journey(path: Path) -> list[Step]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JourneyError(f"--journey {path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise JourneyError(f"--journey {path}: not a readable JSON file ({exc})") from None
    return parse_journey(data, source=str(path))


async def replay(page: Page, steps: list[Step], base_url: str) -> None:
    """Run each step in order; a relative `goto` URL is resolved against `base_url`."""
    for number, step in enumerate(steps, start=1):
        logger.info("journey step %d: %s", number, step.describe())
        try:
            await _run(page, step, base_url)
        except Exception as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise StepFailed(f"journey step {number} ({step.describe()}): {first_line}") from exc


async def _run(page: Page, step: Step, base_url: str) -> None:
    if step.action == "goto":
        assert step.url is not None
        await page.goto(urljoin(base_url, step.url), timeout=STEP_TIMEOUT_MS)
    elif step.action == "click":
        assert step.selector is not None
        await page.click(step.selector, timeout=STEP_TIMEOUT_MS)
    elif step.action == "fill":
        assert step.selector is not None
        await page.fill(step.selector, step.value or "", timeout=STEP_TIMEOUT_MS)
    else:  # a recorded pause: the visitor's own timing, part of the journey itself
        await page.wait_for_timeout(step.ms)
