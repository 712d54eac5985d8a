"""`manage.py migrate`, Django's, one process at a time per database.

Several app servers started at once (bin/start and the Docker image migrate by default)
would otherwise migrate the same empty or old database together, and all but one fail
halfway (two CREATE TABLEs of one table). Each takes the site's migration lock first
(`decisionguide.database.migration_lock`: a PostgreSQL advisory lock, or a file lock
beside a SQLite file); the others wait, saying so, then find nothing left to apply.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate

from decisionguide.database import migration_lock


class Command(DjangoMigrate):
    help = f"{DjangoMigrate.help} Waits while another process migrates the same database."

    def handle(self, *args: Any, **options: Any) -> None:
        with migration_lock(options["database"], self.stdout):
            super().handle(*args, **options)
