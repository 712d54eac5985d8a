"""Benchmark Decision Guide under gunicorn with wrk, beside a minimal Django app.

Everything runs on this machine, against 127.0.0.1 only, for a fixed time: a
temporary SQLite database is migrated, the content is loaded, N results are
stored, gunicorn starts as in production, and wrk drives each page at a fixed
concurrency. In the same run, with the same gunicorn.conf.py, worker count and
wrk parameters, it measures a minimal Django app (bench/minimal_app.py: one view,
two middleware) in rounds beside each page, and each page's throughput reads as a
share of it (the median of its rounds'), so numbers from different machines compare
and a machine whose speed drifts during the run moves both alike. With --baseline
REF it also sets up commit REF from its own code and measures each page there, in
each round right after this checkout's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from measure import (
    App,
    Load,
    Server,
    log,
    lua_post,
    lua_random_paths,
    page_weight,
    warm_until_steady,
    wrk,
)
from sites import GUIDE, Pages, baseline, find_pages, minimal_app, prepare, this_checkout
from table import (
    Kind,
    Measurement,
    Row,
    combined,
    exit_code,
    print_table,
    share,
    targets_text,
)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# ---------------------------------------------------------------------------
# Setting up a database: bench/sites.py calls these two in every checkout it
# measures (this one and a --baseline), so they keep their names and arguments.


def store_results(env: dict[str, str], count: int) -> list[str]:
    """Fill the results table up to `count` rows; return a sample of ids."""
    # Through -c, so that this checkout's code is imported, as gunicorn does (cwd first).
    run = "import runpy; runpy.run_path('bench/store_results.py', run_name='__main__')"
    done = subprocess.run(
        [PYTHON, "-c", run, str(count), GUIDE],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "decisionguide.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"storing results failed:\n{done.stderr}")
    return done.stdout.split()


def scenario_answers(env: dict[str, str]) -> dict[str, str]:
    """The first scenario's answer profile: a complete, valid answer set."""
    script = (
        "import json; from decisionguide.content.models import Guide; "
        f"d = Guide.objects.get(slug={GUIDE!r}).published_document(); "
        "print(json.dumps(dict(d.scenarios[0].answers)))"
    )
    done = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"reading the scenario failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------
# The pages

PAGES = [
    ("/healthz", Kind.PROBE),
    ("guide page", Kind.CACHED),
    # As a browser asks for it: compressed (wrk asks for nothing, so the rows above are not).
    ("guide page (gzip)", Kind.CACHED),
    ("question (htmx)", Kind.CACHED),
    ("question (full page)", Kind.CACHED),
    # A first visit: no CSRF cookie yet, so each request makes a new secret and cookie.
    ("check answers", Kind.CACHED),
    # A visitor whose browser already holds the CSRF cookie from an earlier visit.
    ("check answers (CSRF cookie held)", Kind.CACHED),
    ("permalink", Kind.PERMALINK),
    ("create result (POST)", Kind.CREATE),
]


def request_for(page: str, p: Pages, directory: Path) -> tuple[str, dict[str, str], Path | None]:
    """The path, headers and wrk script that measure `page` on a site."""
    match page:
        case "/healthz":
            return "/healthz", {}, None
        case "guide page":
            return f"/guides/{GUIDE}/", {}, None
        case "guide page (gzip)":
            return f"/guides/{GUIDE}/", {"Accept-Encoding": "gzip, deflate, br"}, None
        case "question (htmx)":
            return p.question, {"HX-Request": "true"}, None
        case "question (full page)":
            return p.question, {}, None
        case "check answers":
            return p.check, {}, None
        case "check answers (CSRF cookie held)":
            return p.check, {"Cookie": p.csrf_cookie}, None
        case "permalink":
            return p.permalinks[0], {}, lua_random_paths(p.permalinks, directory)
        case "create result (POST)":
            assert p.form_action is not None
            return p.form_action, {}, lua_post(p.form_action, p.post_body, p.csrf_cookie, directory)
    raise ValueError(page)


class Site:
    """A running server and the URLs it is measured at."""

    def __init__(self, app: App, server: Server, pages: Pages, workdir: Path) -> None:
        self.app, self.server, self.pages, self.workdir = app, server, pages, workdir
        self.warmup_rates: list[float] = []  # the permalink's warm-up rounds, req/s

    def measure(self, page: str, label: str, load: Load) -> Measurement:
        path, headers, script = request_for(page, self.pages, self.workdir)
        if page == "permalink" and script is not None and load.warmup:
            rates = warm_until_steady(
                label, self.server.port, path, load, script, len(self.pages.permalinks)
            )
            log(f"{label}: warm-up rounds " + ", ".join(f"{r:,.0f}" for r in rates) + " req/s")
            self.warmup_rates = rates
        return wrk(label, self.server.port, path, load, headers=headers, script=script)


