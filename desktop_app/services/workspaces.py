"""Workspaces: one per site (site URL, Pixel id, tag rules, journeys, settings, event log).

Each lives in `AppPaths.data/workspaces/<id>/`: `workspace.json` (no secret, ever) and an
`events/` folder for the relay's outbox (hashed data only). A workspace can be exported as one
`.pixelbridge.json` file and imported again (as a new workspace); the access token stays in
the OS keyring and is never part of either file — `scrub_secrets` runs on every write.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.services.paths import AppPaths
from desktop_app.tagger.config import TagConfig, parse_config

logger = logging.getLogger(__name__)

FILE_FORMAT = "pixelbridge-workspace"
FILE_VERSION = 1
FILE_SUFFIX = ".pixelbridge.json"
# Keys that may hold a secret, wherever they appear; their values are dropped on every write.
SECRET_KEYS = frozenset(
    {"access_token", "token", "app_secret", "appsecret_proof", "password", "input_token"}
)
_TOKEN_SHAPE = re.compile(r"\bEAA[A-Za-z0-9]{20,}")  # the shape of Meta access tokens


class WorkspaceError(RuntimeError):
    """A workspace cannot be read or written; the message says which file and why."""


@dataclass(slots=True)
class Workspace:
    id: str
    name: str
    site_url: str = ""
    pixel_id: str = ""
    platform: str | None = None
    rules: list[dict[str, Any]] = field(default_factory=list)
    journeys: list[dict[str, Any]] = field(default_factory=list)
    # per-site settings: test_event_code, mode ('sandbox' | 'test' | 'live'), relay_url, …
    settings: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    opened_at: float = 0.0
    folder: Path | None = None  # where it lives; not stored in the file

    @property
    def test_event_code(self) -> str:
        return str(self.settings.get("test_event_code") or "")

    @property
    def mode(self) -> str:
        return str(self.settings.get("mode") or "sandbox")

    @property
    def event_log_dir(self) -> Path:
        if self.folder is None:
            raise WorkspaceError("the workspace is not saved yet")
        return self.folder / "events"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("folder")
        result = scrub_secrets(data)
        assert isinstance(result, dict)
        return result

    @classmethod
    def from_json(cls, data: dict[str, Any], folder: Path | None = None) -> Workspace:
        known = set(cls.__dataclass_fields__) - {"folder"}
        values = {k: v for k, v in data.items() if k in known}
        if not isinstance(values.get("id"), str) or not isinstance(values.get("name"), str):
            raise WorkspaceError("a workspace needs a text id and name")
        return cls(**values, folder=folder)

    def tag_config(self, relay_url: str | None = None) -> TagConfig:
        """The tag config the relay and snippet use (validated like a config file)."""
        data: dict[str, Any] = {
            "version": 1,
            "pixel_id": self.pixel_id,
            "site": {"url": self.site_url or None, "platform": self.platform},
            "rules": self.rules,
        }
        if relay_url or self.settings.get("relay_url"):
            data["relay_url"] = relay_url or self.settings.get("relay_url")
        return parse_config(data, source=f"workspace {self.name}")


def scrub_secrets(value: Any) -> Any:
    """A copy without secret-named keys and with token-shaped strings masked."""
    if isinstance(value, dict):
        return {k: scrub_secrets(v) for k, v in value.items() if str(k).lower() not in SECRET_KEYS}
    if isinstance(value, list):
        return [scrub_secrets(v) for v in value]
    if isinstance(value, str):
        return _TOKEN_SHAPE.sub("[redacted]", value)
    return value


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "site"
    return f"{slug}-{uuid.uuid4().hex[:6]}"


def default_name(site_url: str) -> str:
    host = re.sub(r"^https?://", "", site_url).split("/")[0]
    return host or "New site"


class WorkspaceStore:
    """All workspaces under one folder; every method reads or writes files right away."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def default(cls, paths: AppPaths | None = None) -> WorkspaceStore:
        return cls((paths or AppPaths.default()).data / "workspaces")

    def _file(self, workspace_id: str) -> Path:
        if not re.fullmatch(r"[a-z0-9-]+", workspace_id):
            raise WorkspaceError(f"not a workspace id: {workspace_id!r}")
        return self.root / workspace_id / "workspace.json"

    def recent(self) -> list[Workspace]:
        """Every readable workspace, the most recently opened first."""
        found: list[Workspace] = []
        if not self.root.is_dir():
            return found
        for path in self.root.glob("*/workspace.json"):
            try:
                found.append(self._read(path))
            except WorkspaceError as exc:
                logger.warning("skipping unreadable workspace %s: %s", path.parent.name, exc)
        found.sort(key=lambda w: (w.opened_at, w.created_at), reverse=True)
        return found

    def create(self, name: str = "", **values: Any) -> Workspace:
        site_url = str(values.get("site_url") or "")
        name = name or default_name(site_url)
        now = time.time()
        workspace = Workspace(id=_slug(name), name=name, created_at=now, opened_at=now, **values)
        return self.save(workspace)

    def save(self, workspace: Workspace) -> Workspace:
        path = self._file(workspace.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(workspace.to_json(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
        workspace.folder = path.parent
        return workspace

    def open(self, workspace_id: str) -> Workspace:
        """Read it and mark it as the most recent."""
        workspace = self._read(self._file(workspace_id))
        workspace.opened_at = time.time()
        return self.save(workspace)

    def get(self, workspace_id: str) -> Workspace:
        return self._read(self._file(workspace_id))

    def delete(self, workspace_id: str) -> None:
        import shutil

        folder = self._file(workspace_id).parent
        if folder.is_dir():
            shutil.rmtree(folder)

    def duplicate(self, workspace_id: str, name: str = "") -> Workspace:
        """A copy of the site's setup (not its event log) under a new id."""
        source = self.get(workspace_id)
        data = source.to_json()
        data.update(name=name or f"{source.name} (copy)")
        return self._adopt(data)

    def export_file(self, workspace_id: str, target: Path) -> Path:
        """One JSON file with the site's setup; never the token, never the event log."""
        data = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "workspace": self.get(workspace_id).to_json(),
        }
        if not target.name.endswith(FILE_SUFFIX):
            target = target.with_name(target.name.removesuffix(".json") + FILE_SUFFIX)
        target.write_text(json.dumps(scrub_secrets(data), indent=2) + "\n", encoding="utf-8")
        return target

    def import_file(self, source: Path) -> Workspace:
        """Add the workspace in `source` as a new one (the original id is not reused)."""
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise WorkspaceError(f"cannot read {source.name}: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
            raise WorkspaceError(f"{source.name} is not a PixelBridge workspace file")
        if data.get("version") != FILE_VERSION:
            raise WorkspaceError(f"{source.name}: unsupported version {data.get('version')!r}")
        inner = data.get("workspace")
        if not isinstance(inner, dict):
            raise WorkspaceError(f"{source.name} holds no workspace")
        return self._adopt(scrub_secrets(inner))

    def _adopt(self, data: dict[str, Any]) -> Workspace:
        now = time.time()
        data = dict(data, id=_slug(str(data.get("name") or "site")), created_at=now, opened_at=now)
        return self.save(Workspace.from_json(data))

    def _read(self, path: Path) -> Workspace:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise WorkspaceError(f"no workspace at {path.parent}") from None
        except (OSError, json.JSONDecodeError) as exc:
            raise WorkspaceError(f"{path}: {exc}") from None
        if not isinstance(data, dict):
            raise WorkspaceError(f"{path}: not a JSON object")
        return Workspace.from_json(data, folder=path.parent)
