"""nginx in front of the site (deploy/nginx/): the production site file is valid for Debian's
nginx, nginx's own error pages carry the site's security headers, and the app's answers
pass through with each header once."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from deploy.cluster import Cluster
from deploy.services import NGINX_CONFIG, Nginx, free_port, get, require
from tests.cluster.conftest import report, require_tools
from tests.cluster.traffic import GUIDE_PAGE

pytestmark = pytest.mark.cluster

# What every nginx error page must say, whatever the request was.
ERROR_PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def raw_request(port: int, request: bytes) -> tuple[int, dict[str, list[str]]]:
    """Send bytes as they are; the status and headers of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := sock.recv(65536)):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return int(head[0].split()[1]), headers


def assert_protected(status: int, headers: dict[str, list[str]]) -> None:
    for name, value in ERROR_PAGE_HEADERS.items():
        assert headers.get(name.lower()) == [value], f"{status}: {name} is {headers.get(name)}"
    policy = headers.get("content-security-policy", [""])
    assert len(policy) == 1 and "frame-ancestors 'none'" in policy[0], status
    assert "permissions-policy" in headers, status
    assert headers.get("server") in (None, ["nginx"]), status  # no version


def test_the_production_site_file_passes_nginx_t(tmp_path: Path) -> None:
    require_tools()
    etc = tmp_path / "etc"
    shutil.copytree(NGINX_CONFIG, etc)
    site = etc / "sites-available" / "decisionguide"
    text = site.read_text()
    for real, here in [("/etc/letsencrypt/live/guide.example.com/", f"{etc}/"),
                       ("/var/log/nginx/", f"{tmp_path}/")]:  # fmt: skip
        assert real in text
        text = text.replace(real, here)
    site.write_text(text)
    certificate = ["-subj", "/CN=guide.example.com", "-days", "1", "-nodes"]
    certificate += ["-keyout", etc / "privkey.pem", "-out", etc / "fullchain.pem"]
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", *certificate], check=True)
    temp = "".join(f"{kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy"))
    (etc / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n{temp}include conf.d/*.conf;\ninclude sites-available/decisionguide;\n}}\n"
    )
    nginx = require("nginx", "nginx-light")
    done = subprocess.run(
        [nginx, "-t", "-p", str(etc), "-c", str(etc / "nginx.conf")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_nginx_error_pages_carry_the_security_headers(cluster: Cluster) -> None:
    port = cluster.nginx.port
    refused = {
        "garbage": raw_request(port, b"NONSENSE\r\n\r\n"),
        "long cookie": raw_request(
            port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + b"a" * 5000 + b"\r\n\r\n"
        ),
        "long address": raw_request(
            port, b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        ),
        "large body": raw_request(
            port,
            b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2000000\r\n\r\n",
        ),
    }
    report(f"nginx's own answers: { {name: status for name, (status, _) in refused.items()} }")
    assert {name: status for name, (status, _) in refused.items()} == {
        "garbage": 400, "long cookie": 400, "long address": 414, "large body": 413,
    }  # fmt: skip
    for status, headers in refused.values():
        assert_protected(status, headers)


def test_no_request_line_reaches_gunicorns_own_limit(cluster: Cluster) -> None:
    # gunicorn refuses request lines over 4,094 bytes with a bare page of its own; nginx's
    # 4 KB buffers refuse them first, with its own page. Around the limit, every answer
    # (the app's 404 or nginx's 414) carries the headers.
    statuses = set()
    for length in range(4080, 4110):
        path = b"/" + b"a" * (length - len(b"GET / HTTP/1.1"))
        status, headers = raw_request(cluster.nginx.port, b"GET " + path + b" HTTP/1.1\r\n"
                                      b"Host: 127.0.0.1\r\n\r\n")  # fmt: skip
        statuses.add(status)
        assert_protected(status, headers)
    assert statuses == {404, 414}


def test_nginx_answers_for_app_servers_that_are_down_with_the_headers(cluster: Cluster) -> None:
    folder = cluster.folder / "nginx-without-servers"
    nginx = Nginx(folder, cluster.logs, upstreams=[free_port()])
    nginx.start()
    try:
        status, headers = raw_request(nginx.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    finally:
        nginx.stop()
    assert status == 502
    assert_protected(status, headers)
    assert headers["retry-after"] == ["10"]


def test_the_apps_answers_pass_through_with_each_header_once(cluster: Cluster) -> None:
    port = cluster.nginx.port
    missing = get(port, "/no-such-page/")
    assert missing.status == 404
    for name in ["Content-Security-Policy", *ERROR_PAGE_HEADERS]:
        assert len(missing.headers.get_all(name) or []) == 1, name
    assert missing.headers["Server"] == "nginx"
    assert "Retry-After" not in missing.headers
    page = get(port, GUIDE_PAGE).body.decode()
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
    static = get(port, stylesheet, headers={"Accept-Encoding": "gzip"})
    assert static.status == 200
    assert "immutable" in static.headers["Cache-Control"]  # whitenoise's, for hashed names
    assert static.headers["Content-Encoding"] == "gzip"
