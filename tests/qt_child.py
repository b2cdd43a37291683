"""Run a test's Qt/QtWebEngine part in a child interpreter and read the one JSON line it prints.

QtWebEngine reads its remote-debugging settings once, before its first object exists, so tests
that need a fresh embedded browser (or a restart) run their Qt side as a script of their own.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
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
