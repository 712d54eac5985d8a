"""The services of the loopback cluster, each from Debian's own package, each in a folder
of its own and on a port of its own, nothing of the system's configuration touched:
PostgreSQL, Redis and nginx, plus the helpers the cluster's app servers share.

deploy/cluster.py puts them together; docs/operations.md, "Reference deployment", says
how the same pieces run on several machines.
"""

from __future__ import annotations

import glob
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONFIG = ROOT / "deploy" / "nginx"
# Upstream passive health checks, as in deploy/nginx/sites-available/decisionguide.
UPSTREAM_HEALTH = "max_fails=3 fail_timeout=10s"


class ClusterError(RuntimeError):
    """Something the cluster needs is missing or did not start; the message says what."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def get(
    port: int, path: str, *, headers: dict[str, str] | None = None, timeout: float = 5.0
) -> Reply:
    """One GET to 127.0.0.1:`port` (no redirect followed, no cookie kept)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def answers(port: int, path: str, status: int = 200) -> bool:
    try:
        return get(port, path, timeout=2).status == status
    except OSError:
        return False


def wait_for(check: Callable[[], bool], seconds: float, what: str, child: Child | None) -> None:
    """Poll `check` until it holds; fail with `child`'s log if it exits or time runs out."""
    deadline = time.monotonic() + seconds
    while not check():
        if child is not None and not child.running():
            raise ClusterError(f"{what}: {child.name} exited.\n{child.log_tail()}")
        if time.monotonic() > deadline:
            tail = child.log_tail() if child is not None else ""
            raise ClusterError(f"{what}: not within {seconds:.0f}s.\n{tail}")
        time.sleep(0.2)


def require(program: str, package: str) -> str:
    found = shutil.which(program, path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
    if not found:
        raise ClusterError(f"{program} is missing: sudo apt-get install {package}")
    return found


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise ClusterError("PostgreSQL is missing: sudo apt-get install postgresql")
    return Path(found[-1])


def as_root() -> bool:
    return os.geteuid() == 0


class Child:
    """A foreground process of the cluster, in a session of its own (a Ctrl+C in the
    terminal reaches only bin/cluster, which stops the others in order), its output
    appended to a log file."""

    def __init__(self, name: str, command: Sequence[str], log: Path, env: dict | None = None):
        self.name, self.command, self.log, self.env = name, list(command), log, env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def send(self, signum: int) -> None:
        if self.running():
            self.process.send_signal(signum)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30.0) -> int | None:
        """Send `signum`, wait for the exit; past `timeout`, kill its whole session."""
        if self.process is None:
            return None
        if self.running():
            self.process.send_signal(signal.SIGCONT)  # a frozen process can't exit
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session only
                self.process.wait(timeout=10)
        return self.process.returncode

    def log_tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        text = self.log.read_text(errors="replace").splitlines()[-lines:]
        return f"--- last lines of {self.log}:\n" + "\n".join(text)


class PostgreSQL:
    """A throwaway PostgreSQL: its own data folder and port, TCP on 127.0.0.1 with a
    password for the site (as app servers on other machines connect), the Unix socket
    for the cluster's own look-ups. PostgreSQL refuses to run as root: as root it runs
    as the `postgres` user, like Debian's own service."""

    def __init__(self, folder: Path, logs: Path) -> None:
        self.folder, self.log = folder, logs / "postgresql.log"
        self.bin = postgres_bin()
        self.port = free_port()
        self.password = secrets.token_urlsafe(24)
        self.as_owner = ["runuser", "-u", "postgres", "--"] if as_root() else []

    @property
    def url(self) -> str:
        """The site's DATABASE_URL: its own user and database, over TCP."""
        return f"postgres://guide:{self.password}@127.0.0.1:{self.port}/guide"

    def start(self) -> None:
        self.folder.mkdir(parents=True)
        if as_root():
            shutil.chown(self.folder, "postgres", "postgres")
        data = self.folder / "data"
        # The site signs in with a password over TCP; the cluster's look-ups use the socket.
        auth = ["--auth-local=trust", "--auth-host=scram-sha-256"]
        self._run("initdb", ["-D", data, "-U", "postgres", "-E", "UTF8", *auth])
        # fsync off: throwaway data, and a faster start.
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", ["-D", data, "-l", self.folder / "server.log", "-w", "-o", options])
        self.execute(
            f"CREATE ROLE guide LOGIN PASSWORD '{self.password}'",
            "CREATE DATABASE guide OWNER guide",
        )

    def _run(self, program: str, args: list) -> None:
        command = [*self.as_owner, str(self.bin / program), *map(str, args)]
        if program == "pg_ctl":
            command.append("start")
        with self.log.open("ab") as out:
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
        if done.returncode != 0:
            raise ClusterError(f"PostgreSQL's {program} failed; see {self.log}")

    def connect(self, database: str = "postgres"):
        """A superuser connection over the Unix socket (psycopg, autocommit)."""
        import psycopg

        return psycopg.connect(
            host=str(self.folder), port=self.port, user="postgres", dbname=database,
            autocommit=True,
        )  # fmt: skip

    def execute(self, *statements: str) -> None:
        with self.connect() as connection:
            for statement in statements:
                connection.execute(statement)

    def query(self, sql: str, params: tuple = (), database: str = "guide") -> list[tuple]:
        with self.connect(database) as connection:
            return connection.execute(sql, params).fetchall()

    def stop(self) -> None:
        data = self.folder / "data"
        if (data / "postmaster.pid").exists():
            command = [*self.as_owner, str(self.bin / "pg_ctl"), "-D", str(data)]
            subprocess.run([*command, "-m", "fast", "stop"], capture_output=True, check=False)


