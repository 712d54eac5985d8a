"""Traffic for the cluster tests: the site's pages found by visiting it, wrk bursts, steady
visitors that time every answer, and samples of PostgreSQL's connections."""

from __future__ import annotations

import html.parser
import http.client
import importlib.util
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from deploy.cluster import Cluster
from deploy.services import ROOT, get
from tests.conftest import SEED_FILE, read_document

GUIDE = "crm-pm-hybrid"
GUIDE_PAGE = f"/guides/{GUIDE}/"


@dataclass
class Site:
    """URLs of the running site, as its own redirects give them."""

    questions: list[str]  # every question page of the first scenario's visit, in order
    check: str
    permalinks: list[str]
    answers: dict[str, str]  # that scenario's answers

    def busy_pages(self) -> list[str]:
        """The pages most tests visit; questions[3:] are left to the analytics test."""
        return [GUIDE_PAGE, *self.questions[:3], self.check, *self.permalinks]


def discover_site(port: int, results: int = 3) -> Site:
    profile = dict(read_document(SEED_FILE).scenarios[0].answers)
    questions, check = walk(port, profile)
    return Site(questions, check, [store_result(port, check) for _ in range(results)], profile)


def walk(port: int, profile: dict[str, str]) -> tuple[list[str], str]:
    """Answer every question as `profile` does, following the site's redirects: the
    question pages on the way (never fetched, so none of them counts as shown), then the
    check page."""
    location = redirect(port, f"/guides/{GUIDE}/questions/")
    questions = []
    while "/questions/" in location and len(questions) < 50:
        questions.append(location)
        slug = question_slug(location)
        location = redirect(port, answer_url(location, slug, profile[slug]))
    assert "/check/" in location, f"the visit ended at {location}, not the check page"
    return questions, location


def question_slug(url: str) -> str:
    return url.partition("?")[0].rstrip("/").rsplit("/", 1)[-1]


def answer_url(question_page: str, slug: str, choice: str) -> str:
    """What the question page's form sends: its query (the answers so far) and the choice."""
    path, _, query = question_page.partition("?")
    return f"{path}answer/?{query + '&' if query else ''}{urlencode({slug: choice})}"


def redirect(port: int, path: str) -> str:
    reply = get(port, path)
    assert reply.status in (301, 302, 303), f"{path} answered {reply.status}, not a redirect"
    return reply.headers["Location"]


