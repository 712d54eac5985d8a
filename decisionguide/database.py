"""The database side of running several workers and servers on one PostgreSQL.

- `pool_options()`: each process's PostgreSQL connection pool (psycopg 3's, through
  Django's `OPTIONS["pool"]`), sized for what one gunicorn sync worker can use at once.
- `after_fork()`: gunicorn's `post_fork` hook. A worker must not use the connections or the
  pool its master made before forking: they are the master's.
- `close_pools()`: gunicorn's `worker_exit` hook (after the analytics are written), so a
  stopping worker says goodbye to PostgreSQL instead of dropping its sockets.
- `check_connection_budget()`: called from gunicorn's `when_ready`; a warning when every
  server's workers together can ask PostgreSQL for more connections than it allows.
- `migration_lock()`: `migrate` one at a time, when several servers start at once.

docs/operations.md ("Several app servers with PostgreSQL") explains the figures.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

logger = logging.getLogger(__name__)
# psycopg's pool logs every connection it lends and takes back at INFO: one line per
# request at the site's default level. Its warnings (a failed connection) still show.
logging.getLogger("psycopg.pool").setLevel(logging.WARNING)

# An extra connection (above the one a worker keeps) is closed after this many idle
# seconds: psycopg's pool drops one such connection per interval, so a burst leaves
# none behind after two intervals at most.
POOL_MAX_IDLE_SECONDS = 5.0
# Connections kept free for everything that is not a worker: manage.py commands (a
# migration holds two: its own and the advisory lock's), pg_dump, psql, a monitoring check.
RESERVED_CONNECTIONS = 5
# pg_advisory_lock's key for `migrate`: any fixed number, the same on every server
# ("dgmigrat" as eight bytes). Advisory locks are per database, so two sites sharing
# one PostgreSQL server never wait for each other.
MIGRATE_LOCK_KEY = int.from_bytes(b"dgmigrat", "big")

POSTGRESQL = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"

# What a forked worker inherited from its master and must neither use nor close
# (closing would end the master's session): kept referenced, so never garbage-collected.
_inherited: list[Any] = []


# ---------------------------------------------------------------------------
# The pool


def pool_options(size: int, timeout: float) -> dict[str, float | int]:
    """psycopg_pool.ConnectionPool arguments for one process, at most `size` connections.

    One connection is kept open (a request never waits for a new one on a quiet site);
    more are opened for as long as they are used at once, then closed after
    POOL_MAX_IDLE_SECONDS. A request that finds all `size` in use waits up to `timeout`
    seconds (DECISIONGUIDE_DB_TIMEOUT), then gets the 503 page: psycopg's PoolTimeout is
    an OperationalError, which Django passes on as django.db.OperationalError.
    """
    return {
        "min_size": 1,
        "max_size": size,
        "max_idle": POOL_MAX_IDLE_SECONDS,
        "timeout": timeout,
    }


def after_fork() -> None:
    """Forget the master's database connections and pools (gunicorn's post_fork).

    With preload_app the master imported the site; had it used the database, a forked
    worker would share its sockets, and a pool's threads did not survive the fork. The
    worker opens its own on first use. Without preload_app the master never loaded the
    site: nothing to forget.
    """
    from django.conf import settings
    from django.db import connections

    if not settings.configured:
        return
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _inherited.append(connection.connection)
            connection.connection = None
    pools = _pools()
    _inherited.extend(pools.values())
    pools.clear()


def close_pools() -> None:
    """Close this process's pools: their connections end cleanly (gunicorn's worker_exit)."""
    from django.db import connections

    connections.close_all()  # hands this thread's connection back first
    for pool in list(_pools().values()):
        pool.close(timeout=2)
    _pools().clear()


def _pools() -> dict[str, Any]:
    """Django's pools by alias, shared by every thread of the process ({} without any)."""
    backend = sys.modules.get("django.db.backends.postgresql.base")
    return backend.DatabaseWrapper._connection_pools if backend else {}


# ---------------------------------------------------------------------------
# The connection budget


