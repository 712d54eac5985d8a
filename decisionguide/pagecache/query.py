"""PageQuery: the one small query every public page runs, compiled once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections, models, router
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX
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
        # The SQL as SQLite's driver takes it, converted once (Django's cursor does it per
        # call, with a regular expression over the whole text: most of the query's time).
        self._driver_sql: dict[str, str] = {}

    def first_row(self, *params: Any) -> tuple[Any, ...] | None:
        alias = router.db_for_read(self.model)
        sql = self._sql.get(alias)
        if sql is None:
            placeholders = PLACEHOLDERS[: len(params)]
            sql, compiled = self.build(*placeholders).using(alias).query.sql_with_params()
            if tuple(compiled) != placeholders:
                raise ValueError(f"{self.build}: its parameters must each appear once, in order")
            self._sql[alias] = sql
            self._driver_sql.pop(alias, None)
        connection = connections[alias]
        if connection.queries_logged or connection.execute_wrappers:
            # Something counts or wraps queries (a test, a debug tool): Django's own cursor.
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()
        if connection.vendor != "sqlite":
            return _execute_plain(connection, sql, params)
        driver_sql = self._driver_sql.get(alias)
        if driver_sql is None:
            driver_sql = self._driver_sql[alias] = FORMAT_QMARK_REGEX.sub("?", sql).replace(
                "%%", "%"
            )
        return _execute_plain(connection, driver_sql, params, raw=True)


def _execute_plain(
    connection: Any, sql: str, params: tuple[Any, ...], *, raw: bool = False
) -> tuple[Any, ...] | None:
    """`sql` on the backend's own cursor, with the checks Django's cursor() makes first;
    `raw`: on the driver's own cursor, `sql` in its parameter style (SQLite's: the
    connection's type converters apply all the same).

    Django's CursorWrapper costs more than the query itself on a cached page (its
    wrappers, the per-call validation); its errors map to Django's all the same, so a
    database that is down still makes the 503 page (ops.DatabaseUnavailableMiddleware).
    """
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor() if raw else connection.create_cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchone()
        finally:
            cursor.close()


PLACEHOLDERS = ("pagequery-parameter-1", "pagequery-parameter-2")
