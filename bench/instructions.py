"""Instructions a gunicorn worker runs per request, each page beside the minimal app.

    .venv/bin/python bench/instructions.py [--requests 300]

wrk's figures move with the machine's load; instruction counts do not. This
starts the site and the minimal app (bench/minimal_app.py) as bench/run does,
with one sync worker each, under valgrind's callgrind, asks each page of
bench/bench.py (the POST aside) the same way wrk would (one connection a request,
wrk's headers), and prints the instructions the worker ran per request: gunicorn,
Django and the page, user space only (the kernel's part, about 20% of a request's
CPU time, is not counted). A page's share of the minimal app's count is what
bench/run's "of minimal" column estimates on a machine whose CPU is the limit.
Slow (valgrind runs Python 50 times slower): about 5 minutes.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import App, get
from sites import Pages, find_pages, minimal_app, prepare, this_checkout
from table import Kind

from bench import PAGES, request_for

WARMUP = 4  # requests per URL before counting: first renders, records, compressed copies


class CountedServer:
    """gunicorn with one worker under callgrind; counts are zeroed and dumped on demand."""

    def __init__(self, app: App, workdir: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.dumps = workdir / f"callgrind-{app.name.replace(' ', '-')}"
        self.dumps.mkdir(parents=True)
        command = [
            "valgrind",
            "--tool=callgrind",
            "--trace-children=yes",
            f"--callgrind-out-file={self.dumps}/cg.%p",
        ]
        command += [app.python, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "1"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null"]
        command += [*app.extra_args, app.app]
        env = app.env | {"GUNICORN_TIMEOUT": "600", "GUNICORN_WORKER_CLASS": "sync"}
        self.log = (workdir / f"{app.name}.log").open("w")
        self.process = subprocess.Popen(
            command,
            cwd=app.root,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if get(self.port, app.probe)[0] == 200:
                    break
            except OSError:
                time.sleep(1)
        else:
            self.stop()
            raise SystemExit(f"{app.name} did not start under valgrind")
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        self.worker = int(children.read_text().split()[0])

    def count(self, paths: list[str], headers: dict[str, str], requests: int) -> float:
        """Instructions per request over `requests` requests spread over `paths`."""
        for path in paths:
            for _ in range(WARMUP):
                self.ask(path, headers)
        self.control("-z")
        for i in range(requests):
            self.ask(paths[i % len(paths)], headers)
        before = set(self.dumps.glob(f"cg.{self.worker}.*"))
        self.control("-d", "counted")  # -d takes a description first
        # The worker's dumps are cg.<pid>.<n>, numbered on.
        new = set(self.dumps.glob(f"cg.{self.worker}.*")) - before
        dump = max(new, key=lambda path: int(path.suffix[1:]))
        for line in dump.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1]) / requests
        raise SystemExit(f"no total in {dump}")

    def ask(self, path: str, headers: dict[str, str]) -> None:
        """One request on its own connection, as wrk's are to a sync worker."""
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as sock:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            while sock.recv(65536):
                pass

    def control(self, *action: str) -> None:
        subprocess.run(["callgrind_control", *action, str(self.worker)], capture_output=True)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def measure(requests: int, workdir: Path) -> list[tuple[str, float]]:
    site = this_checkout(workdir / "this")
    setup = prepare(site, 1000)
    server = CountedServer(minimal_app(workdir), workdir)
    try:
        counts = [("minimal Django app", server.count(["/"], {}, requests))]
    finally:
        server.stop()
    server = CountedServer(site, workdir)
    try:
        pages: Pages = find_pages(server.port, setup)
        pages.permalinks = pages.permalinks[:20]  # each warmed up first
        for page, kind in PAGES:
            if kind is Kind.CREATE:
                continue
            path, headers, _ = request_for(page, pages, workdir)
            paths = pages.permalinks if kind is Kind.PERMALINK else [path]
            counts.append((page, server.count(paths, headers, requests)))
            print(f"==> {page}: {counts[-1][1] / 1000:,.0f} k", file=sys.stderr, flush=True)
    finally:
        server.stop()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per page (300)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="decisionguide-instructions-") as workdir:
        counts = measure(args.requests, Path(workdir))
    minimal = counts[0][1]
    print("| page | k instructions / request | of minimal |\n| --- | --- | --- |")
    for page, count in counts:
        print(f"| {page} | {count / 1000:,.0f} | {minimal / count:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
