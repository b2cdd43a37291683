"""How the CLI's arguments reach the desktop app, and the no-display answer."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from desktop_app.app import DesktopOptions

ROOT = Path(__file__).resolve().parents[2]


def test_demo_command_arguments(tmp_path: Path) -> None:
    # What `pixelbridge demo --report R --screenshot S --email E` hands to run_desktop.
    args = argparse.Namespace(
        command="demo",
        demo=True,
        headless=False,
        report=tmp_path / "r.json",
        screenshot=tmp_path / "s.png",
        email="e@example.org",
        phone=None,
        verbose=False,
    )
    options = DesktopOptions.from_args(args)
    assert options.demo and options.browser
    assert options.report == tmp_path / "r.json" and options.screenshot == tmp_path / "s.png"
    assert options.email == "e@example.org" and options.phone is None
    assert not options.exit_after_demo  # with a display, the window stays open


def test_bare_command_opens_the_window_without_demo() -> None:
    options = DesktopOptions.from_args(argparse.Namespace(command=None, verbose=False))
    assert not options.demo and options.report is None and options.browser


def test_no_display_is_a_message_not_a_crash(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env["PIXELBRIDGE_HOME"] = str(tmp_path)
    code = "import argparse, sys; from desktop_app.app import run_desktop; "
    code += "sys.exit(run_desktop(argparse.Namespace(command=None)))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert b"no display" in result.stderr and b"demo --headless" in result.stderr
