"""Benchmark Decision Guide under gunicorn with wrk, side by side with /healthz.

Everything runs on this machine, against 127.0.0.1 only, for a fixed time:
a temporary SQLite database is migrated, the content is loaded, N results are
stored, gunicorn starts as in production, and wrk drives each page at a fixed
concurrency. The table shows each page's throughput as a ratio to /healthz
measured in the same run, so numbers from different machines compare.
"""

from __future__ import annotations

import argparse
import gzip
import html.parser
import http.client
import http.cookies
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUIDE = "crm-pm-hybrid"
# Targets from the issue: every GET page >= 50% of /healthz, p99 < 4x p50, no errors.
MIN_RATIO = 0.5
MAX_TAIL = 4.0


@dataclass
class Measurement:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int

    def ratio(self, floor: Measurement) -> float:
        return self.requests_per_second / floor.requests_per_second


def log(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


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


class Server:
    def __init__(self, env: dict[str, str], workers: int, port: int, logfile: Path) -> None:
        self.port = port
        self.log = logfile.open("w")
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "/dev/null",
                "decisionguide.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if get(port, "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start; see {logfile}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
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


LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    name: str,
    port: int,
    path: str,
    *,
    seconds: int,
    connections: int,
    threads: int,
    script: Path | None = None,
    headers: dict[str, str] | None = None,
    warmup: int = 0,
) -> Measurement:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(f"http://127.0.0.1:{port}{path}")
    if warmup:
        # Not measured: the first visit to a page renders it; the table shows the steady state.
        warm = [part if not part.startswith("-d") else f"-d{warmup}s" for part in command]
        subprocess.run(warm, capture_output=True, text=True, check=True)
    log(f"{name}: wrk -c{connections} -d{seconds}s {path[:60]}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(name, output)


def parse_wrk(name: str, output: str) -> Measurement:
    """A measurement from `wrk --latency` output."""
    latencies = {p: float(v) * UNITS[u] for p, v, u in LATENCY.findall(output)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in match.groups())
    return Measurement(name, rps, latencies.get("50", 0.0), latencies.get("99", 0.0), errors, total)


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
    script = directory / "post.lua"
    script.write_text(
        "wrk.method = 'POST'\n"
        f"wrk.body = {json.dumps(body)}\n"
        "wrk.headers['Content-Type'] = 'application/x-www-form-urlencoded'\n"
        f"wrk.headers['Cookie'] = {json.dumps(cookie)}\n"
        f"wrk.path = {json.dumps(path)}\n"
    )
    return script


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


def print_table(rows: list[Measurement]) -> bool:
    """Print the table; each page's ratio is to the /healthz row measured before it
    (the 1,000,000-results run restarts the server, so it has its own floor)."""
    print()
    header = (
        f"{'page':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs healthz':>11}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    floor = rows[0]
    for row in rows:
        if row.name.startswith("/healthz"):
            floor = row
        ratio = row.ratio(floor)
        misses = []
        if row.errors:
            misses.append("errors")
        if row.p50_ms and row.p99_ms > MAX_TAIL * row.p50_ms:
            misses.append("p99")
        if ratio < MIN_RATIO and not row.name.startswith(("create", "/healthz")):
            misses.append("ratio")
        ok = ok and not misses
        print(
            f"{row.name:<34} {row.requests_per_second:>9.0f} {row.p50_ms:>8.2f} "
            f"{row.p99_ms:>8.2f} {row.errors:>7} {ratio:>10.0%}"
            + (f"  missed: {', '.join(misses)}" if misses else "")
        )
    return ok


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=1000, help="results to store (1000)")
    parser.add_argument(
        "--million", action="store_true", help="also measure permalinks at 1,000,000 results"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--seconds", type=int, default=10, help="seconds per page (10)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of unmeasured load before each page (2)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args()


def bench_env(workdir: Path) -> dict[str, str]:
    """Production settings on a temporary database, on this machine only."""
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_HSTS_SECONDS": "0",
        # The benchmark posts far more than a person would.
        "DECISIONGUIDE_RESULTS_PER_HOUR": str(10**9),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_DEBUG", None)
    return env


@dataclass
class Pages:
    """The URLs measured, read from the running site."""

    question: str
    check: str
    csrf_cookie: str
    form_action: str | None
    post_body: str
    permalinks: list[str]


def find_pages(env: dict[str, str], port: int, ids: list[str]) -> Pages:
    profile = scenario_answers(env)
    # The third question, with the two answers before it.
    first_two = urllib.parse.urlencode(list(profile.items())[:2])
    question = f"/guides/{GUIDE}/questions/{list(profile)[2]}/?{first_two}"
    check = f"/guides/{GUIDE}/check/?{urllib.parse.urlencode(profile)}"
    status, headers, body = get(port, check)
    if status != 200:
        raise SystemExit(f"check page answered {status}")
    form = FormFinder()
    form.feed(body.decode())
    cookie = http.cookies.SimpleCookie()
    cookie.load(headers.get("set-cookie", ""))
    csrf_cookie = "; ".join(f"{k}={v.value}" for k, v in cookie.items())
    post_body = urllib.parse.urlencode(form.fields)
    return Pages(question, check, csrf_cookie, form.action, post_body, [f"/r/{i}/" for i in ids])


def measure_pages(pages: Pages, results: int, workdir: Path, common: dict) -> list[Measurement]:
    rows = [
        wrk("/healthz (floor)", path="/healthz", **common),
        wrk("guide page", path=f"/guides/{GUIDE}/", **common),
        wrk("question (htmx)", path=pages.question, headers={"HX-Request": "true"}, **common),
        wrk("question (full page)", path=pages.question, **common),
        # A first visit: no CSRF cookie yet, so each request makes a new secret and cookie.
        wrk("check answers", path=pages.check, **common),
        # A visitor whose browser already holds the CSRF cookie from an earlier visit.
        wrk(
            "check answers (CSRF cookie held)",
            path=pages.check,
            headers={"Cookie": pages.csrf_cookie},
            **common,
        ),
        wrk(
            f"permalink ({results:,} results)",
            path=pages.permalinks[0],
            script=lua_random_paths(pages.permalinks, workdir),
            **common,
        ),
    ]
    if pages.form_action:
        script = lua_post(pages.form_action, pages.post_body, pages.csrf_cookie, workdir)
        rows.append(wrk("create result (POST)", path=pages.form_action, script=script, **common))
    else:
        log("the check page has no POST form: result creation not measured")
    return rows


def measure_million(env: dict[str, str], workdir: Path, common: dict) -> list[Measurement]:
    """/healthz and permalinks again once the same server's table holds 1,000,000 results."""
    log("storing 1,000,000 results (a few minutes)")
    million_ids = store_results(env, 1_000_000)
    floor_again = wrk("/healthz (floor, at 1M)", path="/healthz", **common)
    million = wrk(
        "permalink (1,000,000 results)",
        path=f"/r/{million_ids[0]}/",
        script=lua_random_paths([f"/r/{i}/" for i in million_ids], workdir),
        **common,
    )
    return [floor_again, million]


def print_million(rows: list[Measurement], results: int) -> bool:
    """The permalink at 1,000,000 results against the one at `results`; True if within 10%."""
    floor, small = rows[0], next(r for r in rows if r.name.startswith("permalink ("))
    floor_again, million = rows[-2], rows[-1]
    change = million.requests_per_second / small.requests_per_second - 1
    # Each against its own run's floor too, as the machine's speed drifts between runs.
    relative = million.ratio(floor_again) / small.ratio(floor) - 1
    within = change >= -0.10
    print(
        f"Permalink throughput at 1,000,000 vs {results:,} results: {change:+.1%} "
        f"({relative:+.1%} as shares of /healthz)"
        + ("" if within else "  missed: more than 10% slower")
    )
    return within


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="decisionguide-bench-"))
    env = bench_env(workdir)
    server: Server | None = None
    try:
        log(f"preparing {workdir}")
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "loadguide")
        manage(env, "collectstatic", "--no-input", "-v0")
        log(f"storing {args.results:,} results")
        ids = store_results(env, args.results)

        port = free_port()
        log(f"starting gunicorn with {args.workers} workers on 127.0.0.1:{port}")
        server = Server(env, args.workers, port, workdir / "gunicorn.log")
        pages = find_pages(env, port, ids)
        common = {
            "port": port,
            "seconds": args.seconds,
            "connections": args.connections,
            "threads": args.threads,
            "warmup": args.warmup,
        }
        rows = measure_pages(pages, args.results, workdir, common)
        if args.million:
            # The same server keeps running: only the table grows between the two measurements.
            rows += measure_million(env, workdir, common)

        weight = page_weight(port, pages.question)
        met = print_table(rows)
        print()
        print(
            f"First visit to a question page: {weight['total']:,} bytes compressed "
            f"(HTML {weight['html']:,}, CSS {weight['css']:,}, JS {weight['js']:,})"
        )
        if args.million:
            met = print_million(rows, args.results) and met
        print(
            f"Targets: GET pages >= {MIN_RATIO:.0%} of /healthz, p99 < {MAX_TAIL:.0f}x p50, "
            "zero errors, permalinks at 1M within 10% of 1k."
        )
        print("All targets met." if met else "Some targets missed (marked above).")
        # Speed depends on the machine; a failed request never does.
        return 1 if any(row.errors for row in rows) else 0
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def scenario_answers(env: dict[str, str]) -> dict[str, str]:
    """The first scenario's answer profile: a complete, valid answer set."""
    script = (
        "import json; from decisionguide.content.models import Guide; "
        f"d = Guide.objects.get(slug={GUIDE!r}).published_document(); "
        "print(json.dumps(dict(d.scenarios[0].answers)))"
    )
    return json.loads(manage(env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
