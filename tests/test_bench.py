"""The benchmark's own logic: reading wrk's output and judging the targets.

The benchmark itself runs with `bench/run` (and a one-second smoke run in CI);
these tests only make sure a number is never misread or a miss never hidden.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

TABLE = Path(__file__).resolve().parent.parent / "bench" / "table.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("decisionguide_bench_table", TABLE)
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


def lines_of(output: str) -> dict[str, str]:
    return {line.split("  ")[0]: line for line in output.splitlines() if line}


def test_each_target_is_judged_against_the_minimal_app(bench, capsys):
    kind = bench.Kind
    minimal = [measurement(bench, "minimal", 1900), measurement(bench, "minimal", 2100)]
    rows = [
        bench.Row(kind.PROBE, measurement(bench, "/healthz", 500)),  # no target of its own
        bench.Row(kind.CACHED, measurement(bench, "fast page", 1800)),  # 90%
        bench.Row(kind.CACHED, measurement(bench, "slow page", 1600)),  # 80%
        bench.Row(kind.CACHED, measurement(bench, "long tail", 1800, p50=1.0, p99=9.0)),
        bench.Row(kind.CACHED, measurement(bench, "failing page", 1800, errors=1)),
        bench.Row(kind.PERMALINK, measurement(bench, "permalink ok", 1500)),  # 75%
        bench.Row(kind.PERMALINK, measurement(bench, "permalink slow", 1300)),  # 65%
        bench.Row(kind.CREATE, measurement(bench, "create fine", 100, p50=20.0, p99=79.0)),
        bench.Row(kind.CREATE, measurement(bench, "create tail", 300, p50=20.0, p99=81.0)),
    ]
    assert bench.print_table(rows, minimal) is False
    lines = lines_of(capsys.readouterr().out)
    assert lines["/healthz"].endswith(" -")
    assert "25%" in lines["/healthz"]  # 500 of the mean of 1,900 and 2,100
    assert lines["fast page"].endswith("pass") and "90%" in lines["fast page"]
    assert lines["slow page"].endswith("miss: < 85% of minimal")
    # Only result creation is held to its tail.
    assert lines["long tail"].endswith("pass")
    assert lines["failing page"].endswith("miss: errors")
    assert lines["permalink ok"].endswith("pass")
    assert lines["permalink slow"].endswith("miss: < 70% of minimal")
    # Writes are not compared with the minimal app, only with their own median.
    assert lines["create fine"].endswith("pass")
    assert lines["create tail"].endswith("miss: p99 > 4x p50")


def test_a_page_is_judged_on_the_median_of_its_rounds_beside_the_minimal_app(bench, capsys):
    """The machine sped up and slowed down during the run: each round of a page is held to
    the minimal app's run right beside it, and the row to the median of those shares."""
    kind = bench.Kind

    def rounds(name, pairs):
        pages = [measurement(bench, name, page) for page, _ in pairs]
        minimal = [measurement(bench, "minimal", beside) for _, beside in pairs]
        return bench.Row(
            kind.CACHED,
            bench.combined(pages),
            minimal=bench.combined(minimal),
            shares=[bench.share(p, m) for p, m in zip(pages, minimal, strict=True)],
        )

    # 80%, 90%, 88%: 88%. All its requests over all its seconds: 3,320 req/s, 83% of the
    # minimal app's mean (4,000), which would miss.
    steady = rounds("steady page", [(2400, 3000), (3600, 4000), (3960, 4500)])
    # 70%, 84%, 95%: 84%, although its total (3,478 req/s) is 87% of that mean.
    slow = rounds("slow page", [(2800, 4000), (3360, 4000), (4275, 4500)])
    assert steady.this.requests_per_second == pytest.approx(9960 / 3)
    assert (steady.this.p50_ms, steady.this.p99_ms) == (1.0, 2.0)
    assert bench.print_table([steady, slow], [steady.minimal, slow.minimal]) is False
    output = capsys.readouterr().out
    lines = lines_of(output)
    assert lines["steady page"].endswith("pass") and "88%" in lines["steady page"]
    assert lines["slow page"].endswith("miss: < 85% of minimal") and "84%" in lines["slow page"]
    assert "a page's share is the median of its rounds'" in output