def check_connection_budget(workers: int) -> str | None:
    """A warning (logged and returned) when this site's settings can exceed PostgreSQL's
    connection limit: DECISIONGUIDE_APP_SERVERS servers of `workers` workers, each with a
    pool of DECISIONGUIDE_DB_POOL_SIZE, plus RESERVED_CONNECTIONS. None when it fits, on
    SQLite and without the pool (a pooler such as PgBouncer then keeps the budget).

    Asks PostgreSQL over one short-lived connection of its own: gunicorn's master, which
    calls it, must not make a pool its workers would inherit.
    """
    from django.conf import settings

    # Without preload_app the master has not read the settings yet: as wsgi.py reads them.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "decisionguide.settings")
    try:
        database = settings.DATABASES["default"]
        pool = database.get("OPTIONS", {}).get("pool")
        if database["ENGINE"] != POSTGRESQL or not pool:
            return None
        limit, reserved = _connection_limit()
    except Exception as exc:  # the budget is advice: a database not up yet must not stop gunicorn
        logger.warning("PostgreSQL connection budget not checked: %s", " ".join(str(exc).split()))
        return None
    servers = settings.DECISIONGUIDE_APP_SERVERS
    per_worker = pool["max_size"]
    needed = servers * workers * per_worker + RESERVED_CONNECTIONS
    available = limit - reserved
    if needed <= available:
        return None
    warning = (
        f"PostgreSQL can run out of connections: {servers} server(s) (DECISIONGUIDE_APP_SERVERS)"
        f" x {workers} workers (WEB_CONCURRENCY) x {per_worker} (DECISIONGUIDE_DB_POOL_SIZE)"
        f" + {RESERVED_CONNECTIONS} for commands = {needed}, over the {available} PostgreSQL"
        f" allows (max_connections {limit} - {reserved} reserved). Lower WEB_CONCURRENCY or"
        " DECISIONGUIDE_DB_POOL_SIZE, raise max_connections, or put PgBouncer in front"
        " (docs/operations.md, 'Several app servers with PostgreSQL')."
    )
    logger.warning(warning)
    return warning


def _connection_limit() -> tuple[int, int]:
    """PostgreSQL's max_connections, and the slots reserved for superusers (and, from
    PostgreSQL 16, for roles with pg_use_reserved_connections)."""
    sql = (
        "SELECT name, setting::int FROM pg_settings WHERE name IN "
        "('max_connections', 'superuser_reserved_connections', 'reserved_connections')"
    )
    with short_lived_connection() as connection:
        found = dict(connection.execute(sql).fetchall())
    reserved = found.get("superuser_reserved_connections", 0) + found.get("reserved_connections", 0)
    return found["max_connections"], reserved


@contextlib.contextmanager
def short_lived_connection(alias: str = "default") -> Iterator[Any]:
    """A psycopg connection with the site's settings, outside Django's pool, autocommit,
    closed at the end of the block."""
    import psycopg
    from django.db import connections

    params = connections[alias].get_connection_params()
    with psycopg.connect(**params, autocommit=True) as connection:
        yield connection


# ---------------------------------------------------------------------------
# migrate, one at a time


@contextlib.contextmanager
def migration_lock(alias: str, out: TextIO) -> Iterator[None]:
    """Hold the site's migration lock for the block, waiting for it (and saying so on `out`)
    while another process migrates the same database.

    PostgreSQL: an advisory lock, held by a session of its own, so it is released when
    that session ends, however the migration ends (even a killed process). SQLite: an
    exclusive lock on a file beside the database. Another database, or an in-memory one
    (the test suite's SQLite): no lock.
    """
    from django.db import connections

    settings_dict = connections[alias].settings_dict
    if settings_dict["ENGINE"] == POSTGRESQL:
        with _advisory_lock(alias, out):
            yield
    elif settings_dict["ENGINE"] == SQLITE and _is_a_file(settings_dict["NAME"]):
        with _file_lock(Path(f"{settings_dict['NAME']}.migrate-lock"), out):
            yield
    else:
        yield


@contextlib.contextmanager
def _advisory_lock(alias: str, out: TextIO) -> Iterator[None]:
    with short_lived_connection(alias) as session:
        # No lock_timeout for this wait: another server's migration takes as long as it takes.
        session.execute("SET lock_timeout = 0")
        taken = session.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATE_LOCK_KEY]).fetchone()
        if not taken[0]:
            _say_waiting(out)
            session.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
        try:
            yield
        finally:
            session.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])


@contextlib.contextmanager
def _file_lock(path: Path, out: TextIO) -> Iterator[None]:
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _say_waiting(out)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _is_a_file(name: object) -> bool:
    """A SQLite database in a file whose folder exists (else sqlite3 reports the error)."""
    text = str(name or "")
    if not text or text == ":memory:" or text.startswith("file:") or "mode=memory" in text:
        return False
    return Path(text).parent.is_dir()


def _say_waiting(out: TextIO) -> None:
    out.write("Waiting for another migrate of this database to finish...\n")
    out.flush()
