"""Field helpers shared by the guide's models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.validators import RegexValidator
from django.db import models

from decisionguide.decision.document import (
    SLUG_PATTERN,
)

if TYPE_CHECKING:
    pass


slug_validator = RegexValidator(
    SLUG_PATTERN, "Use lowercase letters and digits, separated by single - or _."
)


def slug_field(help_text: str) -> models.SlugField:
    # No separate index: every slug is covered by a unique constraint.
    return models.SlugField(
        max_length=64, db_index=False, validators=[slug_validator], help_text=help_text
    )


def order_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        default=0, help_text="Position among its siblings on the page (smallest first)."
    )


def unique_per(parent: str, field: str, model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=[parent, field], name=f"guides_{model}_unique_{field}")
