"""The real window on a real X server (Xvfb + xcb), as a user with a display gets it.

Offscreen Qt hides problems an X display shows: on Xvfb without a GPU, Qt Quick on Mesa's
llvmpipe stopped producing frames and every Playwright click in the embedded view timed out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

APP = (sys.executable, "-m", "desktop_app.app")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed"),
]


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as reader:
        display = reader.readline().strip()  # Xvfb writes the number once it accepts clients
    if not display:
        proc.kill()
        pytest.fail("Xvfb did not start")
    return proc, f":{display}"


def test_demo_runs_in_a_real_x_window(tmp_path: Path) -> None:
    xvfb, display = _start_xvfb()
    try:
        env = {
            k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "QT_QUICK_BACKEND")
        }
        env["DISPLAY"] = display
        report = tmp_path / "report.json"
        proc = subprocess.run(
            [*APP, "--demo", "--exit-after-demo", "--report", str(report)],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(report.read_text())["summary"]
    assert summary["conversions"] == 4
    assert summary["all_counted_once"] is True
