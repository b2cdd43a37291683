"""PixelBridge benchmarks: `python -m bench [--quick] [--only NAME] [--out docs/benchmarks.md]`.

Each `bench/bench_<name>.py` exposes `run(quick: bool) -> list[dict]`, one dict per figure with
the keys in `bench.common.FIGURE_KEYS`, and can run alone: `python -m bench.bench_<name> --quick`.
"""
