"""The real desktop app in a subprocess: qasync boot, embedded browser demo, clean shutdown.

Every process the app starts inherits a unique environment tag, so after the app exits a scan
of /proc finds any orphan (QtWebEngine renderer, Playwright's node driver, a server child).
"""

from __future__ import annotations

import json
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


def _start(
    args: list[str], home: Path, code: str | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    tag = uuid.uuid4().hex
    env = {
        **os.environ,
        TAG: tag,
        "QT_QPA_PLATFORM": "offscreen",
        "PIXELBRIDGE_HOME": str(home),
    }
    env.pop("PYTHON_KEYRING_BACKEND", None)
    proc = subprocess.Popen(
        [sys.executable, *(["-c", code] if code else ["-m", "desktop_app.app"]), *args],
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
    shot, report = tmp_path / "window.png", tmp_path / "report.json"
    args = ["--demo", "--exit-after-demo", "--screenshot", str(shot), "--report", str(report)]
    proc, tag = _start(args, tmp_path)
    children_seen: dict[int, str] = {}
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        for pid in _tagged_pids(tag) - {proc.pid} - set(children_seen):
            children_seen[pid] = _cmdline(pid)
        time.sleep(0.2)  # sampling /proc while the app runs
    _out, err = proc.communicate(timeout=30)
    log = err.decode(errors="replace")
    assert proc.returncode == 0, log[-3000:]
    # The demo ran in the embedded QtWebEngine, driven by Playwright's driver over CDP…
    commands = " | ".join(children_seen.values())
    assert "QtWebEngineProcess" in commands, commands
    assert "playwright" in commands or "node" in commands, commands
    assert "--headless" not in commands  # not the hidden-browser fallback
    # …and none outlived it.
    assert not _wait_gone(tag), log[-2000:]
    image = QImage(str(shot))
    assert image.width() >= 1000 and image.height() >= 600
    assert "Traceback" not in log
    data = json.loads(report.read_text())
    conversions = [p for p in data["pairs"] if p["event_name"] != "PageView"]
    assert len(conversions) == 4
    assert {p["verdict"] for p in conversions} == {"deduplicated"}


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="scans /proc")
def test_sigterm_shuts_down_like_quit(tmp_path: Path) -> None:
    """`kill` (logout, service stop) while the demo runs in the embedded browser."""
    proc, tag = _start(["--demo"], tmp_path)
    deadline = time.monotonic() + 60
    web_engine = False
    while proc.poll() is None and time.monotonic() < deadline and not web_engine:
        web_engine = any("QtWebEngineProcess" in _cmdline(pid) for pid in _tagged_pids(tag))
        time.sleep(0.1)  # sampling /proc until the embedded browser exists
    assert web_engine, "the embedded browser never started"
    proc.terminate()
    _out, err = proc.communicate(timeout=60)
    log = err.decode(errors="replace")
    assert proc.returncode == 0, log[-3000:]
    assert not _wait_gone(tag), log[-2000:]


QUIT_FROM_QT = """
import argparse, sys, threading
from desktop_app.app import run_desktop
from desktop_app.views.qt import QApplication, QEvent
# Like a session logout: Qt's Quit event reaches the application while the demo runs
# (posted from a timer thread, which is what `quit()` does off the GUI thread).
def post_quit():
    QApplication.postEvent(QApplication.instance(), QEvent(QEvent.Type.Quit))
threading.Timer(float(sys.argv[1]), post_quit).start()
sys.exit(run_desktop(argparse.Namespace(demo=True)))
"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="scans /proc")
def test_qt_quitting_on_its_own_still_cleans_up(tmp_path: Path) -> None:
    """`aboutToQuit` mid-demo: main() is woken, the shutdown finishes, nothing is orphaned."""
    proc, tag = _start(["2.5"], tmp_path, QUIT_FROM_QT)
    _out, err = proc.communicate(timeout=90)
    log = err.decode(errors="replace")
    assert proc.returncode == 0, log[-3000:]
    # The failure modes of a loop ended under the tasks (a demo cancelled mid-start may still
    # log uvicorn's lifespan CancelledError, which is harmless).
    for symptom in ("no running event loop", "Cannot enter into task", "Event loop stopped"):
        assert symptom not in log, log[-3000:]
    assert not _wait_gone(tag), log[-2000:]
