"""Issue 13's reproductions against a real gunicorn started by bin/start.

One server for the module: production settings from docs/operations.md
(behind a TLS proxy on this machine), the seed guide loaded, two workers of the
kind gunicorn.conf.py chooses. Requests are made as the issue's
curl commands made them, over plain sockets where the exact bytes matter.
"""

from __future__ import annotations

import gzip
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from django.conf import settings

from tests.answers import complete_answers
from tests.servers import (
    SITE_HOST,
    Reply,
    Server,
    fetch,
    free_port,
    production_env,
    running_site,
    stop_server,
)

BASE_DIR = Path(settings.BASE_DIR)
HOST = SITE_HOST
VIA_PROXY = {"Host": HOST, "X-Forwarded-Proto": "https"}
SEED = yaml.safe_load((BASE_DIR / "content" / "crm-pm-hybrid.yaml").read_text())
GUIDE_PAGE = f"/guides/{SEED['slug']}/"
QUESTION_PAGE = f"/guides/{SEED['slug']}/questions/{SEED['questions'][0]['slug']}/"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    with running_site(tmp_path) as (started, _):
        yield started


def assert_site_headers(reply: Reply) -> None:
    headers = reply.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "max-age=" in headers["Strict-Transport-Security"]


def raw_exchange(port: int, request: bytes) -> tuple[bytes, bytes]:
    """Send `request` as it is; the head and whatever came after it, up to the close."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, rest = received.partition(b"\r\n\r\n")
    return head, rest


# ---------------------------------------------------------------------------
# Reproduction 1: the curl that got a bare 500 everywhere


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/no/such/page/"])
def test_a_form_in_latin_1_with_a_csrf_cookie_gets_a_styled_4xx(server, path):
    reply = fetch(
        server.port,
        path,
        method="POST",
        body=b"a=b",
        headers=VIA_PROXY
        | {
            "Cookie": f"{settings.CSRF_COOKIE_NAME}={'A' * 32}",
            "Content-Type": "application/x-www-form-urlencoded; charset=latin-1",
            "Origin": f"https://{HOST}",
        },
    )
    assert 400 <= reply.status < 500, reply.body[:300]
    assert b'class="error-page"' in reply.body
    assert_site_headers(reply)
    # One WARNING line for it, no traceback.
    time.sleep(0.2)
    log = server.stdout.read_text()
    assert "Traceback" not in server.log()
    lines = [line for line in log.splitlines() if f": {path}" in line and " WARNING " in line]
    assert lines, log[-2000:]


def test_no_client_error_left_a_traceback_or_an_error_line(server):
    # Runs after the requests above (and any other refused one in this module).
    log = server.log()
    assert "Traceback" not in log
    assert not re.search(r"^\S+ \S+ ERROR ", server.stdout.read_text(), re.MULTILINE)


# ---------------------------------------------------------------------------
# Reproduction 6: HEAD answers like GET, without a body


@pytest.mark.parametrize("path", ["/", GUIDE_PAGE, QUESTION_PAGE])
def test_head_answers_like_get_without_a_body(server, path):
    request_head = f"HEAD {path} HTTP/1.1\r\nHost: {HOST}\r\nX-Forwarded-Proto: https\r\n"
    head, rest = raw_exchange(server.port, (request_head + "Connection: close\r\n\r\n").encode())
    assert head.startswith(b"HTTP/1.1 200 "), head
    assert rest == b""
    get = fetch(server.port, path, headers=VIA_PROXY)
    assert get.status == 200 and get.body
    lengths = re.search(rb"\r\ncontent-length: (\d+)", head, re.IGNORECASE)
    assert lengths and int(lengths.group(1)) == len(get.body)


# ---------------------------------------------------------------------------
# Reproduction 8: forwarded scheme headers


@pytest.mark.parametrize(
    ("header", "value", "counts_as_https"),
    [
        ("X-Forwarded-Proto", "https", True),
        ("X-Forwarded-Ssl", "on", False),
        ("X-Forwarded-Protocol", "ssl", False),
    ],
)
def test_behind_the_proxy_only_x_forwarded_proto_counts(server, header, value, counts_as_https):
    reply = fetch(server.port, "/no/such/page/", headers={"Host": HOST, header: value})
    # Plain HTTP is redirected to HTTPS; HTTPS reaches the site (a 404 here).
    assert reply.status == (404 if counts_as_https else 301)


def test_without_the_proxy_setting_no_forwarded_scheme_header_counts(tmp_path):
    env = production_env(tmp_path, DJANGO_ALLOWED_HOSTS=HOST, WEB_CONCURRENCY="1")
    env.pop("DJANGO_SECURE_PROXY_SSL_HEADER")
    port = free_port()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "decisionguide.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(port, "/healthz", timeout=2).status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "no gunicorn"
            time.sleep(0.2)
        for header, value in [
            ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-Ssl", "on"),
            ("X-Forwarded-Protocol", "ssl"),
        ]:
            reply = fetch(port, "/no/such/page/", headers={"Host": HOST, header: value})
            assert reply.status == 301, header
    finally:
        stop_server(process)


# ---------------------------------------------------------------------------
# The default worker (sync, docs/operations.md "Slow clients"): a worker serves one
# request at a time and is free again as soon as its answer is written. Slow clients
# are the buffering proxy's to absorb (the cluster test holds 200 through nginx).


def test_every_answer_closes_its_connection_so_no_idle_client_holds_a_worker(server):
    request = f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nConnection: keep-alive\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request.encode())
        received = b""
        # recv returns b"" once gunicorn has closed its end: no waiting for the timeout.
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and b"ok\n" in body
    assert re.search(rb"\r\nconnection: close\r\n", head + b"\r\n", re.IGNORECASE)


def start_gunicorn(env: dict[str, str]) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    log = Path(env["DJANGO_STATIC_ROOT"]).parent / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "decisionguide.wsgi"],
            cwd=BASE_DIR,
            env=env | {"GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            if fetch(port, "/healthz", timeout=2).status == 200:
                return process, port, log
        except OSError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def test_a_silent_client_is_cut_off_after_the_timeout_and_the_worker_replaced(tmp_path):
    # One worker, which the silent client holds until GUNICORN_TIMEOUT (2 s here).
    env = production_env(tmp_path, DJANGO_ALLOWED_HOSTS=HOST, WEB_CONCURRENCY="1")
    env |= {"GUNICORN_TIMEOUT": "2"}
    process, port, log = start_gunicorn(env)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=15) as silent:
            silent.sendall(b"GET /healthz?answer=never-finished HTTP/1.1\r\nHost: ")
            started = time.monotonic()
            assert fetch(port, "/healthz", timeout=15).status == 200
            # Within the timeout, the arbiter's next check and a new worker's start.
            assert time.monotonic() - started < 10
            assert silent.recv(100).startswith(b"HTTP/1.1 408 ")
    finally:
        stop_server(process)
    text = log.read_text()
    timed_out = re.search(r"WORKER TIMEOUT \(pid:(\d+)\)", text)
    assert timed_out, text
    pid = timed_out.group(1)
    # The worker left on its own, with one line and no traceback: its own "Worker exiting"
    # comes right after the timeout. (The stock worker lingers two seconds on the silent
    # socket and is killed first.) On a busy machine the arbiter's next look, a second
    # after its abort signal, may still find the process tearing down and send SIGKILL:
    # only after the worker said it was leaving.
    after = text[timed_out.end() :]
    exiting = after.find(f"Worker exiting (pid: {pid})")
    assert exiting >= 0, text
    killed = after.find(f"Worker (pid:{pid}) was sent SIGKILL")
    assert killed == -1 or killed > exiting, text
    assert "gunicorn gave up on a client that sent no complete request" in after, text
    assert "Traceback" not in text, text
    assert "never-finished" not in text


# ---------------------------------------------------------------------------
# Compression


def test_pages_are_gzipped_with_a_fresh_csrf_token_each_time(server, seed_document):
    accept = VIA_PROXY | {"Accept-Encoding": "gzip, deflate, br"}
    plain = fetch(server.port, GUIDE_PAGE, headers=VIA_PROXY)
    packed = fetch(server.port, GUIDE_PAGE, headers=accept)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.body) == plain.body
    assert len(packed.body) < len(plain.body) / 3
    # BREACH: the page with the result form holds a different CSRF token every time.
    check = f"/guides/{seed_document.slug}/check/?{urlencode(complete_answers(seed_document))}"
    tokens = set()
    for _ in range(2):
        reply = fetch(server.port, check, headers=accept)
        assert reply.status == 200
        html = gzip.decompress(reply.body).decode()
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))
    assert len(tokens) == 2
