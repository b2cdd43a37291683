"""Pairing at scale: 1 M Pixel + 1 M server observations → verdicts, time and peak memory.

Target (issue 7): ≤ 3 s and ≤ 1 GB. Baseline, measured in the same run on the same inputs: a
naive pairing that a first version would write — a nested dict pixel → name → id → list of
both sides, then a walk that only says "deduplicated / pixel_only / server_only" (no content
signatures, no repeat detection, no warnings). Rounds alternate A/B. Peak memory is the peak
RSS of a fresh child process that builds the inputs and pairs them once (inputs included);
the pairing's own share is reported in the notes.

    python -m bench.bench_pairing --quick
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import multiprocessing
import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from desktop_app.capi.dedup import pair_events
from desktop_app.capi.observations import PixelObservation, ServerObservation

logger = logging.getLogger(__name__)

T0 = 1_764_220_000.0
TIME_TARGET_S = 3.0
MEMORY_TARGET_MB = 1024.0
EVENTS = ("ViewContent", "AddToCart", "InitiateCheckout", "Purchase")


def make_inputs(n: int) -> tuple[list[PixelObservation], list[ServerObservation]]:
    """n conversions: ~94 % paired, 2 % browser only, 2 % server only, 1 % lowercase name on the
    server, 1 % reload with a new id; each pixel has its own page URL, fbp and custom data."""
    pixels: list[PixelObservation] = []
    servers: list[ServerObservation] = []
    for i in range(n):
        name = EVENTS[i % 4]
        eid = f"evt-{i:08d}-5f0c2a"
        at = T0 + i * 0.01
        url = f"https://shop.example/p/{i // 4}"
        fbp = f"fb.1.1764219000000.{i // 4}"
        value = f"{(i % 97) + 0.5:.2f}"
        kind = i % 100
        if kind != 97:  # 97: blocked pixel (server only)
            pixels.append(
                PixelObservation(
                    pixel_id="1234567890",
                    event_name=name,
                    event_id=eid,
                    url=url,
                    observed_at=at,
                    custom_data={"value": value, "currency": "EUR"},
                    user_data_keys=("ud[em]",),
                    fbp=fbp,
                    page_load=f"{int(at * 1000)}",
                )
            )
        if kind == 98:  # relay down: browser only
            continue
        server_name = name.lower() if kind == 96 else name
        servers.append(
            ServerObservation(
                pixel_id="1234567890",
                event_name=server_name,
                event_id=eid,
                event_time=int(at),
                payload={
                    "event_name": server_name,
                    "event_id": eid,
                    "event_time": int(at),
                    "event_source_url": url,
                    "user_data": {"em": ["e3b0c442"], "fbp": fbp},
                    "custom_data": {"value": float(value), "currency": "EUR"},
                },
                sent_at=at + 0.2,
            )
        )
    return pixels, servers


def naive_pairing(
    pixels: list[PixelObservation], servers: list[ServerObservation]
) -> list[tuple[str, PixelObservation | None, ServerObservation | None]]:
    tree: dict[str | None, dict[str, dict[str | None, list[list[Any]]]]] = {}
    for p in pixels:
        slot = tree.setdefault(p.pixel_id, {}).setdefault(p.event_name, {})
        slot.setdefault(p.event_id, [[], []])[0].append(p)
    for s in servers:
        slot = tree.setdefault(s.pixel_id, {}).setdefault(s.event_name, {})
        slot.setdefault(s.event_id, [[], []])[1].append(s)
    out: list[tuple[str, PixelObservation | None, ServerObservation | None]] = []
    for names in tree.values():
        for ids in names.values():
            for ps, ss in ids.values():
                p = ps[0] if ps else None
                s = ss[0] if ss else None
                verdict = "deduplicated" if p and s else ("pixel_only" if p else "server_only")
                out.append((verdict, p, s))
    return out


def _time_once(fn: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    del result
    return elapsed


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _memory_child(n: int, which: str, queue: Any) -> None:
    pixels, servers = make_inputs(n)
    gc.collect()
    inputs_mb = _rss_mb()
    fn = pair_events if which == "pair_events" else naive_pairing
    result = fn(pixels, servers)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({"inputs_mb": inputs_mb, "peak_mb": peak_mb, "results": len(result)})


def measure_memory(n: int, which: str) -> dict[str, float]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_memory_child, args=(n, which, queue))
    child.start()
    data: dict[str, float] = queue.get(timeout=600)
    child.join(60)
    return data


def _spread(values: list[float]) -> float:
    return max(values) - min(values) if values else 0.0


def run(quick: bool) -> list[dict[str, Any]]:
    n = 100_000 if quick else 1_000_000
    rounds = 3 if quick else 3
    pixels, servers = make_inputs(n)
    ours: list[float] = []
    naive: list[float] = []
    for _ in range(rounds):  # alternate A/B so drift hits both equally
        ours.append(_time_once(lambda: pair_events(pixels, servers)))
        naive.append(_time_once(lambda: naive_pairing(pixels, servers)))
    pairs = pair_events(pixels, servers)
    verdicts: dict[str, int] = {}
    for pair in pairs:
        verdicts[pair.verdict] = verdicts.get(pair.verdict, 0) + 1
    del pairs, pixels, servers
    gc.collect()
    mem = measure_memory(n, "pair_events")
    mem_naive = measure_memory(n, "naive")
    ours_s, naive_s = statistics.median(ours), statistics.median(naive)
    scale = "" if n == 1_000_000 else f" (quick: {n:,} per side; target applies to 1 M)"
    return [
        {
            "name": f"pairing time, {n:,} pixel + ~{n:,} server observations",
            "unit": "s",
            "value": round(ours_s, 3),
            "spread": round(_spread(ours), 3),
            "baseline_name": "naive nested-dict pairing (no rules, no warnings)",
            "baseline_value": round(naive_s, 3),
            "ratio": round(ours_s / naive_s, 2) if naive_s else None,
            "target": TIME_TARGET_S * n / 1_000_000,
            "passed": ours_s <= TIME_TARGET_S * n / 1_000_000,
            "notes": f"median of {rounds} alternating rounds; verdicts {verdicts}{scale}",
        },
        {
            "name": f"pairing peak memory (RSS, inputs included), {n:,} per side",
            "unit": "MB",
            "value": round(mem["peak_mb"], 1),
            "spread": 0.0,
            "baseline_name": "naive nested-dict pairing, same inputs",
            "baseline_value": round(mem_naive["peak_mb"], 1),
            "ratio": round(mem["peak_mb"] / mem_naive["peak_mb"], 2),
            "target": MEMORY_TARGET_MB,
            "passed": mem["peak_mb"] <= MEMORY_TARGET_MB,
            "notes": f"one fresh child per figure; inputs alone {mem['inputs_mb']:.0f} MB, "
            f"pairing adds {mem['peak_mb'] - mem['inputs_mb']:.0f} MB{scale}",
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="100,000 per side instead of 1 M")
    args = parser.parse_args(argv)
    results = run(args.quick)
    json.dump(results, sys.stdout, indent=2)
    print()
    return 0 if all(r["passed"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