def measure_page(
    page: str,
    kind: Kind,
    label: str,
    load: Load,
    rounds: int,
    this: Site,
    other: Site | None,
    minimal: Server,
) -> Row:
    """`rounds` rounds of: the page here, on the baseline, then the minimal app, each for
    `load.seconds`. A shared machine's speed drifts by a third within one run (2026-12-08:
    the minimal app at 3,233 req/s before the pages, 4,498 after), and one page's back-to-
    back runs by a tenth: the ratios of neighbouring runs drift far less."""
    this_runs, other_runs, minimal_runs = [], [], []
    for n in range(rounds):
        round_load = load if n == 0 else replace(load, warmup=0)  # warmed up once
        this_runs.append(this.measure(page, label, round_load))
        if other is not None:
            other_runs.append(other.measure(page, label, round_load))
        minimal_runs.append(wrk("minimal Django app", minimal.port, "/", round_load))
        figures = [this_runs[-1], *other_runs[-1:], minimal_runs[-1]]
        rates = ", ".join(f"{run.requests_per_second:,.0f}" for run in figures)
        log(f"{label}: round {n + 1}: {rates} req/s, {share(this_runs[-1], minimal_runs[-1]):.0%}")
    return Row(
        kind,
        combined(this_runs),
        combined(other_runs) if other_runs else None,
        minimal=combined(minimal_runs),
        shares=[share(a, b) for a, b in zip(this_runs, minimal_runs, strict=True)],
        baseline_shares=[share(a, b) for a, b in zip(this_runs, other_runs, strict=False)],
    )


def start_site(app: App, results: int, workers: int, workdir: Path, stack: ExitStack) -> Site:
    setup = prepare(app, results)
    log(f"{app.name}: starting gunicorn with {workers} workers")
    server = Server(app, workers, workdir / "gunicorn.log")
    stack.callback(server.stop)
    return Site(app, server, find_pages(server.port, setup), workdir)


def measure_million(site: Site, env: dict[str, str], load: Load) -> Measurement:
    """Permalinks again once the same server's table holds 1,000,000 results."""
    log("storing 1,000,000 results (a few minutes)")
    ids = store_results(env, 1_000_000)
    paths = [f"/r/{i}/" for i in ids]
    script = lua_random_paths(paths, site.workdir)
    if load.warmup:
        name = "permalink (1,000,000 results)"
        warm_until_steady(name, site.server.port, paths[0], load, script, len(paths))
    return wrk("permalink (1,000,000 results)", site.server.port, paths[0], load, script=script)


def print_first_renders(this: Site, other: Site | None) -> None:
    """The permalink's warm-up, which the table leaves out: its first round is mostly
    first renders (each result once in each worker), the later ones the cache filling."""
    for site in (this, other):
        if site is not None and site.warmup_rates:
            rates = ", ".join(f"{r:,.0f}" for r in site.warmup_rates)
            print(f"Permalink warm-up rounds ({site.app.name}), req/s: {rates}")


def print_million(million: Measurement, rows: list[Row], results: int) -> bool:
    """The permalink at 1,000,000 results against the one at `results`; True if within 10%."""
    small = next(r.this for r in rows if r.kind is Kind.PERMALINK)
    change = million.requests_per_second / small.requests_per_second - 1
    within = change >= -0.10
    print(
        f"Permalink at 1,000,000 results: {million.requests_per_second:,.0f} req/s, "
        f"p99 {million.p99_ms:.2f} ms: {change:+.1%} against {results:,} results"
        + ("" if within else "  missed: more than 10% slower")
    )
    return within


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=1000, help="results to store (1000)")
    parser.add_argument(
        "--million", action="store_true", help="also measure permalinks at 1,000,000 results"
    )
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also measure commit REF (e.g. a3f52dd), each page right after this checkout's",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--seconds", type=int, default=4, help="seconds per page and round (4)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds per page, each beside a run of the minimal app (3)",
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of unmeasured load before each page (2)"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit non-zero on a missed target too (default: only on a failed request)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, workdir: Path) -> int:
    load = Load(args.seconds, args.connections, args.threads, args.warmup)
    with ExitStack() as stack:
        this_app = this_checkout(workdir / "this")
        this = start_site(this_app, args.results, args.workers, workdir / "this", stack)
        other = None
        if args.baseline:
            app = baseline(args.baseline, workdir / "baseline")
            other = start_site(app, args.results, args.workers, workdir / "baseline", stack)
        minimal = Server(minimal_app(workdir), args.workers, workdir / "minimal.log")
        stack.callback(minimal.stop)

        rows = []
        for page, kind in PAGES:
            if kind is Kind.CREATE and not this.pages.form_action:
                log("the check page has no POST form: result creation not measured")
                continue
            label = f"permalink ({args.results:,} results)" if kind is Kind.PERMALINK else page
            rows.append(measure_page(page, kind, label, load, args.rounds, this, other, minimal))
        yardstick = [row.minimal for row in rows if row.minimal is not None]
        million = measure_million(this, this_app.env, load) if args.million else None
        weight = page_weight(this.server.port, this.pages.question)

    met = print_table(rows, yardstick, args.baseline)
    print_first_renders(this, other)
    if million is not None:
        met = print_million(million, rows, args.results) and met
    print(
        f"First visit to a question page: {weight['total']:,} bytes compressed "
        f"(HTML {weight['html']:,}, CSS {weight['css']:,}, JS {weight['js']:,})"
    )
    print(targets_text(args.baseline is not None))
    print("All targets met." if met else "Some targets missed (marked above).")
    extra = [million] if million is not None else []
    return exit_code(rows, yardstick + extra, met, args.strict)


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="decisionguide-bench-"))
    try:
        return run(args, workdir)
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
