"""`python -m bench --quick` runs every benchmark end to end (a smoke test, not a timing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import discover

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(900)  # every module's quick mode, one after another, on shared cores
def test_quick_run_covers_every_benchmark(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=880,
        check=False,
    )
    report = out.read_text(encoding="utf-8")
    names = discover()
    assert "bench_delivery" in names
    for name in names:
        assert f"## {name}" in report, name
    errors = [line for line in report.splitlines() if line.startswith("**ERROR**")]
    assert errors == [], errors
    assert done.returncode == 0, done.stderr[-2000:]
    # Every figure row carries a verdict, and the machine is described.
    assert "| figure | median |" in report
    assert "- CPU: " in report
    assert "- Python: " in report
    assert "delivery throughput to the sandbox" in done.stdout
