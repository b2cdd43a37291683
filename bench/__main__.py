"""Run every `bench/bench_*.py`, print a PASS/MISS table and write `docs/benchmarks.md`.

    python -m bench [--quick] [--only NAME ...] [--out docs/benchmarks.md]

Each module runs in its own child process (`--worker`), so one that crashes, hangs or leaks
(Qt, Chromium, memory) cannot take the others down or skew their figures; its failure is
reported as ERROR with its message and the others still run. Modules run one after another:
the machine has 2 cores and the figures are timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.common import FIGURE_KEYS

logger = logging.getLogger(__name__)

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"
TIMEOUT_S = {True: 180.0, False: 1800.0}  # per module, quick / full (generous: shared cores)
PACKAGES = (
    "PySide6",
    "qasync",
    "starlette",
    "uvicorn",
    "httpx",
    "playwright",
    "facebook-business",
    "aiohttp",
)


def discover() -> list[str]:
    """Module names (`bench_x`) in file order."""
    return sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))


def _select(names: list[str], only: list[str] | None) -> list[str]:
    if not only:
        return names
    wanted = {w if w.startswith("bench_") else f"bench_{w}" for o in only for w in o.split(",")}
    unknown = wanted - set(names)
    if unknown:
        raise SystemExit(f"bench: unknown benchmark(s): {', '.join(sorted(unknown))}")
    return [n for n in names if n in wanted]


# --- child process ----------------------------------------------------------------------
def _worker(name: str, quick: bool, result_path: Path) -> int:
    module = importlib.import_module(f"bench.{name}")
    rows = module.run(quick)
    result_path.write_text(json.dumps(rows, default=str), encoding="utf-8")
    return 0


def run_module(name: str, quick: bool) -> tuple[list[dict[str, Any]], str | None, float]:
    """(figures, error message or None, seconds) for one module, run in a child process."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pixelbridge-bench-") as tmp:
        result_path = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "bench", "--worker", name, "--result", str(result_path)]
        if quick:
            command.append("--quick")
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, "PYTHONPATH": path}
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        try:
            done = subprocess.run(
                command,
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S[quick],
                check=False,
            )
        except subprocess.TimeoutExpired:
            return [], f"timed out after {TIMEOUT_S[quick]:.0f} s", time.perf_counter() - started
        elapsed = time.perf_counter() - started
        if done.returncode != 0 or not result_path.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()
            message = tail[-1] if tail else f"exit code {done.returncode}"
            return [], f"{message} (exit {done.returncode})", elapsed
        try:
            rows = json.loads(result_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            return [], f"unreadable result: {exc}", elapsed
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return [], "run() must return a list of dicts", elapsed
    return [_complete(r) for r in rows], None, elapsed


def _complete(row: dict[str, Any]) -> dict[str, Any]:
    missing = [k for k in FIGURE_KEYS if k not in row]
    full = {k: row.get(k) for k in FIGURE_KEYS}
    if missing:
        full["notes"] = f"{full.get('notes') or ''} [missing keys: {', '.join(missing)}]".strip()
    return full


# --- rendering ----------------------------------------------------------------------------
def verdict(row: dict[str, Any]) -> str:
    if row["passed"] is True:
        return "PASS"
    if row["passed"] is False:
        return "MISS"
    return "—"


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def _cells(row: dict[str, Any]) -> list[str]:
    unit = row["unit"] or ""
    baseline = "—"
    if row["baseline_name"]:
        baseline = f"{row['baseline_name']}: {_num(row['baseline_value'])} {unit}".strip()
    ratio = f"{row['ratio']:.3g}×" if isinstance(row["ratio"], int | float) else "—"
    return [
        str(row["name"]),
        f"{_num(row['value'])} {unit}".strip(),
        f"±{_num(row['spread'])}" if row["spread"] is not None else "—",
        baseline,
        ratio,
        str(row["target"] or "—"),
        verdict(row),
    ]


HEADER = ["figure", "median", "spread", "baseline (same run)", "ratio", "target", "result"]


def print_table(results: list[tuple[str, list[dict[str, Any]], str | None, float]]) -> None:
    lines = [HEADER]
    for name, rows, error, _ in results:
        if error:
            lines.append([name, "ERROR", "", "", "", "", error[:80]])
        lines.extend(_cells(r) for r in rows)
    widths = [min(48, max(len(line[i]) for line in lines)) for i in range(len(HEADER))]
    for index, line in enumerate(lines):
        print("  ".join(cell[:48].ljust(widths[i]) for i, cell in enumerate(line)))
        if index == 0:
            print("  ".join("-" * w for w in widths))


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        ram = f"{mem_kib / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        ram = "unknown"
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "packages": ", ".join(versions),
    }


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(
    results: list[tuple[str, list[dict[str, Any]], str | None, float]], quick: bool
) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# PixelBridge benchmarks",
        "",
        "Generated by `python -m bench"
        + (" --quick" if quick else "")
        + "`; do not edit by hand (explanations of a MISS belong in the benchmark's notes).",
        "Each figure is the median over repeats with its spread (IQR with 4+ repeats, else",
        "max − min); the baseline is measured in the same run, rounds alternating A/B, and the",
        "ratio is value ÷ baseline.",
        "",
        f"- Date: {now}" + (" (quick mode: smallest sizes, indicative only)" if quick else ""),
    ]
    out += [f"- {key}: {value}" for key, value in machine().items()]
    out += ["", "| benchmark | figures | PASS | MISS | no target | error | ran in |"]
    out.append("|---|---|---|---|---|---|---|")
    for name, rows, error, elapsed in results:
        counts = [sum(1 for r in rows if verdict(r) == v) for v in ("PASS", "MISS", "—")]
        cells = [
            name,
            str(len(rows)),
            *map(str, counts),
            "ERROR" if error else "",
            f"{elapsed:.1f} s",
        ]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    for name, rows, error, elapsed in results:
        out += [f"## {name}", "", f"Ran in {elapsed:.1f} s.", ""]
        if error:
            out += [f"**ERROR**: {_md(error)}", ""]
            continue
        out.append("| " + " | ".join(HEADER) + " |")
        out.append("|" + "---|" * len(HEADER))
        out += ["| " + " | ".join(_md(c) for c in _cells(r)) + " |" for r in rows]
        notes = [(r["name"], r["notes"]) for r in rows if r["notes"]]
        if notes:
            out.append("")
            out += [f"- **{_md(n)}**: {_md(text)}" for n, text in notes]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smallest sizes (seconds)")
    parser.add_argument("--only", action="append", help="run only this benchmark (repeatable)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"markdown report path (default {DEFAULT_OUT.relative_to(ROOT)}; with --only, "
        "no report unless --out is given, so a partial run never replaces the full one)",
    )
    parser.add_argument("--list", action="store_true", help="list benchmarks and exit")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args.worker, args.quick, args.result)
    names = _select(discover(), args.only)
    if args.list:
        print("\n".join(names))
        return 0
    results = []
    for name in names:
        print(f"running {name}{' (quick)' if args.quick else ''} …", file=sys.stderr, flush=True)
        rows, error, elapsed = run_module(name, args.quick)
        results.append((name, rows, error, elapsed))
        status = f"ERROR: {error}" if error else f"{len(rows)} figure(s)"
        print(f"  {name}: {status} in {elapsed:.1f} s", file=sys.stderr, flush=True)
    print_table(results)
    out: Path | None = args.out or (None if args.only else DEFAULT_OUT)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_markdown(results, args.quick), encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    return 1 if any(error for _, _, error, _ in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
