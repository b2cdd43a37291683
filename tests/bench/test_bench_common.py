"""The benchmark runner's own parts: statistics, A/B order, the load generator, ERROR rows."""

from __future__ import annotations

import pytest

from bench import common
from bench.__main__ import render_markdown, run_module, verdict
from desktop_app.services.sandbox import MetaSandbox


def test_median_spread_percentile() -> None:
    assert common.median([3, 1, 2]) == 2
    assert common.spread([1, 5]) == 4
    assert common.spread([1, 2, 3, 4, 100]) == 2  # IQR ignores the outlier
    assert common.percentile([0, 10], 50) == 5
    assert common.percentile(list(range(101)), 99) == 99


def test_alternate_runs_abba_and_discards_warmup() -> None:
    order: list[str] = []

    def a() -> float:
        order.append("a")
        return 2.0

    def b() -> float:
        order.append("b")
        return 1.0

    results_a, results_b = common.alternate(a, b, 3)
    assert order == ["a", "b", "a", "b", "b", "a", "a", "b"]
    assert (results_a, results_b) == ([2.0] * 3, [1.0] * 3)
    row = common.figure("x", "s", results_a, baseline_name="b", baseline_values=results_b)
    assert row["ratio"] == 2.0
    assert set(row) == set(common.FIGURE_KEYS)


@pytest.mark.asyncio
async def test_load_generator_over_loopback_keepalive_and_pipelined() -> None:
    async with MetaSandbox() as sandbox:
        port = int(sandbox.url.rsplit(":", 1)[1])
        request = common.build_request("GET", "/_sandbox/stats")
        result = await common.http_load(
            "127.0.0.1", port, lambda _: request, total=200, connections=4, pipeline=4
        )
        posted = await common.http_load(
            "127.0.0.1",
            port,
            lambda i: common.build_request(
                "POST",
                "/v26.0/1/events?access_token=t",
                body=b'{"data": []}',
                headers={"Content-Type": "application/json"},
            ),
            total=10,
            connections=1,
        )
    assert result.requests == 200
    assert result.statuses == {200: 200}
    assert result.errors == 0
    assert result.rate > 0
    assert 0 < result.latency_ms(50) <= result.latency_ms(99)
    assert posted.statuses == {400: 10}  # an empty batch is Meta's code 100


def test_failing_module_is_an_error_row_not_a_crash() -> None:
    rows, error, _ = run_module("bench_does_not_exist", quick=True)
    assert rows == []
    assert error is not None
    assert "bench_does_not_exist" in error
    ok = common.figure("f", "s", [1.0], target="≤ 2 s", passed=True)
    report = render_markdown([("bench_a", [ok], None, 1.0), ("bench_b", [], error, 0.5)], True)
    assert "**ERROR**" in report
    assert "| f | 1 s |" in report
    assert verdict(ok) == "PASS"
    assert verdict({**ok, "passed": False}) == "MISS"
