"""The tag config: pixel id, site, rules. A versioned JSON document that holds no secret.

Shape and field rules: `resources/schema/tag-config.schema.json` (checked in `schema.py`, which
also migrates older drafts). The rule model is documented in `docs/platforms.md`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from desktop_app.errors import UsageError

logger = logging.getLogger(__name__)

CONFIG_VERSION = 1


class ConfigError(UsageError):
    """The tag config is missing or invalid; the message names the rule and field."""


@dataclass(slots=True)
class TagConfig:
    pixel_id: str
    relay_url: str | None = None
    site_url: str | None = None
    site_origins: list[str] = field(default_factory=list)
    platform: str | None = None
    rules: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed_origins(self) -> list[str]:
        """Origins allowed to post to the relay: `site.url`'s origin plus `site.origins`."""
        origins: list[str] = []
        if self.site_url:
            parts = urlsplit(self.site_url)
            origins.append(f"{parts.scheme}://{parts.netloc}")
        origins.extend(o.rstrip("/") for o in self.site_origins)
        return list(dict.fromkeys(origins))

    def to_json(self) -> dict[str, Any]:
        data = dict(self.raw)
        data.update({"version": CONFIG_VERSION, "pixel_id": self.pixel_id, "rules": self.rules})
        if self.relay_url is not None:
            data["relay_url"] = self.relay_url
        site = dict(data.get("site") or {})
        site.update({"url": self.site_url, "platform": self.platform})
        if self.site_origins:
            site["origins"] = self.site_origins
        data["site"] = site
        return data


def parse_config(data: Any, *, source: str = "config") -> TagConfig:
    """Migrate, validate against the JSON Schema and build a `TagConfig` (or raise ConfigError)."""
    from desktop_app.tagger.schema import migrate, validate

    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the tag config must be a JSON object")
    if data.get("version", CONFIG_VERSION) != CONFIG_VERSION:
        raise ConfigError(f"{source}: unsupported version {data.get('version')!r}")
    data = migrate(data)
    problems = validate(data)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(f"{source}: {problems[0]}{more}")
    site = data.get("site") or {}
    return TagConfig(
        pixel_id=data["pixel_id"],
        relay_url=data.get("relay_url"),
        site_url=site.get("url"),
        site_origins=list(site.get("origins") or []),
        platform=site.get("platform"),
        rules=data["rules"],
        raw=data,
    )


def load_config(path: str | Path) -> TagConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return parse_config(data, source=str(path))


def save_config(config: TagConfig, path: str | Path) -> None:
    Path(path).write_text(json.dumps(config.to_json(), indent=2) + "\n", encoding="utf-8")