def test_no_page_may_be_slower_than_the_baseline_beyond_noise(bench, capsys):
    kind = bench.Kind
    minimal = [measurement(bench, "minimal", 1000)]
    rows = [
        bench.Row(kind.PROBE, measurement(bench, "/healthz", 960), measurement(bench, "b", 1000)),
        bench.Row(kind.CACHED, measurement(bench, "page", 900), measurement(bench, "b", 1000)),
        bench.Row(kind.CACHED, measurement(bench, "faster", 990), measurement(bench, "b", 800)),
    ]
    assert bench.print_table(rows, minimal, "a3f52dd") is False
    out = capsys.readouterr().out
    assert "a3f52dd" in out.splitlines()[1]
    lines = lines_of(out)
    assert lines["/healthz"].endswith("pass") and "96%" in lines["/healthz"]
    assert lines["page"].endswith("miss: slower than baseline")
    assert lines["faster"].endswith("pass") and "124%" in lines["faster"]


def test_all_targets_met_is_said_only_when_they_are(bench, capsys):
    minimal = [measurement(bench, "minimal", 1000)]
    rows = [bench.Row(bench.Kind.CACHED, measurement(bench, "page", 900))]
    assert bench.print_table(rows, minimal) is True
    assert bench.print_table(rows, [measurement(bench, "minimal", 1000, errors=2)]) is False


def test_only_failed_requests_fail_the_run_unless_strict(bench):
    kind = bench.Kind
    minimal = [measurement(bench, "minimal", 1000)]
    slow = [bench.Row(kind.CACHED, measurement(bench, "page", 100))]
    failing = [bench.Row(kind.CACHED, measurement(bench, "page", 900, errors=1))]
    assert bench.exit_code(slow, minimal, met=False, strict=False) == 0
    assert bench.exit_code(slow, minimal, met=False, strict=True) == 1
    assert bench.exit_code(failing, minimal, met=False, strict=False) == 1
    broken_minimal = [measurement(bench, "minimal", 1000, errors=3)]
    assert bench.exit_code(slow[:0], broken_minimal, met=True, strict=False) == 1


# ---------------------------------------------------------------------------
# The checks benchmark (bench/checks.py, `bench/run --checks`): that it runs, on a tiny
# generated guide in the test database; its figures are for the closing note, not asserted.

CHECKS_BENCH = Path(__file__).resolve().parent.parent / "bench" / "checks.py"


@pytest.fixture(scope="module")
def checks_bench():
    spec = importlib.util.spec_from_file_location("decisionguide_bench_checks", CHECKS_BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_the_checks_benchmark_measures_each_step_and_page(
    checks_bench, superuser_client, django_user_model, capsys
):
    user = django_user_model.objects.get(username="admin")
    [(name, doc)] = checks_bench.guides((3,), with_seed=False, at_limits=False)
    row = checks_bench.measure(name, doc, superuser_client, user)
    assert row["passes"] and row["method"].startswith("exhaustive search")
    checks_bench.print_table([row])
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:4] == ["guide", "load", "check", "publish"]
    assert table[1].startswith("generated, 3 questions")
    assert len(table[1].split()) > 3 + 8  # a figure for each step and page
    from decisionguide.content.models import Guide

    assert Guide.objects.get(slug=doc.slug).is_listed  # it published


def test_the_checks_benchmark_judges_its_targets(checks_bench, capsys):
    fast = {"guide": "g", "method": "m", "passes": True, "load": 1.0, "check": 2.0}
    fast |= {"publish": 0.5} | dict.fromkeys(checks_bench.PAGES, 0.1)
    assert checks_bench.print_table([fast]) == 0
    slow = fast | {"check": 9.0, "logic": 2.5}
    assert checks_bench.print_table([slow]) == 1
    out = capsys.readouterr().out
    assert "MISSED g: load + check + publish 10.5 s" in out
    assert "MISSED g: logic page 2.5 s" in out
