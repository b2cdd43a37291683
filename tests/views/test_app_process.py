"""The real desktop app in a subprocess: qasync boot, embedded browser demo, clean shutdown.

Every process the app starts inherits a unique environment tag, so after the app exits a scan
of /proc finds any orphan (QtWebEngine renderer, Playwright's node driver, a server child).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from desktop_app.views.qt import QImage

ROOT = Path(__file__).resolve().parents[2]
TAG = "PIXELBRIDGE_TEST_TAG"


def _tagged_pids(tag: str) -> set[int]:
    needle = f"{TAG}={tag}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue  # gone, or not ours to read
        if needle in environ.split(b"\0"):
            found.add(int(entry.name))
    return found


def _start(args: list[str], home: Path) -> tuple[subprocess.Popen[bytes], str]:
    tag = uuid.uuid4().hex
    env = {
        **os.environ,
        TAG: tag,
        "QT_QPA_PLATFORM": "offscreen",
        "PIXELBRIDGE_HOME": str(home),
    }
    env.pop("PYTHON_KEYRING_BACKEND", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.app", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    return proc, tag


def _wait_gone(tag: str, timeout_s: float = 10.0) -> set[int]:
    deadline = time.monotonic() + timeout_s
    left = _tagged_pids(tag)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)  # polling /proc for a bounded time, not synchronisation by sleep
        left = _tagged_pids(tag)
    return left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="scans /proc")
def test_window_starts_paints_and_exits(tmp_path: Path) -> None:
    proc, tag = _start(["--no-browser", "--exit-after-paint"], tmp_path)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    assert not _wait_gone(tag)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="scans /proc")
def test_demo_in_embedded_browser_then_clean_shutdown(tmp_path: Path) -> None:
    shot = tmp_path / "window.png"
    proc, tag = _start(["--demo", "--exit-after-demo", "--screenshot", str(shot)], tmp_path)
    children_seen: set[int] = set()
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        children_seen |= _tagged_pids(tag) - {proc.pid}
        time.sleep(0.2)  # sampling /proc while the app runs
    _out, err = proc.communicate(timeout=30)
    log = err.decode(errors="replace")
    assert proc.returncode == 0, log[-3000:]
    # The app really had helpers (web engine renderer, Playwright driver)…
    assert len(children_seen) >= 2, children_seen
    # …and none outlived it.
    assert not _wait_gone(tag), log[-2000:]
    image = QImage(str(shot))
    assert image.width() >= 1000 and image.height() >= 600
    assert "Traceback" not in log
