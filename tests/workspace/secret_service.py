"""Run a script against the real Secret Service: gnome-keyring, unlocked, in its own D-Bus
session and a fresh temp HOME (same recipe as tests/relay/test_token_store.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_with_secret_service(
    command: Sequence[str],
    home: Path,
    *,
    timeout_s: float = 120,
    extra_env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    dbus = shutil.which("dbus-run-session")
    daemon = shutil.which("gnome-keyring-daemon")
    if dbus is None or daemon is None:
        pytest.skip("dbus-run-session / gnome-keyring-daemon not installed")
    run = home / "run"
    run.mkdir(parents=True, exist_ok=True)
    run.chmod(0o700)
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in ("PYTHON_KEYRING_BACKEND", "PIXELBRIDGE_ACCESS_TOKEN", "DBUS_SESSION_BUS_ADDRESS")
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "share"),
        XDG_RUNTIME_DIR=str(run),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        PIXELBRIDGE_HOME=str(home / "pixelbridge"),
        PYTHONPATH=str(REPO),
        QT_QPA_PLATFORM="offscreen",
        **(extra_env or {}),
    )
    quoted = " ".join(f'"{part}"' for part in command)
    shell = (
        f"echo -n test-pass | {daemon} --unlock --components=secrets >/dev/null && exec {quoted}"
    )
    return subprocess.run(
        [dbus, "--", "sh", "-c", shell],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
