"""Typed app settings: every setting with its default and a plain-words description, in one table.

Stored as JSON in `AppPaths.config/settings.json`. Unknown keys from newer versions are kept
on save; a value of the wrong type falls back to the default (a hand-edited file never stops
the app from starting). Window geometry lives in `window.json` (views/window_state.py); here
we keep everything else. No secret is ever a setting: the access token lives in the keyring.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.capi.graph_api import DEFAULT_GRAPH_URL
from desktop_app.services.paths import AppPaths

logger = logging.getLogger(__name__)

MODES = ("sandbox", "test", "live")
THEMES = ("system", "light", "dark")


@dataclass(frozen=True, slots=True)
class SettingSpec:
    name: str
    default: Any
    kind: type
    description: str
    choices: tuple[str, ...] = ()


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("last_workspace", "", str, "The site opened last; reopened at start."),
    SettingSpec(
        "mode",
        "sandbox",
        str,
        "Where server events go: the built-in sandbox (no Meta account), Meta with a test "
        "code (Events Manager → Test events), or Meta live.",
        MODES,
    ),
    SettingSpec(
        "graph_url",
        DEFAULT_GRAPH_URL,
        str,
        "Meta's Graph API address. Change only to point at a self-hosted sandbox.",
    ),
    SettingSpec(
        "check_token_at_start", True, bool, "Check the access token when a site is opened."
    ),
    SettingSpec("theme", "system", str, "Light or dark look; 'system' follows the OS.", THEMES),
    SettingSpec("recent_limit", 10, int, "How many recent sites the start screen lists."),
    SettingSpec("show_start_screen", True, bool, "Show the start screen instead of the last site."),
)
SPEC_BY_NAME = {spec.name: spec for spec in SPECS}


class Settings:
    """Read with `settings.get(name)`, write with `settings.set(name, value)` then `save()`."""

    def __init__(self, path: Path, values: dict[str, Any] | None = None) -> None:
        self.path = path
        self._values: dict[str, Any] = dict(values or {})

    @classmethod
    def load(cls, paths: AppPaths | None = None) -> Settings:
        path = (paths or AppPaths.default()).config / "settings.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, json.JSONDecodeError) as exc:
            logger.warning("settings file %s unreadable (%s): using defaults", path, exc)
            data = {}
        return cls(path, data if isinstance(data, dict) else {})

    def get(self, name: str) -> Any:
        spec = SPEC_BY_NAME[name]
        value = self._values.get(name, spec.default)
        if not _valid(spec, value):
            return spec.default
        return value

    def set(self, name: str, value: Any) -> None:
        spec = SPEC_BY_NAME[name]
        if not _valid(spec, value):
            raise ValueError(f"{name}: {value!r} is not a valid value")
        self._values[name] = value

    def reset(self, name: str) -> None:
        self._values.pop(name, None)

    def as_dict(self) -> dict[str, Any]:
        return {spec.name: self.get(spec.name) for spec in SPECS}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._values, indent=2, sort_keys=True) + "\n", "utf-8")
        tmp.replace(self.path)


def _valid(spec: SettingSpec, value: Any) -> bool:
    # bool is an int subclass: keep them apart so `recent_limit=True` is refused.
    if spec.kind is int and isinstance(value, bool):
        return False
    if not isinstance(value, spec.kind):
        return False
    return not spec.choices or value in spec.choices
