"""Where PixelBridge keeps its files. One place, so tests can redirect everything.

`PIXELBRIDGE_HOME` (used by tests and portable installs) puts data, config, logs and cache
under one folder; otherwise the platform's user dirs from platformdirs are used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "PixelBridge"


@dataclass(frozen=True)
class AppPaths:
    data: Path
    config: Path
    logs: Path
    cache: Path

    @classmethod
    def default(cls) -> AppPaths:
        home = os.environ.get("PIXELBRIDGE_HOME")
        if home:
            root = Path(home)
            return cls(root / "data", root / "config", root / "logs", root / "cache")
        dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
        return cls(
            Path(dirs.user_data_dir),
            Path(dirs.user_config_dir),
            Path(dirs.user_log_dir),
            Path(dirs.user_cache_dir),
        )

    def ensure(self) -> AppPaths:
        for path in (self.data, self.config, self.logs, self.cache):
            path.mkdir(parents=True, exist_ok=True)
        return self
