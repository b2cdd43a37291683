"""What the desktop app was asked to do, whether this machine can show it, and quit signals."""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class DesktopOptions:
    demo: bool = False  # run the demo as soon as the window is up
    browser: bool = True  # the embedded QtWebEngine browser
    screenshot: Path | None = None  # after the demo: save a PNG of the window
    report: Path | None = None  # after the demo: write the pair/verdict JSON
    exit_after_demo: bool = False  # smoke runs and tests: quit once the demo is done
    exit_after_paint: bool = False  # startup benchmark: quit after the first paint
    email: str | None = None
    phone: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> DesktopOptions:
        demo = bool(getattr(args, "demo", False)) or getattr(args, "command", None) == "demo"
        screenshot = getattr(args, "screenshot", None)
        report = getattr(args, "report", None)
        return cls(
            demo=demo,
            browser=not getattr(args, "no_browser", False),
            screenshot=Path(screenshot) if screenshot else None,
            report=Path(report) if report else None,
            exit_after_demo=bool(getattr(args, "exit_after_demo", False)),
            exit_after_paint=bool(getattr(args, "exit_after_paint", False)),
            email=getattr(args, "email", None),
            phone=getattr(args, "phone", None),
        )


def webengine_available() -> bool:
    # find_spec, not import: loading QtWebEngine costs ~0.2 s and can wait for the first paint.
    try:
        return importlib.util.find_spec("PySide6.QtWebEngineWidgets") is not None
    except (ImportError, ValueError):
        return False


def no_display() -> bool:
    """True on Linux without X11/Wayland and no explicit Qt platform: Qt would abort."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """`python -m desktop_app.app`: the desktop app with switches for tests and benchmarks."""
    parser = argparse.ArgumentParser(prog="python -m desktop_app.app")
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--exit-after-demo", action="store_true")
    parser.add_argument("--exit-after-paint", action="store_true")
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--report", type=Path)
    return parser.parse_args(argv)


def watch_quit_signals(request_quit: Callable[[], object]) -> list[int]:
    """SIGTERM (logout, `kill`) and SIGHUP shut down like Quit: no orphan helpers."""
    import asyncio

    loop = asyncio.get_running_loop()
    watched = []
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        try:
            loop.add_signal_handler(signum, request_quit)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # Windows, or not the main thread (tests)
        watched.append(signum)
    return watched
