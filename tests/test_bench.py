"""The benchmark's own logic: reading wrk's output and judging the targets.

The benchmark itself runs with `bench/run` (and a one-second smoke run in CI);
these tests only make sure a number is never misread or a miss never hidden.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("decisionguide_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


CLEAN_RUN = """Running 1s test @ http://127.0.0.1:8765/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.08ms  541.48us   8.80ms   87.92%
    Req/Sec     1.83k    40.35     1.90k    60.00%
  Latency Distribution
     50%    1.03ms
     75%    1.26ms
     90%    1.51ms
     99%    2.14ms
  1820 requests in 1.00s, 22.05MB read
Requests/sec:   1819.00
Transfer/sec:     22.04MB
"""

TROUBLED_RUN = """Running 2s test @ http://127.0.0.1:8765/
  Latency Distribution
     50%  850.00us
     75%    1.26ms
     90%    1.51ms
     99%    1.20s
  400 requests in 2.00s, 1.05MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 7
Requests/sec:    200.00
"""


def test_a_clean_wrk_run_is_read_exactly(bench):
    row = bench.parse_wrk("page", CLEAN_RUN)
    assert (row.requests_per_second, row.requests, row.errors) == (1819.0, 1820, 0)
    assert (row.p50_ms, row.p99_ms) == pytest.approx((1.03, 2.14))


def test_units_and_every_kind_of_error_are_counted(bench):
    row = bench.parse_wrk("page", TROUBLED_RUN)
    assert (row.p50_ms, row.p99_ms) == pytest.approx((0.85, 1200.0))
    assert row.errors == 3 + 2 + 7


def measurement(bench, name, rps, p50=1.0, p99=2.0, errors=0):
    return bench.Measurement(name, rps, p50, p99, errors, int(rps))


def test_each_target_miss_is_marked(bench, capsys):
    rows = [
        measurement(bench, "/healthz (floor)", 1000),
        measurement(bench, "fast page", 600),
        measurement(bench, "slow page", 400),
        measurement(bench, "long tail", 900, p50=1.0, p99=5.0),
        measurement(bench, "failing page", 900, errors=1),
        measurement(bench, "create result (POST)", 100),  # no ratio target for writes
    ]
    assert bench.print_table(rows) is False
    lines = {line.split("  ")[0]: line for line in capsys.readouterr().out.splitlines() if line}
    assert "missed" not in lines["fast page"]
    assert lines["slow page"].endswith("missed: ratio")
    assert lines["long tail"].endswith("missed: p99")
    assert lines["failing page"].endswith("missed: errors")
    assert "missed" not in lines["create result (POST)"]


def test_a_later_floor_judges_the_rows_after_it(bench, capsys):
    rows = [
        measurement(bench, "/healthz (floor)", 1000),
        measurement(bench, "permalink (1,000 results)", 600),
        measurement(bench, "/healthz (floor, at 1M)", 2000),
        measurement(bench, "permalink (1,000,000 results)", 900),  # 45% of its own floor
    ]
    assert bench.print_table(rows) is False
    out = capsys.readouterr().out
    assert "permalink (1,000,000 results)" in out
    million = next(line for line in out.splitlines() if line.startswith("permalink (1,000,000"))
    assert "45%" in million and million.endswith("missed: ratio")
