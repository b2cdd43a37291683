"""Shared helpers for `bench/bench_*.py`: statistics, A/B rounds, figures, a loopback load
generator, peak memory.

Absolute times drift on these shared 2-core machines; ratios measured in the same run hold.
So every benchmark measures its baseline in the same process run, alternating A/B rounds, and
reports the median with its spread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import resource
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

FIGURE_KEYS = (
    "name",
    "unit",
    "value",
    "spread",
    "baseline_name",
    "baseline_value",
    "ratio",
    "target",
    "passed",
    "notes",
)


# --- statistics ---------------------------------------------------------------------------
def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def spread(values: Sequence[float]) -> float:
    """IQR with 4+ samples (robust to one outlier), else max - min."""
    if len(values) < 2:
        return 0.0
    if len(values) >= 4:
        q = statistics.quantiles(values, n=4, method="inclusive")
        return float(q[2] - q[0])
    return float(max(values) - min(values))


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100) by linear interpolation."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return float(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo))


# --- A/B rounds ---------------------------------------------------------------------------
def alternate(
    a: Callable[[], float], b: Callable[[], float], rounds: int, *, warmup: bool = True
) -> tuple[list[float], list[float]]:
    """Run A and B alternately (ABBA order, so neither always goes first); each returns a
    measurement. A warm-up pair is run first and discarded."""
    if warmup:
        a()
        b()
    results_a: list[float] = []
    results_b: list[float] = []
    for index in range(rounds):
        if index % 2 == 0:
            results_a.append(a())
            results_b.append(b())
        else:
            results_b.append(b())
            results_a.append(a())
    return results_a, results_b


def ratios(a: Sequence[float], b: Sequence[float]) -> list[float]:
    """Per-round A/B ratios (rounds are paired, so drift between rounds cancels)."""
    return [x / y for x, y in zip(a, b, strict=True) if y]


def timed(fn: Callable[[], Any]) -> float:
    """Seconds taken by one call."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# --- figures ------------------------------------------------------------------------------
def figure(
    name: str,
    unit: str,
    values: Sequence[float],
    *,
    baseline_name: str | None = None,
    baseline_values: Sequence[float] | None = None,
    ratio: float | None = None,
    target: str | None = None,
    passed: bool | None = None,
    notes: str = "",
    digits: int = 3,
) -> dict[str, Any]:
    """One result row in the runner's shape. `ratio` defaults to the median of per-round
    value/baseline ratios when both sides have the same number of rounds."""
    value = median(values)
    baseline_value = median(baseline_values) if baseline_values else None
    if ratio is None and baseline_values:
        if len(baseline_values) == len(values):
            ratio = median(ratios(values, baseline_values))
        elif baseline_value:
            ratio = value / baseline_value
    return {
        "name": name,
        "unit": unit,
        "value": round(value, digits),
        "spread": round(spread(values), digits),
        "baseline_name": baseline_name,
        "baseline_value": None if baseline_value is None else round(baseline_value, digits),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "passed": passed,
        "notes": notes,
    }


# --- memory -------------------------------------------------------------------------------
def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (since start or the last reset)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_rss_mib() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def reset_peak_rss() -> bool:
    """Reset the peak (Linux ≥ 4.0: writing 5 to clear_refs resets VmHWM). False if not."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def measure_peak_rss(fn: Callable[[], Any]) -> tuple[Any, float]:
    """(result, peak RSS in MiB while `fn` ran, including what the process held before)."""
    reset_peak_rss()
    result = fn()
    return result, peak_rss_mib()


# --- loopback HTTP/1.1 load generator -------------------------------------------------------
def build_request(
    method: str,
    path: str,
    *,
    host: str = "127.0.0.1",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> bytes:
    """One raw HTTP/1.1 request (keep-alive) ready to write on a socket."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}")
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass(slots=True)
class LoadResult:
    requests: int = 0
    elapsed_s: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0

    def latency_ms(self, p: float) -> float:
        return percentile(self.latencies_s, p) * 1000


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one response; return its status. Handles Content-Length and chunked bodies."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, _, header_block = head.partition(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    chunked = False
    for line in header_block.split(b"\r\n"):
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value.strip())
        elif lowered == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def http_load(
    host: str,
    port: int,
    make_request: Callable[[int], bytes],
    *,
    total: int,
    connections: int = 8,
    pipeline: int = 1,
) -> LoadResult:
    """Send `total` requests over `connections` keep-alive connections, `pipeline` requests in
    flight per connection. `make_request(i)` builds request i (prebuild for speed). Latency is
    from writing a request to reading its whole response (queueing included when pipelined).
    """
    result = LoadResult()
    counter = iter(range(total))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                batch = [i for _, i in zip(range(pipeline), counter, strict=False)]
                if not batch:
                    return
                sent_at = time.perf_counter()
                writer.write(b"".join(make_request(i) for i in batch))
                await writer.drain()
                for _ in batch:
                    try:
                        status = await _read_response(reader)
                    except (asyncio.IncompleteReadError, ConnectionError):
                        result.errors += 1
                        return
                    result.latencies_s.append(time.perf_counter() - sent_at)
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    result.requests += 1
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(max(1, connections))))
    result.elapsed_s = time.perf_counter() - started
    return result


async def wait_for(condition: Callable[[], bool], timeout_s: float, poll_s: float = 0.005) -> bool:
    """Poll `condition` until true or `timeout_s` passes (bounded; for benchmarks only)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(poll_s)
    return True


def run_async[T](factory: Callable[[], Awaitable[T]]) -> T:
    """Run one coroutine on a fresh plain asyncio loop (benchmarks need no Qt loop)."""

    async def main() -> T:
        return await factory()

    return asyncio.run(main())
