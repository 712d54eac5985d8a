"""Serving options side by side: the same pages under several gunicorn worker settings.

    .venv/bin/python bench/options.py                        # sync, gthread 32, 4 and 1
    .venv/bin/python bench/options.py --seconds 10 sync gthread:8

Prepares this checkout's database once (as bench/run does), starts the site and
the minimal app (bench/minimal_app.py) under each option, with gunicorn.conf.py
and GUNICORN_WORKER_CLASS / GUNICORN_THREADS set, and measures each page under
every option in turn before the next page, so a machine that drifts drifts for all
of them alike. docs/operations.md ("Slow clients") has its figures.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from measure import App, Load, Server, log, wrk
from sites import find_pages, minimal_app, prepare, this_checkout
from table import Measurement

from bench import Site, request_for

PAGES = ["/healthz", "guide page", "question (full page)", "permalink", "create result (POST)"]


def with_option(app: App, option: str) -> App:
    """`app` under the worker option "sync" or "gthread:THREADS"."""
    worker, _, threads = option.partition(":")
    env = app.env | {"GUNICORN_WORKER_CLASS": worker, "GUNICORN_THREADS": threads or "1"}
    return App(app.name, app.root, app.python, env, app.app, app.extra_args, app.probe)


def print_options(options: list[str], table: dict[str, dict[str, Measurement]]) -> None:
    width = 20
    print()
    print(f"{'page':<24}" + "".join(f"{o:>{width}}" for o in options))
    for page, by_option in table.items():
        cells = [f"{m.requests_per_second:,.0f} (p99 {m.p99_ms:,.0f})" for m in by_option.values()]
        print(f"{page:<24}" + "".join(f"{c:>{width}}" for c in cells))
    minimal = table["minimal app"]
    print("\nAs a share of the minimal app under the same option:")
    for page, by_option in table.items():
        if page == "minimal app":
            continue
        shares = [
            m.requests_per_second / minimal[o].requests_per_second for o, m in by_option.items()
        ]
        print(f"{page:<24}" + "".join(f"{s:>{width}.0%}" for s in shares))
    print("\nreq/s (p99 ms); errors:", sum(m.errors for r in table.values() for m in r.values()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("options", nargs="*", default=["sync", "gthread:32", "gthread:4"])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--seconds", type=int, default=5, help="seconds per page (5)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds first (2)")
    args = parser.parse_args()
    load = Load(args.seconds, args.connections, 2, args.warmup)
    workdir = Path(tempfile.mkdtemp(prefix="decisionguide-options-"))
    try:
        with ExitStack() as stack:
            base = this_checkout(workdir)
            setup = prepare(base, 1000)
            sites, minimals = {}, {}
            for option in args.options:
                log(f"starting the site and the minimal app under {option}")
                folder = workdir / option.replace(":", "-")
                folder.mkdir()
                server = Server(with_option(base, option), args.workers, folder / "site.log")
                stack.callback(server.stop)
                sites[option] = Site(base, server, find_pages(server.port, setup), folder)
                minimal = Server(
                    with_option(minimal_app(workdir), option), args.workers, folder / "min.log"
                )
                stack.callback(minimal.stop)
                minimals[option] = minimal
            table: dict[str, dict[str, Measurement]] = {"minimal app": {}}
            for option, minimal in minimals.items():
                table["minimal app"][option] = wrk(f"minimal, {option}", minimal.port, "/", load)
            for page in PAGES:
                table[page] = {}
                for option, site in sites.items():
                    path, headers, script = request_for(page, site.pages, site.workdir)
                    name = f"{page}, {option}"
                    port = site.server.port
                    table[page][option] = wrk(
                        name, port, path, load, headers=headers, script=script
                    )
        print_options(args.options, table)
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
