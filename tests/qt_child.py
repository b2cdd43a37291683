"""Run a test's Qt/QtWebEngine part in a child interpreter and read the one JSON line it prints.

QtWebEngine reads its remote-debugging settings once, before its first object exists, so tests
that need a fresh embedded browser (or a restart) run their Qt side as a script of their own.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


async def run_qt_child(script: Path, *args: str, timeout_s: float = 150) -> dict[str, Any]:
    """`script ARGS` offscreen, with the repo and `tests/` importable; its last stdout line."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(TESTS)])
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    assert proc.returncode == 0, err.decode()[-3000:]
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


def run_embedded_scenario(
    scenario: Callable[[str], Coroutine[Any, Any, dict[str, Any]]], timeout_s: float
) -> None:
    """The child's side: open QtWebEngine's CDP port, run `scenario(endpoint)` on a qasync
    loop, print its result as the one JSON line the parent reads, and leave at once."""
    import qasync

    from desktop_app.services.embedded_browser import prepare_environment

    endpoint = prepare_environment()  # before any QtWebEngine object exists
    from desktop_app.views.qt import QApplication, share_gl_contexts

    share_gl_contexts()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # the scenario closes its windows itself
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        result = runner.run(asyncio.wait_for(scenario(endpoint), timeout_s))
    print(json.dumps(result), flush=True)
    sys.stdout.flush()
    os._exit(0)  # QtWebEngine's teardown at interpreter exit is not under test here
