"""The sites a benchmark run serves: this checkout, another commit, the minimal app.

Each is set up the same way from its own code: a temporary SQLite database is
migrated, the content loaded, static files collected and results stored, by the
checkout's own manage.py and its own bench/bench.py (`store_results` and
`scenario_answers`, which every version of it has), so a baseline commit is
measured with the database it knew.
"""

from __future__ import annotations

import http.cookies
import json
import os
import secrets
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from measure import App, FormFinder, get, log

ROOT = Path(__file__).resolve().parent.parent
GUIDE = "crm-pm-hybrid"


def bench_env(workdir: Path) -> dict[str, str]:
    """Production settings on a temporary database, on this machine only."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "decisionguide.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        # Older versions kept a file cache; keep it out of their checkout.
        "DECISIONGUIDE_CACHE_DIR": str(workdir / "cache"),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_HSTS_SECONDS": "0",
        # The benchmark posts far more than a person would.
        "DECISIONGUIDE_RESULTS_PER_HOUR": str(10**9),
        "DJANGO_LOG_LEVEL": "WARNING",
        # No worker recycling (production's default is every ~50,000 requests): a new worker
        # starts with empty page caches, which over 50,000 requests costs nothing noticeable
        # but inside one page's 10 seconds decided its row (permalinks: 681 req/s, p99 329 ms,
        # against 1,977 and 7 ms without it, as the faster pages before them used up the count).
        "GUNICORN_MAX_REQUESTS": "0",
    }
    for name in ("DJANGO_DEBUG", "REDIS_URL", "PYTHONPATH"):
        env.pop(name, None)
    return env


def this_checkout(workdir: Path) -> App:
    workdir.mkdir(parents=True, exist_ok=True)
    return App("this checkout", ROOT, sys.executable, bench_env(workdir))


def minimal_app(workdir: Path) -> App:
    """bench/minimal_app.py under this checkout's gunicorn.conf.py."""
    env = bench_env(workdir) | {"DJANGO_SETTINGS_MODULE": "minimal_app"}
    return App(
        "minimal app",
        ROOT,
        sys.executable,
        env,
        app="minimal_app:application",
        extra_args=("--pythonpath", "bench"),
        probe="/",
    )


def baseline(ref: str, workdir: Path) -> App:
    """Commit `ref` unpacked into `workdir`, with an interpreter that runs it."""
    root = workdir / "checkout"
    root.mkdir(parents=True)
    log(f"unpacking {ref} into {root}")
    with tempfile.TemporaryFile() as archive:
        subprocess.run(["git", "archive", ref], cwd=ROOT, stdout=archive, check=True)
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(root, filter="data")
    python = overlay_python(root, workdir / "venv")
    return App(f"baseline {ref}", root, python, bench_env(workdir))


def overlay_python(root: Path, venv: Path) -> str:
    """This interpreter's packages plus whatever `root`'s pyproject.toml needs besides.

    A venv that sees this one's site-packages (a .pth file), so the baseline runs on
    the same Django, gunicorn and the rest; pip adds only what is missing there (an
    app the older code installed and this one dropped), in the venv, not in .venv.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    paths = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    ours = subprocess.run([sys.executable, "-c", paths], capture_output=True, text=True)
    theirs = subprocess.run([python, "-c", paths], capture_output=True, text=True)
    Path(theirs.stdout.strip(), "this-venv.pth").write_text(ours.stdout)
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    needs = project.get("dependencies", [])
    install = [sys.executable, "-m", "pip", "--python", python, "install", "-q", *needs]
    done = subprocess.run(install, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"could not install the baseline's packages:\n{done.stderr}")
    return python


@dataclass
class Setup:
    ids: list[str]  # a sample of stored results' ids
    answers: dict[str, str]  # a complete answer set: the first scenario's


def manage(app: App, *args: str) -> str:
    done = subprocess.run(
        [app.python, "manage.py", *args],
        cwd=app.root,
        env=app.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{app.name}: manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


# Runs in the checkout being set up, with its own bench/bench.py.
DRIVER = (
    "import json, runpy, sys\n"
    "bench = runpy.run_path('bench/bench.py')\n"
    "env = json.load(sys.stdin)\n"
    "ids = bench['store_results'](env, int(sys.argv[1]))\n"
    "print(json.dumps({'ids': ids, 'answers': bench['scenario_answers'](env)}))\n"
)


def prepare(app: App, results: int) -> Setup:
    """Migrate, load the content, collect static files, store `results` results."""
    log(f"{app.name}: preparing the database, storing {results:,} results")
    manage(app, "migrate", "--no-input", "-v0")
    manage(app, "loadguide")
    manage(app, "collectstatic", "--no-input", "-v0")
    done = subprocess.run(
        [app.python, "-c", DRIVER, str(results)],
        cwd=app.root,
        env=app.env | {"PYTHONPATH": str(app.root / "bench")},
        input=json.dumps(app.env),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{app.name}: storing results failed:\n{done.stderr}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return Setup(found["ids"], found["answers"])


@dataclass
class Pages:
    """The URLs measured, read from the running site."""

    question: str
    check: str
    csrf_cookie: str
    form_action: str | None
    post_body: str
    permalinks: list[str]


def find_pages(port: int, setup: Setup) -> Pages:
    profile = setup.answers
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
    permalinks = [f"/r/{i}/" for i in setup.ids]
    return Pages(question, check, csrf_cookie, form.action, post_body, permalinks)
