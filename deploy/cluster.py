"""The reference deployment on this machine's loopback, started with one command:

    bin/cluster                  # nginx in front of two app servers, PostgreSQL, Redis
    bin/cluster --help

PostgreSQL and Redis (each in a temporary folder, on a port of its own), the static files
collected once (as an image build would), two app servers started at once with bin/start
(both migrate, so they race for the migration lock on purpose), the guides in content/
loaded once (a release step, not a server's), then nginx in front on one port with the
configuration in deploy/nginx/. Everything listens on 127.0.0.1 only, and everything is
stopped, and the folder removed, on Ctrl+C or SIGTERM. tests/cluster/ runs the same code.

Plain HTTP on loopback: the app runs in production mode, but with the HTTPS redirect and
HSTS off (DJANGO_SECURE_SSL_REDIRECT=0, DJANGO_HSTS_SECONDS=0), since there is no TLS here
to send visitors to. docs/operations.md, "Reference deployment", walks through the same
pieces on several machines.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from deploy.services import (
    ROOT,
    Child,
    ClusterError,
    Nginx,
    PostgreSQL,
    Redis,
    answers,
    free_port,
    postgres_bin,
    require,
    wait_for,
)

# Variables of the caller's shell (or of the test suite) that must not reach the site:
# the cluster sets every one it needs itself.
FOREIGN_PREFIXES = ("DJANGO_", "DECISIONGUIDE_", "WHITENOISE_", "GUNICORN_")
FOREIGN_NAMES = {"DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY", "PORT", "FORWARDED_ALLOW_IPS"}
# Seconds an app server gets to migrate and answer /readyz (two servers share two cores).
READY_WITHIN = 180


class AppServer:
    """One app server: bin/start, as production runs it, on 127.0.0.1:<port>."""

    def __init__(self, number: int, env: dict[str, str], logs: Path) -> None:
        self.number, self.port = number, free_port()
        self.name = f"app{number}"
        self.env = env | {"GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        command = [str(ROOT / "bin" / "start")]
        self.child = Child(self.name, command, logs / f"{self.name}.log", self.env)

    def start(self) -> None:
        self.child.start()

    def wait_ready(self) -> None:
        ready = lambda: answers(self.port, "/readyz")  # noqa: E731
        wait_for(ready, READY_WITHIN, f"app server {self.number}", self.child)

    def stop(self, timeout: float = 40.0) -> int | None:
        """A graceful stop: SIGTERM to gunicorn's master (bin/start exec'd it), which lets
        its workers finish their requests and write their analytics."""
        return self.child.stop(signal.SIGTERM, timeout)


class Cluster:
    """The whole deployment; `with Cluster() as cluster:` starts and stops it."""

    # The site's connections to PostgreSQL: its own user on its own database.
    CONNECTIONS_SQL = (
        "SELECT count(*) FROM pg_stat_activity WHERE usename = 'guide' AND datname = 'guide'"
    )

    def __init__(
        self, *, servers: int = 2, workers: int = 2, pool_size: int = 2, port: int = 0,
        python: str = sys.executable, say=print,
    ) -> None:  # fmt: skip
        self.workers, self.pool_size, self.python, self.say = workers, pool_size, python, say
        require_tools()
        self.folder = Path(tempfile.mkdtemp(prefix="decisionguide-cluster-"))
        # PostgreSQL's user and nginx's workers must reach their own subfolders.
        self.folder.chmod(0o755)
        self.logs = self.folder / "logs"
        self.logs.mkdir()
        self.secret_key = secrets.token_urlsafe(50)
        self.postgres = PostgreSQL(self.folder / "postgresql", self.logs)
        self.redis = Redis(self.folder / "redis", self.logs)
        self.nginx = Nginx(self.folder / "nginx", self.logs, [], port)
        self.apps = [AppServer(n, self.site_env(servers), self.logs) for n in range(1, servers + 1)]
        self.nginx.upstreams = [app.port for app in self.apps]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.nginx.port}/"

    def site_env(self, servers: int) -> dict[str, str]:
        """Every app server's environment, and the release steps': production mode."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(FOREIGN_PREFIXES) and key not in FOREIGN_NAMES
        }
        origins = [f"http://{host}:{self.nginx.port}" for host in ("127.0.0.1", "localhost")]
        return env | {
            "DJANGO_SETTINGS_MODULE": "decisionguide.settings",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_CSRF_TRUSTED_ORIGINS": ",".join(origins),
            # Behind nginx on this machine: it sets X-Forwarded-Proto and -For.
            "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
            "DECISIONGUIDE_TRUSTED_PROXIES": "127.0.0.1/32",
            # Plain HTTP on loopback: nothing to redirect to, and HSTS means nothing here.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_HSTS_SECONDS": "0",
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "DJANGO_STATIC_ROOT": str(self.folder / "static"),
            "WEB_CONCURRENCY": str(self.workers),
            "DECISIONGUIDE_DB_POOL_SIZE": str(self.pool_size),
            "DECISIONGUIDE_APP_SERVERS": str(servers),
            # Every server migrates as it starts: they race for the lock on purpose.
            "DECISIONGUIDE_MIGRATE": "1",
            "DECISIONGUIDE_COLLECTSTATIC": "0",  # collected once, before (a release step)
            "DECISIONGUIDE_LOAD_CONTENT": "0",  # loaded once, after (a release step)
            "PYTHON": self.python,
        }

    @property
    def env(self) -> dict[str, str]:
        """The environment of a management command on this cluster (any server's)."""
        return self.apps[0].env

    # -- starting and stopping

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        check_python(self.python)
        self.started = time.monotonic()
        self.step(f"PostgreSQL on 127.0.0.1:{self.postgres.port}")
        self.postgres.start()
        self.step(f"Redis on 127.0.0.1:{self.redis.port} (maxmemory, allkeys-lru)")
        self.redis.start()
        self.step("collectstatic, once (the image build's step)")
        self.manage("collectstatic", "--no-input", "--verbosity", "0")
        ports = ", ".join(str(app.port) for app in self.apps)
        self.step(f"{len(self.apps)} app servers on {ports}, all migrating at once")
        for app in self.apps:
            app.start()
        with ThreadPoolExecutor(len(self.apps)) as pool:
            list(pool.map(AppServer.wait_ready, self.apps))
        self.step("loadguide, once (a release step)")
        self.manage("loadguide")
        self.step(f"nginx on 127.0.0.1:{self.nginx.port}")
        self.nginx.start()
        wait_for(lambda: answers(self.nginx.port, "/readyz"), 30, "nginx", self.nginx.child)
        self.step("up")

    def step(self, what: str) -> None:
        self.say(f"==> {time.monotonic() - self.started:4.0f}s  {what}")

    def stop(self, keep: bool = False) -> None:
        """Everything, front to back: nginx, the app servers (gracefully), Redis,
        PostgreSQL; then the folder, unless `keep`."""

        def stop_apps() -> None:
            with ThreadPoolExecutor(len(self.apps)) as pool:
                list(pool.map(AppServer.stop, self.apps))

        failures = []
        for stop in (self.nginx.stop, stop_apps, self.redis.stop, self.postgres.stop):
            try:
                stop()
            except Exception as exc:  # stop the rest all the same, then say what failed
                failures.append(f"{exc}")
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)
        if failures:
            raise ClusterError("stopping the cluster: " + "; ".join(failures))

    def restart_apps(self, *apps: AppServer) -> None:
        for app in apps:
            app.start()
        for app in apps:
            app.wait_ready()

    # -- release steps and look-ups

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """`manage.py` with the site's environment (any server's: they share everything)."""
        done = subprocess.run(
            [self.python, "manage.py", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if check and done.returncode != 0:
            raise ClusterError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done

    def app_connections(self) -> int:
        """The site's connections to PostgreSQL now."""
        return self.postgres.query(self.CONNECTIONS_SQL, database="postgres")[0][0]

    def write_env_file(self) -> Path:
        """The site's environment as a shell file (only the owner may read the secret)."""
        path = self.folder / "site.env"
        names = sorted(set(self.env) - set(os.environ) | {"DJANGO_SETTINGS_MODULE"})
        path.touch(mode=0o600)
        path.write_text("".join(f"{name}='{self.env[name]}'\n" for name in names))
        return path


def require_tools() -> None:
    """Debian's packages the cluster runs, or a ClusterError naming the missing one."""
    postgres_bin()
    require("redis-server", "redis-server")
    require("nginx", "nginx-light")


def check_python(python: str) -> None:
    """The interpreter bin/start will use (.venv's when there is one) has the drivers."""
    venv = ROOT / ".venv" / "bin" / "python"
    used = str(venv) if os.access(venv, os.X_OK) else python
    probe = subprocess.run([used, "-c", "import psycopg_pool, redis"], capture_output=True)
    if probe.returncode != 0:
        raise ClusterError(
            f"{used} lacks the PostgreSQL pool or Redis driver, which bin/start needs: "
            f'{used} -m pip install -e ".[postgres,redis]"'
        )


# ---------------------------------------------------------------------------
# bin/cluster


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bin/cluster",
        description=(
            "Start the reference deployment on 127.0.0.1: nginx in front of app servers "
            "(bin/start, production mode over plain HTTP), PostgreSQL and Redis, each in a "
            "temporary folder. Ctrl+C or SIGTERM stops everything and removes the folder. "
            "docs/operations.md, 'Reference deployment', explains each piece."
        ),
    )
    parser.add_argument("--port", type=int, default=0, help="nginx's port (default: a free one)")
    parser.add_argument("--servers", type=at_least_one, default=2, help="app servers (2)")
    parser.add_argument(
        "--workers", type=at_least_one, default=2, help="gunicorn workers a server (2)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the folder and its logs")
    return parser.parse_args(argv)


def at_least_one(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return number


def stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # the same way out as Ctrl+C: every service is stopped


def announce(cluster: Cluster) -> None:
    env_file = cluster.write_env_file()
    apps = ", ".join(f"127.0.0.1:{app.port}" for app in cluster.apps)
    print(
        f"\nDecision Guide on {cluster.url}  (also http://localhost:{cluster.nginx.port}/)\n"
        f"  nginx      127.0.0.1:{cluster.nginx.port} -> app servers {apps}\n"
        f"  PostgreSQL 127.0.0.1:{cluster.postgres.port}    Redis 127.0.0.1:{cluster.redis.port}\n"
        f"  logs       {cluster.logs}/\n"
        "Plain HTTP on loopback: production mode, with the HTTPS redirect and HSTS off.\n\n"
        "The admin needs an account first; in another terminal:\n"
        f"  cd {ROOT} && set -a && . {env_file} && set +a\n"
        f"  {cluster.python} manage.py createsuperuser\n"
        f"then sign in at {cluster.url}admin/\n\n"
        "Ctrl+C stops everything.",
        flush=True,
    )


def watch(cluster: Cluster) -> None:
    """Until Ctrl+C or SIGTERM; says so once when a service exits on its own."""
    reported: set[str] = set()
    children = [cluster.nginx.child, cluster.redis.child, *(app.child for app in cluster.apps)]
    while True:
        for child in children:
            if child is not None and not child.running() and child.name not in reported:
                reported.add(child.name)
                print(f"!! {child.name} exited; see {child.log}", flush=True)
        time.sleep(1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # SIGINT too: a shell starting bin/cluster in the background leaves it ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop_on_signal)
    cluster = None
    try:
        cluster = Cluster(servers=args.servers, workers=args.workers, port=args.port)
        cluster.start()
        announce(cluster)
        watch(cluster)
    except KeyboardInterrupt:
        print("\n==> stopping", flush=True)
    except ClusterError as exc:
        print(f"bin/cluster: {exc}", file=sys.stderr)
        return 1
    finally:
        if cluster is not None:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, signal.SIG_IGN)  # a second Ctrl+C must not cut it short
            cluster.stop(keep=args.keep)
            if args.keep:
                print(f"==> kept {cluster.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
