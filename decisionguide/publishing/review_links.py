"""Reviewer links: the draft guide and questionnaire for someone without an account.

From the guide's admin page an editor makes a link that opens the draft
(`content.preview`: signed, naming the guide and its link generation, expiring
after the days picked) or withdraws every link made so far by moving the
guide's generation on. Nothing about a link is stored: it is its own proof,
and the generation is what withdrawing changes. A reviewer's pages show the
draft banner and, as every preview, are never cached nor counted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from decisionguide.content.models import Guide
from decisionguide.content.preview import REVIEW_DAYS, REVIEW_DEFAULT_DAYS, make_review_token
from decisionguide.publishing.admin_pages import admin_url, get_guide, require

MAKE, WITHDRAW = "make", "withdraw"


class ReviewLinkForm(forms.Form):
    """The panel's form: make a link valid for some days, or withdraw them all."""

    days = forms.TypedChoiceField(
        label=gettext_lazy("Valid for"),
        # Called when the form is shown: in the editor's language.
        choices=lambda: [
            (n, ngettext("%(n)s day", "%(n)s days", n) % {"n": n}) for n in REVIEW_DAYS
        ],
        coerce=int,
        initial=REVIEW_DEFAULT_DAYS,
        required=False,
    )
    action = forms.ChoiceField(choices=[(MAKE, MAKE), (WITHDRAW, WITHDRAW)])


def review_path(guide: Guide, *, days: int, now: dt.datetime | None = None) -> str:
    """A new reviewer link's path for the guide's current generation, valid for `days`."""
    expires = (now or timezone.now()) + dt.timedelta(days=days)
    token = make_review_token(guide.pk, guide.review_links, expires)
    return reverse("review-link", args=[guide.slug, token])


def panel_context(request: HttpRequest, guide: Guide) -> dict[str, Any]:
    """The reviewer links part of the guide's status panel."""
    return {
        "can": request.user.has_perm("guides.change_guide"),
        "form": ReviewLinkForm(auto_id="review-%s"),
        "action": admin_url("review_links", guide.pk),
    }


@require_POST
def review_link_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(model_admin.has_change_permission(request, guide))
    back = HttpResponseRedirect(admin_url("change", guide.pk) + "#review-links")
    form = ReviewLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("No link was made: pick how many days it should work."))
        return back
    if form.cleaned_data["action"] == WITHDRAW:
        Guide.objects.filter(pk=guide.pk).update(review_links=F("review_links") + 1)
        model_admin.log_change(request, guide, "Withdrew every reviewer link.")
        words = _(
            "Every reviewer link made so far stopped working, in every browser that opened one. "
            "Make a new link for the reviewers who should keep looking."
        )
        messages.success(request, words)
        return back
    days = form.cleaned_data["days"] or REVIEW_DEFAULT_DAYS
    url = request.build_absolute_uri(review_path(guide, days=days))
    until = timezone.localtime(timezone.now() + dt.timedelta(days=days))
    model_admin.log_change(request, guide, f"Made a reviewer link for {days} days.")
    words = _(
        'Reviewer link made: <code class="review-link">{url}</code> Anyone with it can read '
        "the draft guide and take the draft questionnaire without logging in, until {time} "
        "(nothing they do is stored or counted). Withdraw every link below if it goes astray."
    )
    until_text = date_format(until, "d M Y, H:i T")
    messages.success(request, format_html(words, url=url, time=until_text))
    return back
