"""When each version of a guide went live or came off the site, and who did it.

Publishing is not a content change: it moves `Guide.published_version` and
writes one `PublishEvent`, never a new `GuideVersion`, so per-version
analytics and the history keep their numbers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from decisionguide.content.models.fields import guide_link, line_field, parent_link, recorded_by
from decisionguide.content.models.guide import GuideVersion


class PublishEvent(models.Model):
    class Action(models.TextChoices):
        PUBLISH = "publish", _("Published")
        UNPUBLISH = "unpublish", _("Unpublished")

    guide = guide_link("publish_events", _("The guide whose listing changed."))
    version = parent_link(
        GuideVersion,
        "publish_events",
        _("The version that went live, or was live until the guide was taken off."),
        verbose_name=_("version"),
    )
    action = models.CharField(
        _("action"), max_length=10, choices=Action.choices, help_text=_("What happened.")
    )
    created = models.DateTimeField(
        _("created"), auto_now_add=True, help_text=_("When it happened.")
    )
    created_by = recorded_by(_("created by"), _("Who did it (empty: a content file or a script)."))
    note = line_field(_("note"), _("Why, in a few words (optional)."), blank=True)

    class Meta:
        ordering = ["guide_id", "-created", "-id"]
        verbose_name = _("publish event")
        verbose_name_plural = _("publish events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["publish", "unpublish"]),
                name="guides_publishevent_action_known",
            )
        ]

    def __str__(self) -> str:
        return _("%(action)s version %(number)s") % {
            "action": self.get_action_display(),
            "number": self.version.version,
        }
