"""Slow clients against the production start: do /healthz and pages keep answering?

    .venv/bin/python bench/slowclients.py                 # 4, then 40 trickling connections
    .venv/bin/python bench/slowclients.py --clients 40 --seconds 20
    .venv/bin/python bench/slowclients.py --port 8000     # an already running server

Without --port it prepares a temporary database (migrate, loadguide, collectstatic)
and runs `bin/start` with the default gunicorn.conf.py, as production does. Each
trickling client opens a connection and sends its request headers one byte every
`--interval` seconds, never finishing them (slowloris). Meanwhile /healthz and the
guide page are fetched every half second; the table shows how many answered and
how long they took. With the default sync workers, as many trickling clients as
workers hold them all until GUNICORN_TIMEOUT: in production nginx buffers them
(docs/operations.md, "Slow clients"; the cluster test holds 200 through it).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE_PAGE = "/guides/crm-pm-hybrid/"
PROBE_TIMEOUT = 10.0  # seconds: a probe slower than this counts as failed
HEADER_LINES = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trickle: "


@dataclass
class Probes:
    """Latencies (seconds) of the probes that answered 200, and how many did not."""

    path: str
    latencies: list[float] = field(default_factory=list)
    failed: int = 0

    def row(self) -> str:
        answered = len(self.latencies)
        if not answered:
            return f"{self.path:<28} {answered:>4} ok {self.failed:>4} failed"
        p50 = statistics.median(self.latencies) * 1000
        worst = max(self.latencies) * 1000
        return (
            f"{self.path:<28} {answered:>4} ok {self.failed:>4} failed"
            f"   p50 {p50:>7.1f} ms   max {worst:>8.1f} ms"
        )


@contextmanager
def trickling(port: int, count: int, interval: float) -> Iterator[list[socket.socket]]:
    """`count` connections that send one header byte every `interval` seconds, until closed."""
    stop = threading.Event()
    sockets: list[socket.socket] = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(HEADER_LINES[:1])
        sockets.append(sock)

    def feed() -> None:
        sent = 1
        while not stop.wait(interval):
            byte = HEADER_LINES[sent : sent + 1] or b"a"
            sent += 1
            for sock in sockets:
                # A socket the server closed: it gave up on this client.
                with contextlib.suppress(OSError):
                    sock.sendall(byte)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        yield sockets
    finally:
        stop.set()
        feeder.join()
        for sock in sockets:
            sock.close()


def fetch_status(port: int, path: str, timeout: float = PROBE_TIMEOUT) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def probe(port: int, paths: list[str], seconds: float, every: float = 0.5) -> list[Probes]:
    """Fetch each path every `every` seconds for `seconds`, all paths in parallel."""
    results = [Probes(path) for path in paths]
    deadline = time.monotonic() + seconds

    def run(result: Probes) -> None:
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                ok = fetch_status(port, result.path) == 200
            except OSError:
                ok = False
            took = time.monotonic() - started
            if ok:
                result.latencies.append(took)
            else:
                result.failed += 1
            time.sleep(max(0.0, every - took))

    threads = [threading.Thread(target=run, args=(result,)) for result in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def measure(port: int, clients: int, seconds: float, interval: float) -> list[Probes]:
    with trickling(port, clients, interval):
        time.sleep(1)  # let the server accept them all first
        return probe(port, ["/healthz", GUIDE_PAGE], seconds)


def production_env(workdir: Path) -> dict[str, str]:
    prefixes = ("DJANGO_", "DECISIONGUIDE_", "WHITENOISE_", "GUNICORN_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    for name in ("DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY", "PORT"):
        env.pop(name, None)
    return env | {
        "DJANGO_SETTINGS_MODULE": "decisionguide.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DECISIONGUIDE_LOAD_CONTENT": "1",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "PYTHON": sys.executable,
    }


@contextmanager
def started_server(workdir: Path, extra: dict[str, str]) -> Iterator[int]:
    """bin/start on a free loopback port; stopped (its own process group only) after."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = production_env(workdir) | extra | {"GUNICORN_BIND": f"127.0.0.1:{port}"}
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [str(ROOT / "bin" / "start")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if fetch_status(port, GUIDE_PAGE, timeout=2) == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bin/start did not come up; see {workdir / 'server.log'}")
            time.sleep(0.3)
        yield port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="*", default=[4, 40])
    parser.add_argument("--seconds", type=float, default=40, help="probing time per run (40)")
    parser.add_argument("--interval", type=float, default=2, help="seconds between bytes (2)")
    parser.add_argument("--port", type=int, help="measure a server already running here")
    parser.add_argument(
        "--env", action="append", default=[], help="NAME=VALUE for bin/start (WEB_CONCURRENCY=3)"
    )
    args = parser.parse_args()
    extra = dict(pair.split("=", 1) for pair in args.env)

    def report(port: int) -> None:
        for clients in args.clients:
            print(f"\n{clients} trickling connections, {args.seconds:.0f} s:", flush=True)
            for result in measure(port, clients, args.seconds, args.interval):
                print("  " + result.row(), flush=True)
            time.sleep(3)  # let the server drop the closed connections

    if args.port:
        report(args.port)
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="decisionguide-slow-"))
    try:
        with started_server(workdir, extra) as port:
            report(port)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
