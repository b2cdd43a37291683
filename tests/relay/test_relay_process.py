"""`pixelbridge relay` as a real process: listening line, SIGKILL mid-batch, SIGTERM drain.

The Graph stand-in runs in the test's loop; the relay is a subprocess on its own data dir.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import PIXEL, SITE, Harness, alive, mirror, wait_for

TOKEN = "EAAprocess" + "t" * 30


def write_config(path: Path) -> Path:
    path.write_text(
        json.dumps({"pixel_id": PIXEL, "rules": [], "site": {"url": SITE}}), encoding="utf-8"
    )
    return path


@asynccontextmanager
async def relay_process(
    config: Path, graph_url: str, data_dir: Path, *extra: str
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    env = {**os.environ, "PIXELBRIDGE_ACCESS_TOKEN": TOKEN}
    env.pop("PYTHON_KEYRING_BACKEND", None)  # the token comes from the environment here
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "desktop_app",
        "relay",
        "--config",
        str(config),
        "--graph-url",
        graph_url,
        "--data-dir",
        str(data_dir),
        *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
        assert line.startswith("listening on http://127.0.0.1:"), line
        yield proc, line.removeprefix("listening on ")
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def post_events(url: str, ids: list[str]) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{url}/v1/events",
            content=json.dumps({"events": [mirror(i) for i in ids]}),
            headers={"content-type": "application/json"},
        )
    assert answer.status_code == 202, answer.text


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


@pytest.mark.asyncio
@pytest.mark.slow
async def test_sigkill_mid_batch_then_restart_delivers_everything(
    harness: Any, tmp_path: Path
) -> None:
    async with harness() as h:
        await _crash_and_resume(h, tmp_path)


async def _crash_and_resume(h: Harness, tmp_path: Path) -> None:
    config = write_config(tmp_path / "tags.json")
    data_dir = tmp_path / "data"
    # Meta receives the first batch but the relay never hears back before it dies.
    h.standin.script = [("hang", "count")]
    first = [f"k{i}" for i in range(40)]
    later = [f"q{i}" for i in range(25)]
    async with relay_process(config, h.graph_url, data_dir) as (proc, url):
        await post_events(url, first)
        await asyncio.wait_for(h.standin.hanging.wait(), 10)
        await post_events(url, later)  # acknowledged (durable) while the batch is in flight
        helpers = _children(proc.pid)  # the outbox's fsync helper
        assert helpers
        proc.send_signal(signal.SIGKILL)
        assert await proc.wait() == -signal.SIGKILL
        # the kernel closed the relay's socket end: the helper exits instead of lingering
        assert await wait_for(lambda: not any(alive(p) for p in helpers), timeout_s=10)
    h.standin.release()
    assert await wait_for(lambda: len(h.standin.delivered) == len(first), timeout_s=5)
    async with relay_process(config, h.graph_url, data_dir) as (proc, url):
        everything = set(first + later)
        assert await wait_for(lambda: set(h.standin.delivered) == everything, timeout_s=20)
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
    # at-least-once: the in-flight batch was sent again with the same event_ids only
    assert all(h.standin.delivered[i] == 2 for i in first)
    assert all(h.standin.delivered[i] == 1 for i in later)


@pytest.mark.asyncio
@pytest.mark.slow
async def test_sigterm_finishes_the_request_in_flight_and_logs_json(
    harness: Any, tmp_path: Path
) -> None:
    async with harness() as h:
        config = write_config(tmp_path / "tags.json")
        data_dir = tmp_path / "data"
        h.standin.script = [("hang", "count")]
        async with relay_process(config, h.graph_url, data_dir, "--timeout", "20") as (
            proc,
            url,
        ):
            await post_events(url, ["s1", "s2"])
            await asyncio.wait_for(h.standin.hanging.wait(), 10)
            proc.send_signal(signal.SIGTERM)
            # shutdown waits for Meta's answer to the batch in flight
            assert not await wait_for(lambda: proc.returncode is not None, timeout_s=0.3)
            h.standin.release()
            assert await asyncio.wait_for(proc.wait(), 15) == 0
            assert proc.stderr is not None
            stderr = (await proc.stderr.read()).decode()
        with sqlite3.connect(data_dir / "outbox.sqlite3") as db:
            statuses = dict(db.execute("SELECT event_id, status FROM events").fetchall())
        assert statuses == {"s1": "delivered", "s2": "delivered"}
        records = [json.loads(line) for line in stderr.splitlines() if line.strip()]
        assert any(r["msg"] == "relay stopped" for r in records)
        assert TOKEN not in stderr
        stored = (data_dir / "outbox.sqlite3").read_bytes().decode("latin-1").lower()
        assert TOKEN.lower() not in stored and "jane" not in stored  # no token, no raw PII


def test_cli_usage_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    import subprocess

    def relay(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop_app", "relay", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    missing = relay("--config", str(tmp_path / "nope.json"))
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "nope.json" in missing.stderr
    no_flag = relay()
    assert no_flag.returncode == 2 and "--config" in no_flag.stderr
    helped = relay("--help")
    assert helped.returncode == 0 and "PIXELBRIDGE_ACCESS_TOKEN" in helped.stdout
    assert "--token" not in helped.stdout  # never a flag
