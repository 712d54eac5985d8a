"""Moving the test database along the migration graph, for tests of data migrations."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

Targets = list[tuple[str, str | None]]


def migrate(targets: Targets) -> Apps:
    """Migrate the test database to `targets`; the apps (historical models) of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # An app migrated back to zero (None) has no state to read models from.
    return executor.loader.project_state(
        [target for target in targets if target[1] is not None]
    ).apps


def latest() -> Targets:
    """Every app's newest migration: where `migrate` leaves a deploy."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