class FormFinder(html.parser.HTMLParser):
    """The check page's POST form: its action and fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and (found.get("method") or "").lower() == "post":
            self.action, self._inside = found.get("action"), True
        elif tag == "input" and self._inside and found.get("name"):
            self.fields.append((found["name"], found.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


def store_result(port: int, check: str) -> str:
    """Store a result as a visitor does (through nginx): its permalink."""
    page = get(port, check)
    form = FormFinder()
    form.feed(page.body.decode())
    assert form.action, "the check page has no form to store the result"
    cookie = "; ".join(part.split(";", 1)[0] for part in page.headers.get_all("Set-Cookie") or [])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        connection.request("POST", form.action, urlencode(form.fields), headers)
        response = connection.getresponse()
        response.read()
        assert response.status in (302, 303), f"storing a result answered {response.status}"
        return response.headers["Location"]
    finally:
        connection.close()


# ---------------------------------------------------------------------------
# wrk

WRK_SCRIPT = """
local paths = {%(paths)s}
local threads = {}
function setup(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
end
function init(args)
  n = first; s2 = 0; s3 = 0; s4 = 0; s5 = 0
end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1 elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1 else s2 = s2 + 1 end
end
function done(summary, latency, requests)
  local c = {0, 0, 0, 0}
  for _, t in ipairs(threads) do
    c[1] = c[1] + t:get("s2"); c[2] = c[2] + t:get("s3")
    c[3] = c[3] + t:get("s4"); c[4] = c[4] + t:get("s5")
  end
  local e = summary.errors
  io.write(string.format("WRK-RESULT %%d %%d %%d %%d %%d %%d %%d %%.1f %%.1f %%.1f\\n",
    summary.requests, summary.duration, c[1], c[2], c[3], c[4],
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


@dataclass
class Burst:
    requests: int
    seconds: float
    statuses: dict[str, int]
    socket_errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    def line(self) -> str:
        rate = self.requests / self.seconds
        codes = ", ".join(f"{count} x {kind}" for kind, count in self.statuses.items())
        return (
            f"{self.requests} requests ({rate:.0f}/s): {codes}, {self.socket_errors} socket "
            f"errors; p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, max {self.max_ms:.0f} ms"
        )


def wrk(port: int, paths: list[str], *, connections: int, seconds: int, folder: Path) -> Burst:
    """`connections` connections for `seconds` over `paths` in turn, counted by status."""
    script = folder / "burst.lua"
    script.write_text(WRK_SCRIPT % {"paths": ", ".join(f'"{path}"' for path in paths)})
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    command += ["-s", str(script), f"http://127.0.0.1:{port}/"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    found = re.search(r"^WRK-RESULT (.*)$", done.stdout, re.MULTILINE)
    assert found, f"wrk printed no result:\n{done.stdout}{done.stderr}"
    values = found.group(1).split()
    requests, micros, *counts, errors = map(int, values[:7])
    statuses = dict(zip(["2xx", "3xx", "4xx", "5xx"], counts, strict=True))
    p50, p99, worst = map(float, values[7:])
    return Burst(requests, micros / 1e6, statuses, errors, p50, p99, worst)


# ---------------------------------------------------------------------------
# Steady visitors and connection samples


@dataclass
class Visit:
    phase: str
    path: str
    status: int  # 0: no answer (a timeout or a refused connection)
    seconds: float


@dataclass
class Visitors:
    """A few visitors going round `paths` until stopped, each answer timed and labelled
    with the phase of the test it happened in."""

    port: int
    paths: list[str]
    threads: int = 4
    timeout: float = 5.0
    phase: str = ""
    visits: list[Visit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers = [
            threading.Thread(target=self._visit, args=(n,)) for n in range(self.threads)
        ]

    def __enter__(self) -> Visitors:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for worker in self._workers:
            if worker.is_alive():
                worker.join()

    def during(self, phase: str, seconds: float) -> None:
        """Label what follows `phase` (the first call sets the visitors off), for `seconds`."""
        self.phase = phase
        for worker in self._workers:
            if not worker.is_alive() and not self._stop.is_set():
                worker.start()
        time.sleep(seconds)

    def _visit(self, offset: int) -> None:
        turn = offset
        while not self._stop.is_set():
            path, phase = self.paths[turn % len(self.paths)], self.phase
            turn += 1
            started = time.monotonic()
            try:
                status = get(self.port, path, timeout=self.timeout).status
            except OSError:
                status = 0
            with self._lock:
                self.visits.append(Visit(phase, path, status, time.monotonic() - started))

    def of(self, phase: str) -> list[Visit]:
        return [visit for visit in self.visits if visit.phase == phase]


def summary(visits: list[Visit]) -> str:
    if not visits:
        return "no visits"
    statuses = Counter(visit.status for visit in visits)
    times = [visit.seconds * 1000 for visit in visits]
    codes = ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items()))
    return f"{codes}; p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms"


class ConnectionSampler:
    """The site's PostgreSQL connections (pg_stat_activity), sampled every `every` seconds."""

    def __init__(self, cluster: Cluster, every: float = 0.2) -> None:
        self.cluster, self.every = cluster, every
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample)

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        with self.cluster.postgres.connect() as connection:
            while not self._stop.wait(self.every):
                self.samples.append(connection.execute(self.cluster.CONNECTIONS_SQL).fetchone()[0])


def slowclients():
    """bench/slowclients.py, the trickling clients' code (bench/ is not a package)."""
    name = "decisionguide_bench_slowclients"
    if name not in sys.modules:  # registered first: its dataclasses look their module up
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "slowclients.py")
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]
