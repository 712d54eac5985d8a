"""PageQuery: the one small query every public page runs, compiled once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections, models, router
from django.db.models import QuerySet


class PageQuery:
    """A small queryset, compiled by the ORM once per database, then only executed.

    Every public page starts with one such query, and on a page served from the
    cache Django compiling it took over half the request's time (the README's
    Benchmark section has the figures). The SQL is the ORM's own: `build`
    makes the queryset from its parameters, and each call runs the SQL with new
    ones. The row comes back as the database driver gives it (no converters), so
    callers use values that need none: ids, slugs, flags through bool(), and a
    timestamp only as an opaque stamp.
    """

    def __init__(self, model: type[models.Model], build: Callable[..., QuerySet[Any]]) -> None:
        self.model = model
        self.build = build
        self._sql: dict[str, str] = {}  # per database alias

    def first_row(self, *params: Any) -> tuple[Any, ...] | None:
        alias = router.db_for_read(self.model)
        sql = self._sql.get(alias)
        if sql is None:
            placeholders = PLACEHOLDERS[: len(params)]
            sql, compiled = self.build(*placeholders).using(alias).query.sql_with_params()
            if tuple(compiled) != placeholders:
                raise ValueError(f"{self.build}: its parameters must each appear once, in order")
            self._sql[alias] = sql
        connection = connections[alias]
        if connection.queries_logged or connection.execute_wrappers:
            # Something counts or wraps queries (a test, a debug tool): Django's own cursor.
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()
        return _execute_plain(connection, sql, params)


def _execute_plain(connection: Any, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """`sql` on the backend's own cursor, with the checks Django's cursor() makes first.

    Django's CursorWrapper costs more than the query itself on a cached page (its
    wrappers, the per-call validation); its errors map to Django's all the same, so a
    database that is down still makes the 503 page (ops.DatabaseUnavailableMiddleware).
    """
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        cursor = connection.create_cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchone()
        finally:
            cursor.close()


PLACEHOLDERS = ("pagequery-parameter-1", "pagequery-parameter-2")