class Redis:
    """Debian's redis-server in the foreground: its own folder, port and password, no
    snapshots, and a memory limit that evicts the least recently used keys, as the page
    cache needs (docs/operations.md, "The page cache")."""

    def __init__(self, folder: Path, logs: Path, maxmemory: str = "64mb") -> None:
        self.folder, self.logs, self.maxmemory = folder, logs, maxmemory
        self.program = require("redis-server", "redis-server")
        self.port = free_port()
        self.password = secrets.token_urlsafe(24)
        self.child: Child | None = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [self.program, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--dir", str(self.folder), "--save", "", "--appendonly", "no"]
        command += ["--maxmemory", self.maxmemory, "--maxmemory-policy", "allkeys-lru"]
        command += ["--requirepass", self.password, "--loglevel", "warning"]
        self.child = Child("redis", command, self.logs / "redis.log")
        self.child.start()
        wait_for(lambda: self.ping(timeout=0.5), 15, "Redis", self.child)

    def client(self, timeout: float = 2.0):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=timeout)

    def ping(self, timeout: float = 2.0) -> bool:
        try:
            with self.client(timeout) as client:
                return bool(client.ping())
        except Exception:  # not up yet, or refusing
            return False

    def dbsize(self) -> int:
        with self.client() as client:
            return int(client.dbsize())

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop(signal.SIGTERM, timeout=15)

    def freeze(self) -> None:
        self.child.send(signal.SIGSTOP)

    def thaw(self) -> None:
        self.child.send(signal.SIGCONT)


class Nginx:
    """Debian's nginx binary with a configuration of its own (-p, -c), in the foreground:
    the shared part of the site comes from deploy/nginx/ itself (conf.d/ and snippets/,
    linked into its folder), so what runs here is what a real server includes."""

    def __init__(self, folder: Path, logs: Path, upstreams: list[int], port: int = 0) -> None:
        self.folder, self.logs, self.upstreams = folder, logs, upstreams
        self.program = require("nginx", "nginx-light")
        self.port = port or free_port()
        self.child: Child | None = None

    def config(self) -> str:
        servers = "".join(
            f"        server 127.0.0.1:{port} {UPSTREAM_HEALTH};\n" for port in self.upstreams
        )
        temp = "".join(
            f"    {kind}_temp_path {self.folder / 'temp' / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # As root, nginx's workers run as another user; Debian's is www-data.
        user = "user www-data www-data;\n" if as_root() else ""
        return (
            "daemon off;\n"
            f"{user}"
            "worker_processes 2;\n"
            f"pid {self.folder / 'nginx.pid'};\n"
            # `warn` here (a real site says `crit`: sites-available/decisionguide): on
            # loopback the lines help, and they stay in this temporary folder.
            f"error_log {self.logs / 'nginx-error.log'} warn;\n"
            "events {\n    worker_connections 4096;\n}\n"
            "http {\n"
            f"{temp}"
            "    include conf.d/decisionguide.conf;\n"
            f"    upstream decisionguide {{\n{servers}    }}\n"
            "    server {\n"
            f"        listen 127.0.0.1:{self.port};\n"
            f"        access_log {self.logs / 'nginx-access.log'} decisionguide;\n"
            "        include snippets/decisionguide-proxy.conf;\n"
            "    }\n"
            "}\n"
        )

    def start(self) -> None:
        (self.folder / "temp").mkdir(parents=True, exist_ok=True)
        for part in ("conf.d", "snippets"):
            link = self.folder / part
            if not link.exists():
                link.symlink_to(NGINX_CONFIG / part)
        conf = self.folder / "nginx.conf"
        conf.write_text(self.config())
        command = [self.program, "-p", str(self.folder), "-c", str(conf)]
        check = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise ClusterError(f"nginx refused its configuration:\n{check.stderr}")
        self.child = Child("nginx", command, self.logs / "nginx.log")
        self.child.start()
        wait_for(lambda: self._listening(), 15, "nginx", self.child)

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop(signal.SIGTERM, timeout=15)
