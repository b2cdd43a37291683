"""Cold start to the first painted main window, against a bare PySide6 window in the same run.

Each sample is a fresh process (interpreter start, imports, window, first paint), timed from
spawn to the `first-paint` line on its stdout. The app starts the way a user starts it: the
`pixelbridge` entry point (`python -m desktop_app`, the same `cli.main`). Rounds alternate
app / bare window so machine load affects both alike. Offscreen platform, as on CI.

Both run from compiled bytecode, as an installed app does (pip byte-compiles on install; a
first run writes the cache): shells here may set PYTHONDONTWRITEBYTECODE, which would make the
app, and not the bare window, recompile its ~60 modules on every start. The cache goes to a
temporary PYTHONPYCACHEPREFIX, filled by the discarded warm-up round, for both processes.

    python -m bench.bench_startup [--quick]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import alternate, figure

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
MARK = b"first-paint"
READY = b"ready"  # the app's asyncio loop runs: the window handles input

BARE_WINDOW = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel

class Window(QMainWindow):
    painted = False
    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            print("first-paint", flush=True)
            print("ready", flush=True)  # painted inside app.exec(): input is handled already
            QApplication.instance().quit()

app = QApplication(sys.argv[:1])
window = Window()
window.setCentralWidget(QLabel("hello"))
window.resize(1440, 860)
window.show()
app.exec()
"""


# The real app with the embedded browser runs the demo journey while a heartbeat task on the
# same qasync loop records how long the GUI thread was unable to run (the stall a user feels).
DEMO_STALLS = """
import asyncio, json, sys, time
import qasync
from desktop_app.services.embedded_browser import prepare_environment
endpoint = prepare_environment()
from desktop_app.views.qt import QApplication, share_gl_contexts
share_gl_contexts()
app = QApplication(sys.argv[:1])
from desktop_app.app import DesktopOptions, DesktopShell
shell = DesktopShell(app, DesktopOptions(demo=True, exit_after_demo=True), endpoint)
gaps = []

async def main():
    def walking():  # servers up and the embedded page in use: the journey itself
        presenter = shell.presenter
        return presenter is not None and presenter._page_in_use is not None

    async def heartbeat():
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            if walking():
                gaps.append((time.perf_counter() - before - 0.005) * 1000)
    beat = asyncio.ensure_future(heartbeat())
    started = time.perf_counter()
    code = await shell.main()
    beat.cancel()
    return code, time.perf_counter() - started

code, elapsed = asyncio.run(main(), loop_factory=lambda: qasync.QEventLoop(app))
print(json.dumps({"code": code, "gaps": gaps, "elapsed": elapsed}), flush=True)
"""


def demo_stalls(home: str, timeout_s: float = 120.0) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", DEMO_STALLS],
        cwd=ROOT,
        env=_env(home),
        capture_output=True,
        timeout=timeout_s,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith(b"{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"demo run failed (rc {proc.returncode}): {proc.stderr[-500:]!r}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _env(home: str) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PIXELBRIDGE_HOME": home}
    env["PYTHONPYCACHEPREFIX"] = str(Path(home) / "pycache")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHON_KEYRING_BACKEND", None)
    return env


def time_to_paint(args: list[str], home: str, timeout_s: float = 60.0) -> float:
    """Seconds from spawn to the child's `first-paint` line; the child is then reaped."""
    return time_to_marks(args, home, timeout_s)[0]


def time_to_marks(args: list[str], home: str, timeout_s: float = 60.0) -> tuple[float, float]:
    """Seconds from spawn to the child's `first-paint` and `ready` lines."""
    start = time.perf_counter()
    painted: float | None = None
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == MARK:
                painted = time.perf_counter() - start
            elif line.strip() == READY and painted is not None:
                return painted, time.perf_counter() - start
        raise RuntimeError(f"{args} exited without painting (rc {proc.wait()})")
    finally:
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(quick: bool) -> list[dict[str, Any]]:
    rounds = 3 if quick else 7
    bare_args = ["-c", BARE_WINDOW]
    results = []
    with tempfile.TemporaryDirectory(prefix="pb-bench-startup-") as home:
        cases = [("without the embedded browser", ["--no-browser"])]
        if not quick:
            cases.append(("with the embedded browser (QtWebEngine)", []))
        for label, extra in cases:
            app_args = ["-m", "desktop_app", "--exit-after-paint", *extra]
            ready_s: list[float] = []

            def app_sample(args: list[str] = app_args, ready: list[float] = ready_s) -> float:
                painted, handles_input = time_to_marks(args, home)
                ready.append(handles_input)
                return painted

            app_s, bare_s = alternate(app_sample, lambda: time_to_paint(bare_args, home), rounds)
            del ready_s[0]  # the discarded warm-up round
            app_ms = [v * 1000 for v in app_s]
            bare_ms = [v * 1000 for v in bare_s]
            ready_ms = [v * 1000 for v in ready_s]
            ratio = sorted(a / b for a, b in zip(app_ms, bare_ms, strict=True))[len(app_ms) // 2]
            ready_ratio = sorted(a / b for a, b in zip(ready_ms, bare_ms, strict=True))[
                len(ready_ms) // 2
            ]
            results.append(
                figure(
                    f"startup: cold start until the window handles input, {label}",
                    "ms",
                    ready_ms,
                    baseline_name="bare PySide6 QMainWindow (first paint), same run",
                    baseline_values=bare_ms,
                    ratio=ready_ratio,
                    target="informational: the app paints first, then loads asyncio/qasync",
                    passed=True,
                    notes="same processes as the first-paint figure; the `ready` line is "
                    "printed once the qasync loop runs DesktopShell.main()",
                    digits=1,
                )
            )
            results.append(
                figure(
                    f"startup: cold start to first painted window, {label}",
                    "ms",
                    app_ms,
                    baseline_name="bare PySide6 QMainWindow, same run",
                    baseline_values=bare_ms,
                    ratio=ratio,
                    target="≤ 2× the bare window",
                    passed=ratio <= 2.0,
                    notes="fresh process per sample via the `pixelbridge` entry point, "
                    "offscreen platform, bytecode cached for both (warm-up round)",
                    digits=1,
                )
            )
        runs = [demo_stalls(home) for _ in range(1 if quick else 3)]
    worst = [max(run["gaps"]) for run in runs]
    p99 = [sorted(run["gaps"])[int(len(run["gaps"]) * 0.99)] for run in runs]
    results.append(
        figure(
            "app: longest UI stall during the demo journey (embedded browser)",
            "ms",
            worst,
            target="≤ 50 ms",
            passed=max(worst) <= 50,
            notes=f"p99 gap {sorted(p99)[len(p99) // 2]:.1f} ms; heartbeat every 5 ms on the "
            "qasync loop; includes starting sandbox, relay, shop and QtWebEngine",
            digits=1,
        )
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_startup")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for row in run(args.quick):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
