"""The benchmark's tools: gunicorn started as production starts it, wrk, plain HTTP."""

from __future__ import annotations

import gzip
import html.parser
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from table import Measurement, parse_wrk


def log(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class App:
    """What gunicorn serves and how: a checkout, its interpreter, environment, app."""

    name: str
    root: Path
    python: str
    env: dict[str, str]
    app: str = "decisionguide.wsgi"
    extra_args: tuple[str, ...] = ()
    probe: str = "/healthz"


class Server:
    """gunicorn with the checkout's own gunicorn.conf.py, on a free loopback port."""

    def __init__(self, app: App, workers: int, logfile: Path) -> None:
        self.port = free_port()
        self.log = logfile.open("w")
        command = [app.python, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        command += ["--workers", str(workers), "--bind", f"127.0.0.1:{self.port}"]
        command += ["--access-logfile", "/dev/null", *app.extra_args, app.app]
        self.process = subprocess.Popen(
            command,
            cwd=app.root,
            env=app.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            # A group of its own, to stop it whole; the same session (and so the same
            # scheduler autogroup) as the benchmark, so both get the same share of the CPU.
            process_group=0,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if get(self.port, app.probe)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn for {app.name} did not start; see {logfile}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@dataclass
class Load:
    """wrk's parameters, the same for every server of a run."""

    seconds: int
    connections: int
    threads: int
    warmup: int


def wrk(
    name: str,
    port: int,
    path: str,
    load: Load,
    *,
    script: Path | None = None,
    headers: dict[str, str] | None = None,
) -> Measurement:
    options = [f"-t{load.threads}", f"-c{load.connections}", "--latency", "--timeout", "10s"]
    for key, value in (headers or {}).items():
        options += ["-H", f"{key}: {value}"]
    if script is not None:
        options += ["-s", str(script)]
    url = f"http://127.0.0.1:{port}{path}"
    if load.warmup:
        # Not measured: the first visit to a page renders it; the table shows the steady state.
        warm = ["wrk", *options, f"-d{load.warmup}s", url]
        subprocess.run(warm, capture_output=True, check=True)
    log(f"{name}: wrk -c{load.connections} -d{load.seconds}s {path[:60]}")
    command = ["wrk", *options, f"-d{load.seconds}s", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(name, output)


# Permalinks are measured warm: each worker keeps its own rendered pages (or Redis keeps
# them for every server), so a result is rendered once per worker, then served from the
# cache. Warm-up rounds run until every result was asked for STEADY_VISITS times on average
# (with two workers, a worker then misses a given result with odds of about e**-6), and a
# round gains less than STEADY_GAIN on the one before it.
STEADY_VISITS = 12
STEADY_GAIN = 0.05
STEADY_ROUND_SECONDS = 3
STEADY_MAX_ROUNDS = 20


def warm_until_steady(
    name: str, port: int, path: str, load: Load, script: Path, paths: int
) -> list[float]:
    """Unmeasured rounds of `load` over `paths` URLs until the caches are full and throughput
    stops rising; the rounds' req/s, in order (the first is mostly first renders)."""
    round_load = Load(STEADY_ROUND_SECONDS, load.connections, load.threads, 0)
    rates: list[float] = []
    visits = 0
    for _ in range(STEADY_MAX_ROUNDS):
        measured = wrk(f"{name} (warming up)", port, path, round_load, script=script)
        rates.append(measured.requests_per_second)
        visits += measured.requests
        filled = visits >= STEADY_VISITS * paths and len(rates) > 1
        if filled and rates[-1] < (1 + STEADY_GAIN) * rates[-2]:
            break
    return rates


def lua_random_paths(paths: list[str], directory: Path) -> Path:
    script = directory / f"paths-{secrets.token_hex(4)}.lua"
    quoted = ",\n".join(json.dumps(p) for p in paths)
    script.write_text(
        f"local paths = {{\n{quoted}\n}}\n"
        "math.randomseed(os.time())\n"
        "request = function()\n"
        "  return wrk.format('GET', paths[math.random(#paths)])\n"
        "end\n"
    )
    return script


def lua_post(path: str, body: str, cookie: str, directory: Path) -> Path:
    script = directory / f"post-{secrets.token_hex(4)}.lua"
    script.write_text(
        "wrk.method = 'POST'\n"
        f"wrk.body = {json.dumps(body)}\n"
        "wrk.headers['Content-Type'] = 'application/x-www-form-urlencoded'\n"
        f"wrk.headers['Cookie'] = {json.dumps(cookie)}\n"
        f"wrk.path = {json.dumps(path)}\n"
    )
    return script


class FormFinder(html.parser.HTMLParser):
    """The first POST form of a page: its action and fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and values.get("method", "").lower() == "post" and not self.done:
            self.action = values.get("action", "")
            self._inside = True
        elif tag == "input" and self._inside and values.get("name"):
            self.fields.append((values["name"], values.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._inside:
            self._inside = False
            self.done = True


def page_weight(port: int, path: str) -> dict[str, int]:
    """Bytes a first visit transfers for a page: the HTML plus its CSS and JS, compressed."""
    _, headers, body = get(port, path, {"Accept-Encoding": "gzip, br"})
    html_bytes = len(body)
    text = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
    page = text.decode("utf-8", "replace")
    if headers.get("content-encoding") not in {"gzip", "br"}:
        html_bytes = len(gzip.compress(body, 6))  # as a compressing proxy would send it
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page)
    sizes = {"html": html_bytes, "css": 0, "js": 0}
    for asset in dict.fromkeys(assets):
        _, _, asset_body = get(port, asset, {"Accept-Encoding": "br, gzip"})
        sizes["css" if asset.endswith(".css") else "js"] += len(asset_body)
    sizes["total"] = sizes["html"] + sizes["css"] + sizes["js"]
    return sizes
