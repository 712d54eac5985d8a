"""The `<result_id:...>` URL converter: a malformed id never reaches a view or the database."""

from __future__ import annotations

from decisionguide.results.ids import RESULT_ID_PATTERN


class ResultIdConverter:
    regex = RESULT_ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
