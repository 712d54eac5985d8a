"""When each version of a guide went live or came off the site, and who did it.

Publishing is not a content change: it moves `Guide.published_version` and
writes one `PublishEvent`, never a new `GuideVersion`, so per-version
analytics and the history keep their numbers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from decisionguide.content.models.fields import parent_link, recorded_by
from decisionguide.content.models.guide import Guide, GuideVersion


class PublishEvent(models.Model):
    class Action(models.TextChoices):
        PUBLISH = "publish", _("Published")
        UNPUBLISH = "unpublish", _("Unpublished")

    guide = parent_link(Guide, "publish_events", _("The guide whose listing changed."))
    version = parent_link(
        GuideVersion,
        "publish_events",
        _("The version that went live, or was live until the guide was taken off."),
    )
    action = models.CharField(max_length=10, choices=Action.choices, help_text=_("What happened."))
    created = models.DateTimeField(auto_now_add=True, help_text=_("When it happened."))
    created_by = recorded_by(_("Who did it (empty: a content file or a script)."))
    note = models.CharField(
        max_length=300, blank=True, help_text=_("Why, in a few words (optional).")
    )

    class Meta:
        ordering = ["guide_id", "-created", "-id"]
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
