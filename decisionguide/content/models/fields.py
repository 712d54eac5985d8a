"""Field helpers shared by the guide's models."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from decisionguide.decision.document import SLUG_PATTERN, TEXT_MAX_LENGTH

if TYPE_CHECKING:
    from django.db.models.deletion import Collector

    OnDelete = Callable[[Collector, models.Field, object, str], None]


slug_validator = RegexValidator(
    SLUG_PATTERN, _("Use lowercase letters and digits, separated by single - or _.")
)


def slug_field(help_text: str) -> models.SlugField:
    # No separate index: every slug is covered by a unique constraint.
    return models.SlugField(
        max_length=64, db_index=False, validators=[slug_validator], help_text=help_text
    )


def order_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        default=0, help_text=_("Position among its siblings on the page (smallest first).")
    )


def unique_per(parent: str, field: str, model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=[parent, field], name=f"guides_{model}_unique_{field}")


def text_field(help_text: str, *, blank: bool = False) -> models.TextField:
    # One length limit for every long text, the same as the document schema's.
    return models.TextField(max_length=TEXT_MAX_LENGTH, blank=blank, help_text=help_text)


def guide_link(related_name: str) -> models.ForeignKey:
    """A part's guide: deleting the guide deletes the part; parts never move between guides."""
    return parent_link(
        "guides.Guide", related_name, _("The guide this belongs to (fixed once created).")
    )


def parent_link(
    to: type[models.Model] | str,
    related_name: str,
    help_text: str,
    on_delete: OnDelete = models.CASCADE,
) -> models.ForeignKey:
    return models.ForeignKey(
        to, on_delete=on_delete, related_name=related_name, help_text=help_text
    )


def optional_link(
    to: type[models.Model] | str,
    help_text: str,
    *,
    on_delete: OnDelete = models.SET_NULL,
    related_name: str = "+",
    editable: bool = True,
) -> models.ForeignKey:
    """A foreign key that may be empty (`editable=False`: set by the site, not in forms)."""
    return models.ForeignKey(
        to,
        null=True,
        blank=True,
        editable=editable,
        on_delete=on_delete,
        related_name=related_name,
        help_text=help_text,
    )


def recorded_by(help_text: str, *, editable: bool = True) -> models.ForeignKey:
    # SET_NULL: deleting an account keeps the record of what was done, without the name.
    return optional_link(settings.AUTH_USER_MODEL, help_text, editable=editable)
