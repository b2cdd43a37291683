"""Relay ingest: `POST /v1/events` with durable commit vs a bare Starlette endpoint.

A: the real relay (`RelayService`: TrustedHost + CORS middleware, body cap, JSON parsing,
   normalisation + SHA-256 of email/phone/name, validation, SQLite WAL commit through the
   group-commit writer, 202 only after the commit), twice: `durability=full` (the default,
   fsync per group commit, done by the outbox's fsync helper process) and
   `durability=process` (no fsync). No token, so nothing is delivered:
   this isolates ingest.
B: a bare Starlette endpoint on the same kind of server (`LocalServer`, same uvicorn settings)
   that reads the body, parses the JSON and answers 202.

Both run as `pixelbridge relay` runs once it listens: the startup heap frozen out of the
cyclic collector's view (`gc.freeze()`); they share this process, so the baseline does too.
The load comes from a separate process (raw asyncio sockets, keep-alive HTTP/1.1, not httpx),
so client and server do not share a GIL. A/B rounds alternate. Two figures per side:
- throughput: closed loop, 64 connections, events/s (target: relay ≥ 60 % of bare);
- latency at a fixed 500 events/s, open loop (latency counted from each request's scheduled
  time, so queueing is not hidden): p50 and p99 (target: relay p99 ≤ 5 ms).

    python -m bench.bench_relay [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import build_request, figure, http_load, median, percentile

logger = logging.getLogger(__name__)

ORIGIN = "http://127.0.0.1:8123"
PIXEL = "1234567890"
RATE = 500.0
# Many browsers post at once: with few connections a closed loop measures commit latency, not
# ingest capacity (each connection waits for its fsync before sending the next event).
CONNECTIONS = 64


def _event_body(run: str, index: int) -> bytes:
    return json.dumps(
        {
            "event_name": "Purchase",
            "event_id": f"{run}-{index}",
            "event_source_url": f"{ORIGIN}/checkout",
            "user_data": {
                "email": f"Customer.{index}@Example.com",
                "phone": "+1 (650) 555-1212",
                "first_name": "Jane",
                "last_name": "Doe",
            },
            "custom_data": {"value": 42.5, "currency": "USD", "content_ids": ["sku-1"]},
            "fbp": "fb.1.1700000000000.1234567890",
        },
        separators=(",", ":"),
    ).encode()


def _request(path: str, run: str, index: int) -> bytes:
    headers = {
        "Content-Type": "text/plain;charset=UTF-8",  # what sendBeacon sends
        "Origin": ORIGIN,
        "User-Agent": "Mozilla/5.0 (bench)",
    }
    return build_request("POST", path, body=_event_body(run, index), headers=headers)


# --- load generator (runs in a child process) ----------------------------------------------
async def _fixed_rate(
    port: int, path: str, rate: float, duration_s: float, connections: int = 16
) -> dict[str, Any]:
    from bench.common import _read_response

    run = uuid.uuid4().hex[:8]
    total = int(rate * duration_s)
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    tasks: list[asyncio.Task[None]] = []

    async def one(index: int, scheduled: float) -> None:
        reader, writer = await idle.get()
        writer.write(_request(path, run, index))
        await writer.drain()
        status = await _read_response(reader)
        latencies.append(time.perf_counter() - scheduled)
        statuses[status] = statuses.get(status, 0) + 1
        idle.put_nowait((reader, writer))

    started = time.perf_counter()
    for index in range(total):
        scheduled = started + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)  # pacing the load, not synchronising a test
        tasks.append(asyncio.create_task(one(index, scheduled)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        _reader, writer = idle.get_nowait()
        writer.close()
    return {
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "statuses": statuses,
    }


async def _closed_loop(port: int, path: str, total: int) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    result = await http_load(
        "127.0.0.1", port, lambda i: _request(path, run, i), total=total, connections=CONNECTIONS
    )
    return {"rate": result.rate, "statuses": result.statuses, "errors": result.errors}


def loadgen_main(spec: dict[str, Any]) -> None:
    if spec["mode"] == "rate":
        coro = _fixed_rate(spec["port"], spec["path"], spec["rate"], spec["duration_s"])
    else:
        coro = _closed_loop(spec["port"], spec["path"], spec["total"])
    print(json.dumps(asyncio.run(coro)), flush=True)


async def _loadgen(spec: dict[str, Any]) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.bench_relay",
        "--loadgen",
        json.dumps(spec),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 300)
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed ({proc.returncode})")
    result: dict[str, Any] = json.loads(out)
    if set(result["statuses"]) != {"202"}:  # JSON keys are strings
        raise RuntimeError(f"unexpected answers {result['statuses']} from {spec['path']}")
    return result


# --- servers ------------------------------------------------------------------------------
def _bare_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def bare(request: Request) -> JSONResponse:
        data = json.loads(await request.body())
        return JSONResponse({"accepted": 1, "event_ids": [data.get("event_id")]}, 202)

    return Starlette(routes=[Route("/bare", bare, methods=["POST"])])


def _helpers_cpu(relays: list[Any]) -> float:
    """CPU seconds of the outboxes' fsync helper processes (Linux /proc; 0 elsewhere)."""
    total = 0.0
    for relay in relays:
        pid = relay.outbox.fsync_helper_pid
        try:
            stat = Path(f"/proc/{pid}/stat").read_text() if pid else ""
        except OSError:
            continue
        if stat:  # utime and stime, fields 14 and 15, after the parenthesised name
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def _measure(quick: bool) -> list[dict[str, Any]]:
    from desktop_app.services.http_server import LocalServer
    from desktop_app.services.relay import RelayService, RelaySettings
    from desktop_app.tagger.config import parse_config

    rounds = 3 if quick else 7
    total = 2000 if quick else 6000
    duration_s = 2.0 if quick else 6.0
    config = parse_config({"pixel_id": PIXEL, "rules": [], "site": {"url": ORIGIN + "/"}})
    sides: dict[str, tuple[int, str]] = {}
    relays: list[RelayService] = []
    with tempfile.TemporaryDirectory(prefix="bench-relay-") as tmp:
        for durability in ("full", "process"):
            settings = RelaySettings(data_dir=Path(tmp) / durability, durability=durability)
            relay = RelayService(config, settings, lambda: None)
            url = await relay.start()
            relays.append(relay)
            sides[durability] = (int(url.rsplit(":", 1)[1]), "/v1/events")
        bare = LocalServer(_bare_app(), name="bare")
        await bare.start()
        sides["bare"] = (bare.port, "/bare")
        # As `pixelbridge relay` does once it listens: the startup heap leaves the cyclic
        # collector's view (bare and relay share this process, so both run this way).
        gc.freeze()
        rates: dict[str, list[float]] = {side: [] for side in sides}
        cpu_us: dict[str, list[float]] = {side: [] for side in sides}
        p50: dict[str, list[float]] = {side: [] for side in sides}
        p99: dict[str, list[float]] = {side: [] for side in sides}
        try:
            for index in range(rounds + 1):  # round 0 warms up and is discarded
                order = list(sides) if index % 2 else list(reversed(sides))
                for side in order:
                    port, path = sides[side]
                    # this process (the servers, not the load) and the outbox's fsync helper
                    cpu_before = time.process_time() + _helpers_cpu(relays)
                    closed = await _loadgen(
                        {"mode": "closed", "port": port, "path": path, "total": total}
                    )
                    cpu_spent = time.process_time() + _helpers_cpu(relays) - cpu_before
                    paced = await _loadgen(
                        {
                            "mode": "rate",
                            "port": port,
                            "path": path,
                            "rate": RATE,
                            "duration_s": duration_s,
                        }
                    )
                    if index:
                        rates[side].append(closed["rate"])
                        cpu_us[side].append(cpu_spent / total * 1e6)
                        p50[side].append(paced["p50_ms"])
                        p99[side].append(paced["p99_ms"])
            stored = sum(r.health()["queue_depth"] for r in relays)
        finally:
            gc.unfreeze()  # the next benchmarks in this process measure with the default
            await bare.stop()
            for relay in relays:
                await relay.stop()
    note = f"{rounds} A/B rounds, {CONNECTIONS} connections; {stored} events committed"
    labels = {
        "full": "durability=full (fsync per group commit)",
        "process": "durability=process (no fsync)",
    }
    figures: list[dict[str, Any]] = []
    for side in ("full", "process"):
        share = median([a / b for a, b in zip(rates[side], rates["bare"], strict=True)])
        figures += [
            figure(
                f"relay ingest throughput, {labels[side]}",
                "events/s",
                rates[side],
                baseline_name="bare Starlette endpoint",
                baseline_values=rates["bare"],
                target="≥ 0.6 × bare",
                passed=share >= 0.6,
                notes=note,
                digits=1,
            ),
            figure(
                f"server CPU per event, {labels[side]}",
                "µs",
                cpu_us[side],
                baseline_name="bare Starlette endpoint",
                baseline_values=cpu_us["bare"],
                notes="CPU time of the serving process (threads included) and of the outbox's "
                "fsync helper process during the throughput runs ÷ events: less sensitive to "
                "a busy machine than events/s",
                digits=1,
            ),
            figure(
                f"relay ingest p99 at 500 events/s, {labels[side]}",
                "ms",
                p99[side],
                baseline_name="bare Starlette endpoint p99",
                baseline_values=p99["bare"],
                target="≤ 5 ms",
                passed=median(p99[side]) <= 5.0,
                notes="open loop, latency from the scheduled send time",
                digits=2,
            ),
            figure(
                f"relay ingest p50 at 500 events/s, {labels[side]}",
                "ms",
                p50[side],
                baseline_name="bare Starlette endpoint p50",
                baseline_values=p50["bare"],
                digits=2,
            ),
        ]
    return figures


def run(quick: bool) -> list[dict[str, Any]]:
    return asyncio.run(_measure(quick))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--loadgen", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loadgen:
        loadgen_main(json.loads(args.loadgen))
        return
    logging.basicConfig(level=logging.WARNING)
    for row in run(args.quick):
        print(json.dumps(row))


if __name__ == "__main__":
    main()
