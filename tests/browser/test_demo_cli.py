"""`pixelbridge demo` as a user runs it: a subprocess, real Chromium, files checked afterwards."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.commands import demo as demo_command

EMAIL = "Mirabel.Oakhurst@Example.net"
PHONE = "+1 (415) 555-0187"
CUSTOMER_ARGS = ("--email", EMAIL, "--phone", PHONE)
RAW_FORMS = (EMAIL, EMAIL.lower(), "Oakhurst", "4155550187", "14155550187", PHONE)


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    # Chromium's singleton socket path under TMPDIR must stay within AF_UNIX's 108 bytes.
    path = Path(tempfile.mkdtemp(prefix="pb-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _pixelbridge() -> list[str]:
    script = Path(sys.executable).with_name("pixelbridge")
    return [str(script)] if script.exists() else [sys.executable, "-m", "desktop_app"]


def _env(home: Path, temp: Path, *, display: bool = False) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHON_KEYRING_BACKEND", None)  # the tests' in-memory keyring is not importable there
    env.update(PIXELBRIDGE_HOME=str(home), TMPDIR=str(temp))
    if not display:
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
    return env


def _grep(roots: list[Path], needles: tuple[str, ...]) -> list[str]:
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes().lower()
                found += [
                    f"{path}: {n}"
                    for n in needles
                    if n.lower().encode() in data or n.lower().encode("utf-16-le") in data
                ]
    return found


def _processes_mentioning(text: str) -> list[str]:
    hits = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if text in cmd:
                hits.append(f"{entry.name}: {cmd[:120]}")
    return hits


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(120)
def test_headless_demo_subprocess_writes_the_report(tmp_path: Path, short_tmp: Path) -> None:
    home = tmp_path / "home"
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [*_pixelbridge(), "demo", "--headless", "--report", str(report), *CUSTOMER_ARGS],
        env=_env(home, short_tmp, display=True),
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "4 of 4 conversions counted once" in proc.stdout
    data = json.loads(report.read_text(encoding="utf-8"))
    assert set(data) >= {"pairs", "summary"}
    assert data["summary"]["all_counted_once"] is True
    conversions = [p for p in data["pairs"] if p["event_name"] != "PageView"]
    assert sorted(p["event_name"] for p in conversions) == [
        "AddToCart",
        "InitiateCheckout",
        "Purchase",
        "ViewContent",
    ]
    for pair in conversions:
        assert pair["verdict"] == "deduplicated"
        for side in ("pixel", "server"):
            assert pair[side]["event_name"] == pair["event_name"]
            assert pair[side]["event_id"] == pair["event_id"]
    assert {p["verdict"] for p in data["pairs"] if p["event_name"] == "PageView"} == {"pixel_only"}
    # No raw customer data in the report, the home (relay store, logs), temp files or output.
    assert _grep([home, short_tmp, tmp_path], RAW_FORMS) == []
    for stream in (proc.stdout, proc.stderr):
        assert not [n for n in RAW_FORMS if n.lower() in stream.lower()]
    # No Chromium left running from this run (its profile lived under our TMPDIR).
    assert _processes_mentioning(str(short_tmp)) == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(120)
def test_no_display_runs_headless_and_writes_a_screenshot(tmp_path: Path, short_tmp: Path) -> None:
    shot = tmp_path / "window.png"
    proc = subprocess.run(
        [*_pixelbridge(), "demo", "--screenshot", str(shot)],
        env=_env(tmp_path / "home", short_tmp, display=False),
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "counted once" in proc.stdout
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--email", "not-an-email"], "--email"),
        (["--phone", "12"], "--phone"),
        (["--report", "/nonexistent-dir/r.json"], "does not exist"),
        (["--screenshot", "/nonexistent-dir/s.png"], "does not exist"),
        (["--report", "."], "is a folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--headless", *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


@pytest.mark.parametrize(
    ("env", "headless_flag", "expected"),
    [
        ({}, False, "headless"),
        ({"DISPLAY": ":0"}, True, "headless"),
        ({"DISPLAY": ":0"}, False, "desktop"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, False, "desktop"),
    ],
)
def test_window_only_with_a_display_and_without_headless(
    env: dict[str, str],
    headless_flag: bool,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import desktop_app.app

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    calls: list[str] = []

    def fake_desktop(args: argparse.Namespace) -> int:
        assert args.demo is True
        calls.append("desktop")
        return 0

    def fake_headless(customer: object, **kwargs: object) -> int:
        calls.append("headless")
        return 0

    monkeypatch.setattr(desktop_app.app, "run_desktop", fake_desktop)
    monkeypatch.setattr(demo_command, "run_headless", fake_headless)
    argv = ["demo", "--headless"] if headless_flag else ["demo"]
    assert main(argv) == 0
    assert calls == [expected]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(120)
def test_ctrl_c_mid_demo_stops_everything(tmp_path: Path, short_tmp: Path) -> None:
    import signal

    proc = subprocess.Popen(
        [*_pixelbridge(), "demo", "--headless"],
        env=_env(tmp_path / "home", short_tmp, display=False),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # ends at EOF if the demo dies first; the timeout bounds it
        seen.append(line)
        if "Adding it to the cart" in line:  # mid-walk: Chromium, relay, shop all running
            proc.send_signal(signal.SIGINT)
            break
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 130, "".join(seen) + rest
    assert "Traceback" not in rest
    assert _processes_mentioning(str(short_tmp)) == []
    assert list(short_tmp.iterdir()) == []  # Chromium's profile was removed too


def test_unusable_data_folder_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home-is-a-file"
    home.write_text("", encoding="utf-8")
    monkeypatch.setenv("PIXELBRIDGE_HOME", str(home))
    assert main(["demo", "--headless"]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("  ")]
    assert len(err) == 1 and "could not start the demo services" in err[0], err
