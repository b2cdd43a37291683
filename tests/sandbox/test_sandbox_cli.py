"""`pixelbridge sandbox` as a user runs it: first line, real requests, clean exit on signals."""

from __future__ import annotations

import json
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

TOKEN = "EAAclitesttoken0123456789"


def _first_line(proc: subprocess.Popen[str], timeout_s: float = 15.0) -> str:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout_s):
            raise AssertionError("no first line from the sandbox in time")
    return proc.stdout.readline().rstrip("\n")


@contextmanager
def _sandbox(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc, _first_line(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serves_until_signal_then_exits_0(make_event: Any, stop_signal: signal.Signals) -> None:
    with _sandbox("--token", TOKEN) as (proc, line):
        assert line.startswith("listening on http://127.0.0.1:")
        url = line.removeprefix("listening on ")
        accepted = httpx.post(
            f"{url}/v26.0/555/events",
            params={"access_token": TOKEN},
            data={"data": json.dumps([make_event("cli-1")])},
        )
        assert accepted.status_code == 200, accepted.text
        refused = httpx.post(f"{url}/v26.0/555/events", data={"data": "[]"})
        assert refused.json()["error"]["code"] == 190
        listed = httpx.get(f"{url}/_sandbox/events", params={"pixel_id": "555"}).json()
        assert [e["event_id"] for e in listed["events"]] == ["cli-1"]
        proc.send_signal(stop_signal)
        assert proc.wait(timeout=10) == 0
        assert proc.stderr is not None
        assert TOKEN not in proc.stderr.read()


def test_busy_port_is_one_line_error_not_a_traceback() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "desktop_app", "sandbox", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert "could not listen" in done.stderr


def test_bad_port_is_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "sandbox", "--port", "70000"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert done.returncode == 2
    assert "--port" in done.stderr
