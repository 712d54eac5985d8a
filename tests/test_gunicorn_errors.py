"""gunicorn's own answers and log lines, against a real gunicorn started by bin/start.

gunicorn answers some requests itself, before Django sees them (a bad method, a
request line over 4,094 bytes, a bad header): those answers must carry the site's
security headers and quote nothing back. No log line, gunicorn's included, may hold
what a visitor answered or typed (it travels in query strings and form bodies), and
HEAD requests must not make gunicorn warn. decisionguide/serving.py does both.
"""

from __future__ import annotations

import random
import secrets
import socket
import time
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse

from decisionguide.questionnaire.state import text_param
from tests.answers import complete_answers, free_text_question
from tests.security_headers import csp_directives
from tests.servers import SITE_HOST, Server, fetch, running_site

VIA_PROXY = {"Host": SITE_HOST, "X-Forwarded-Proto": "https"}
VIA_PROXY_LINES = f"Host: {SITE_HOST}\r\nX-Forwarded-Proto: https\r\n"
# Headers a page of the site carries that gunicorn's own answers must carry alike.
SAME_AS_THE_SITE = [
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Resource-Policy",
    "Permissions-Policy",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    with running_site(tmp_path_factory.mktemp("gunicorn-errors")) as (started, _):
        yield started


def marker() -> str:
    """A value no log line could hold by chance."""
    return f"zq{secrets.token_hex(6)}"


def exchange(port: int, request: bytes) -> bytes:
    """Send `request` as it is; everything that comes back, up to the close."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def parse(response: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), headers, body


def bad_requests(secret: str) -> dict[str, tuple[bytes, int]]:
    """Requests gunicorn refuses itself, each carrying `secret` in its query string."""
    query = f"/?answer={secret}"
    host = f"Host: {SITE_HOST}\r\n"
    return {
        "bad method": (f"G@T {query} HTTP/1.1\r\n{host}\r\n".encode(), 400),
        "request line over 4,094 bytes": (
            f"GET {query}&pad={'x' * 4100} HTTP/1.1\r\n{host}\r\n".encode(),
            414,
        ),
        "bad HTTP version": (f"GET {query} HTTP/7.1\r\n{host}\r\n".encode(), 400),
        # Typed text a client did not percent-encode: gunicorn quoted the whole line.
        "raw UTF-8 in the query": (f"GET {query}-café HTTP/1.1\r\n{host}\r\n".encode(), 400),
        "a tab in the query": (f"GET {query}\tx HTTP/1.1\r\n{host}\r\n".encode(), 400),
        "no HTTP version": (f"GET {query}\r\n{host}\r\n".encode(), 400),
        "bad header name": (f"GET {query} HTTP/1.1\r\n{host}Bad Name: x\r\n\r\n".encode(), 400),
        "control character in Host": (
            f"GET {query} HTTP/1.1\r\nHost: {secret}\x01.example\r\n\r\n".encode(),
            400,
        ),
        "control character in Cookie": (
            f"GET {query} HTTP/1.1\r\n{host}Cookie: a={secret}\x7f\r\n\r\n".encode(),
            400,
        ),
        "too many headers": (
            f"GET {query} HTTP/1.1\r\n{host}".encode()
            + b"".join(f"X-H{i}: {i}\r\n".encode() for i in range(120))
            + b"\r\n",
            431,
        ),
    }


@pytest.mark.parametrize("kind", list(bad_requests("x")))
def test_gunicorns_own_refusals_carry_the_site_headers_and_quote_nothing(server, kind):
    secret = marker()
    request, expected = bad_requests(secret)[kind]
    status, headers, body = parse(exchange(server.port, request))
    assert status == expected, body[:300]
    page = fetch(server.port, "/", headers=VIA_PROXY)
    assert page.status == 200
    for name in SAME_AS_THE_SITE:
        assert headers.get(name) == page.headers[name], name
    policy = csp_directives(headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert secret.encode() not in body
    assert b"<h1>" in body and len(body) == int(headers["Content-Length"])
    time.sleep(0.3)  # the worker writes its log line after answering
    assert secret not in server.log()


def visitor_requests(doc, rng: random.Random) -> Iterator[tuple[str, bytes, list[str]]]:
    """Requests a visitor (or a fuzzer) might send, each with the markers it carries."""
    answers = complete_answers(doc)
    question = free_text_question(doc)
    check = reverse("questionnaire-check", args=[doc.slug])
    step = reverse("questionnaire-question", args=[doc.slug, question.slug])
    create = reverse("result-create", args=[doc.slug])
    for _ in range(40):
        typed, answer = marker(), marker()
        shaken = list(answers.items())
        rng.shuffle(shaken)
        query = urlencode(
            [*shaken, (text_param(question.slug), f"my notes {typed}"), ("other", answer)]
        )
        pick = rng.randrange(9)
        secrets_in = [typed, answer]
        if pick == 0:  # the check page with typed text and an unknown answer
            yield "GET", f"GET {check}?{query} HTTP/1.1\r\n".encode(), secrets_in
        elif pick == 1:  # a question step, answers in any order, as HTMX asks for it
            line = f"GET {step}?{query} HTTP/1.1\r\nHX-Request: true\r\n"
            yield "GET", line.encode(), secrets_in
        elif pick == 2:  # a form post with typed text, no CSRF token: refused by Django
            body = f"{query}&free={quote(typed)}".encode()
            line = f"POST {create} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            line += f"Content-Length: {len(body)}\r\n"
            yield "POST", line.encode() + b"\r\n" + body, secrets_in
        elif pick == 3:  # broken percent-encoding and a NUL in the query
            yield "GET", f"GET {check}?{query}%zz%00{answer} HTTP/1.1\r\n".encode(), secrets_in
        elif pick == 4:  # a page that does not exist, with answers
            yield "GET", f"GET /no/such/page/?{query} HTTP/1.1\r\n".encode(), secrets_in
        elif pick == 5:  # too long for gunicorn
            yield "GET", f"GET {check}?{query}&pad={'y' * 4100} HTTP/1.1\r\n".encode(), secrets_in
        elif pick == 6:  # a bad method with answers
            yield "GET", f"PO@T {check}?{query} HTTP/1.1\r\n".encode(), secrets_in
        elif pick == 7:  # typed text sent raw, not percent-encoded
            line = f"GET {step}?{query}&t=café-{typed} HTTP/1.1\r\n"
            yield "GET", line.encode(), secrets_in
        else:  # a request line cut short
            yield "GET", f"GET {check}?{query}\r\n".encode(), secrets_in


def test_no_log_line_holds_what_a_visitor_answered_or_typed(server, seed_document):
    rng = random.Random(21)
    sent, statuses = [], set()
    proxy = f"Host: {SITE_HOST}\r\nX-Forwarded-Proto: https\r\n"
    for method, head, secrets_in in visitor_requests(seed_document, rng):
        if method == "POST":  # the body follows the head's blank line
            head_part, _, body = head.partition(b"\r\n\r\n")
            request = head_part + f"\r\n{proxy}\r\n".encode() + body
        else:
            request = head + f"{proxy}\r\n".encode()
        statuses.add(parse(exchange(server.port, request))[0])
        sent += secrets_in
    # The fuzz reached gunicorn's refusals and Django's pages and errors alike.
    assert {400, 403, 404, 414} <= statuses and min(statuses) < 400, statuses
    time.sleep(0.5)
    log = server.log()
    assert "WARNING" in log  # it was heard: refusals and client errors are logged
    assert "Traceback" not in log
    leaked = [value for value in sent if value in log]
    assert leaked == [], log[-3000:]


def test_head_gets_the_get_headers_no_body_and_no_warning(server, seed_document):
    first = seed_document.questions[0].slug
    question = reverse("questionnaire-question", args=[seed_document.slug, first])
    pages = ["/", "/healthz", f"/guides/{seed_document.slug}/", question, "/no/such/page/"]
    gets = {path: fetch(server.port, path, headers=VIA_PROXY) for path in pages}
    time.sleep(0.3)
    warnings = gunicorn_warnings(server.log())
    for path in pages:
        request = f"HEAD {path} HTTP/1.1\r\n{VIA_PROXY_LINES}Connection: close\r\n\r\n"
        status, headers, body = parse(exchange(server.port, request.encode()))
        assert body == b"", path
        assert status == gets[path].status, path
        # The same length as GET's, where the site or gunicorn states one.
        assert headers.get("Content-Length") == gets[path].headers.get("Content-Length"), path
    time.sleep(0.3)
    # gunicorn warned once for every HEAD answered with a body. Django's "Not Found" lines
    # are left out: each worker holds back repeats on its own, so which worker took the
    # HEAD decides whether one appears.
    assert gunicorn_warnings(server.log()) == warnings, server.log()[-2000:]


def gunicorn_warnings(log: str) -> int:
    return sum(1 for line in log.splitlines() if "WARNING" in line and "django.request" not in line)
