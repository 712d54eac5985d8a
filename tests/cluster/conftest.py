"""The reference deployment, started once for every cluster test (deploy/cluster.py, the code
bin/cluster runs), and the figures the tests measure, printed in pytest's summary.

These tests need Debian's postgresql, redis-server, nginx(-light), wrk and openssl. Without
them they are skipped, except in CI (CI=true), where a missing tool is a failure. They are
marked `cluster`: `.ci/run` runs them once, on the PostgreSQL pass (`bin/test -m "not
cluster"` on SQLite), since the cluster starts its own PostgreSQL either way.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from deploy.cluster import Cluster
from deploy.services import ClusterError, postgres_bin, require
from tests.cluster.traffic import Site, discover_site

FIGURES: list[str] = []


def report(line: str) -> None:
    """A measured figure: printed now (pytest -s) and again in the run's summary."""
    FIGURES.append(line)
    print(line, flush=True)


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("cluster figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


def missing_tools() -> list[str]:
    missing = []
    for program, package in [("redis-server", "redis-server"), ("nginx", "nginx-light")]:
        try:
            require(program, package)
        except ClusterError:
            missing.append(package)
    try:
        postgres_bin()
    except ClusterError:
        missing.append("postgresql")
    missing += [tool for tool in ("wrk", "openssl") if shutil.which(tool) is None]
    return missing


def require_tools() -> None:
    if missing := missing_tools():
        message = f"the cluster tests need: apt-get install {' '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # CI installs them (.ci/run): a skip would hide the gap
        pytest.skip(message)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    require_tools()
    with Cluster(say=report) as running:
        yield running


@pytest.fixture(scope="session")
def site(cluster: Cluster) -> Site:
    return discover_site(cluster.nginx.port)
