"""Servers and processes the tests start: production environments, a running bin/start,
raw HTTP requests, a child Python, and a scratch database of the kind the suite runs on.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

# The cluster's own helpers: one free-port finder and one reply type for tests and deploy/.
from deploy.services import Reply, free_port

BASE_DIR = Path(settings.BASE_DIR)
OPERATIONS_DOC = BASE_DIR / "docs" / "operations.md"
# Variables the test settings set: none of them may leak into a production child.
TEST_ONLY_PREFIXES = ("DJANGO_", "DECISIONGUIDE_", "WHITENOISE_", "GUNICORN_")


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)  # 67 characters


def documented_production_env() -> dict[str, str]:
    """The minimal production environment from docs/operations.md, with a fresh secret.

    The block follows the `<!-- production-env -->` marker in the document.
    """
    text = OPERATIONS_DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- production-env -->\s*```[a-z]*\n(.*?)```", text, re.DOTALL)
    assert block, "docs/operations.md lost its production environment example"
    pairs = dict(
        line.split("=", 1)
        for line in block.group(1).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    assert "DJANGO_SECRET_KEY" in pairs and "DJANGO_ALLOWED_HOSTS" in pairs
    return pairs | {"DJANGO_SECRET_KEY": new_secret_key()}


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The documented production environment, with every file under `tmp_path`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(TEST_ONLY_PREFIXES)
        and key not in {"DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY", "PORT"}
    }
    env |= documented_production_env()
    env |= {
        "DJANGO_SETTINGS_MODULE": "decisionguide.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "PYTHON": sys.executable,
    }
    return env | extra


def manage(
    args: list[str], env: dict[str, str], *, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """A management command in a child process with `env`, its output captured."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def settings_under(env: dict[str, str], names: list[str]) -> dict:
    """Settings as production computes them from `env` (in a fresh process)."""
    # Settings only, no django.setup(): the database driver need not be installed.
    code = (
        "import json\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))\n"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def fetch(
    port: int,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15,
) -> Reply:
    """One raw request to 127.0.0.1 (no redirects followed, no cookies kept)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    stdout: Path
    stderr: Path

    def log(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")


@contextmanager
def running_server(
    command: list[str], env: dict[str, str], log_dir: Path, *, ready_within: float = 180
) -> Iterator[Server]:
    """Start `command` (bin/start), wait until /readyz says yes, stop it gracefully after.

    bin/start migrates an empty database first (23 migrations of our own), which takes
    well over a minute on a busy two-core machine: the deadline only catches a server
    that never comes up."""
    port = free_port()
    env = env | {"GUNICORN_BIND": f"127.0.0.1:{port}"}
    stdout, stderr = log_dir / "server.stdout", log_dir / "server.stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=out, stderr=err, start_new_session=True
        )
    server = Server(process, port, stdout, stderr)
    try:
        deadline = time.monotonic() + ready_within
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{server.log()}")
            try:
                if fetch(port, "/readyz", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server was not ready within {ready_within}s:\n{server.log()}")
            time.sleep(0.2)
        yield server
    finally:
        stop_server(process)


SITE_HOST = "guide.example.com"


@contextmanager
def running_site(tmp_path: Path, **extra: str) -> Iterator[tuple[Server, dict[str, str]]]:
    """bin/start as production runs it (two workers, the seed guide loaded) behind a proxy
    for SITE_HOST, static files from the source tree; the server and its environment."""
    env = production_env(
        tmp_path,
        DJANGO_ALLOWED_HOSTS=SITE_HOST,
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{SITE_HOST}",
        DECISIONGUIDE_LOAD_CONTENT="1",
        WEB_CONCURRENCY="2",
        WHITENOISE_USE_FINDERS="1",
        DJANGO_MANIFEST_STATIC="0",
        DECISIONGUIDE_COLLECTSTATIC="0",
        **extra,
    )
    with running_server([str(BASE_DIR / "bin" / "start")], env, tmp_path) as server:
        yield server, env


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # bin/start exec'd gunicorn: this is its master
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # our own session only
            process.wait(timeout=10)


# ---------------------------------------------------------------------------
# A child Python with production settings


def production_subprocess_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no variable of the test settings leaks into the child."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(TEST_ONLY_PREFIXES) and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "decisionguide.settings",
        "DJANGO_SECRET_KEY": "x" * 20 + os.urandom(24).hex(),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    return env | extra


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# ---------------------------------------------------------------------------
# A database of its own


@contextmanager
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL for an empty database of the kind the suite runs on."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
        return
    import psycopg

    name = f"dg_concurrency_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(database_url: str, sql: str) -> list[tuple]:
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            return connection.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(database_url) as connection:
        return connection.execute(sql).fetchall()
