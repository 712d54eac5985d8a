"""`manage.py migrate` one process at a time: app servers starting together on an empty
database (bin/start and the Docker image migrate by default) all come up.

Real processes with production settings, on a scratch database of the kind the suite runs
on (a SQLite file, or a PostgreSQL database of the bin/with-postgres server).
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from decisionguide.database import MIGRATE_LOCK_KEY
from tests.servers import BASE_DIR, manage, production_env, query, scratch_database

WAITING = "Waiting for another migrate of this database to finish"


def start_migrate(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_schema_complete(env: dict[str, str]) -> None:
    # --check: exits non-zero when any migration is unapplied.
    check = manage(["migrate", "--check", "--no-input"], env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert query(env["DATABASE_URL"], "SELECT COUNT(*) FROM guides_guide") == [(0,)]


def test_two_servers_migrating_an_empty_database_at_once_both_succeed(tmp_path):
    with scratch_database(tmp_path) as database_url:
        env = production_env(tmp_path, DATABASE_URL=database_url)
        both = [start_migrate(env), start_migrate(env)]
        outputs = [process.communicate(timeout=300) for process in both]
        for process, (stdout, stderr) in zip(both, outputs, strict=True):
            assert process.returncode == 0, stdout + stderr
        assert_schema_complete(env)


@contextmanager
def lock_held(database_url: str) -> Iterator[None]:
    """The migration lock, held as a migrating server holds it."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///") + ".migrate-lock")
        with path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        return
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as session:
        session.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
        yield


def test_a_migrate_waits_for_the_lock_and_says_so(tmp_path):
    with scratch_database(tmp_path) as database_url:
        env = production_env(tmp_path, DATABASE_URL=database_url)
        with lock_held(database_url):
            waiting = start_migrate(env)
            assert waiting.stdout is not None
            first_line = waiting.stdout.readline()  # printed before it blocks
            time.sleep(1)
            assert waiting.poll() is None, waiting.communicate()
        stdout, stderr = waiting.communicate(timeout=300)
        assert WAITING in first_line, first_line + stdout + stderr
        assert waiting.returncode == 0, stdout + stderr
        assert "Applying guides.0001_initial... OK" in stdout
        assert_schema_complete(env)
