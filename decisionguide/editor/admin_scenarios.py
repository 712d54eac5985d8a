"""A scenario made from "Try the draft": the answers just tried, expecting what the draft gives.

The try page's result offers a small form (a name, the expected outcome, preset
to the draft's recommendation, and the tried answers as hidden fields). Its
POST claims the draft version the try page ran on, like every save
(`concurrency`), so the scenario expects what the editor saw; it then records
a draft version and opens the new scenario's page to add a description.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from decisionguide.content.models import Choice, Guide, Outcome, Question, Scenario, ScenarioAnswer
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import clean_answers
from decisionguide.languages import quoted
from decisionguide.publishing.admin_pages import admin_url, get_guide, require
from decisionguide.publishing.concurrency import StaleDraft, claim_posted_draft
from decisionguide.publishing.drafts import GuideInvalid, record_edit
from decisionguide.publishing.feedback import report_scenarios

# The scenario's admin page: a test first; what visitors would read sits apart, under
# its switch (a scenario saved here is private until an editor ticks it).
SCENARIO_FIELDSETS = [
    (None, {"fields": ["guide", ("slug", "order"), "title", "description", "outcome"]}),
    (
        _("Public example"),
        {
            "description": _(
                "Scenarios are private tests unless ticked here. A public example appears "
                "under Examples on the guide page and as a result's closest example, with "
                "the text below."
            ),
            "fields": [
                "public",
                "public_title",
                "public_description",
                "handoff_example",
                "handoff_rule",
            ],
        },
    ),
]

ANSWER_PREFIX = "answer-"
ADD_PERMISSIONS = ("guides.add_scenario", "guides.add_scenarioanswer")
SLUG_LENGTH = 50


class ScenarioFromTryForm(forms.Form):
    """The name and expected outcome typed on the try page, and the answers tried."""

    title = forms.CharField(
        max_length=300,
        label=_("Name of the scenario"),
        help_text=_("Its heading in the list of scenarios; you can change it afterwards."),
    )
    outcome = forms.ChoiceField(
        label=_("Expected outcome"),
        help_text=_(
            "What these answers should get. Preset to what the draft gives them now; "
            "pick another to record what it ought to give (the scenario then fails until the "
            "guide is fixed)."
        ),
    )

    def __init__(self, doc: GuideDocument, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.doc = doc
        self.fields["outcome"].choices = [(o.slug, o.name) for o in doc.outcomes]
        for question in doc.questions:
            self.fields[ANSWER_PREFIX + question.slug] = forms.ChoiceField(
                choices=[("", ""), *((c.slug, c.slug) for c in question.choices)],
                required=False,
                widget=forms.HiddenInput,
            )

    def answers(self) -> dict[str, str]:
        """The answers the engine counts, in question order (those of hidden questions dropped)."""
        posted = {
            q.slug: self.cleaned_data[ANSWER_PREFIX + q.slug]
            for q in self.doc.questions
            if self.cleaned_data.get(ANSWER_PREFIX + q.slug)
        }
        return clean_answers(self.doc, posted)


def save_form_for(doc: GuideDocument, answers: dict[str, str], outcome: str) -> ScenarioFromTryForm:
    """The try page's form for these answers and the draft's recommendation."""
    name = doc.outcome(outcome).name if doc.outcome(outcome) else outcome
    # Guide content, not interface: English placeholders the checks look for (`checks.py`).
    today = timezone.localdate().strftime("%d %b %Y")
    initial: dict[str, Any] = {"title": f"{name}: answers tried on {today}", "outcome": outcome}
    initial |= {ANSWER_PREFIX + slug: value for slug, value in answers.items()}
    return ScenarioFromTryForm(doc, initial=initial)


def can_add_scenarios(request: HttpRequest) -> bool:
    return request.user.has_perms(ADD_PERMISSIONS)


def free_slug(guide: Guide, title: str) -> str:
    """A slug from the title that no other scenario of the guide has."""
    base = re.sub(r"[^a-z0-9]+", "-", slugify(title)).strip("-")[:SLUG_LENGTH].strip("-")
    base = base or "scenario"
    taken = set(Scenario.objects.filter(guide=guide).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_scenario(
    guide: Guide, title: str, outcome: str, answers: dict[str, str], who: str
) -> Scenario:
    """The scenario's rows: last in the list, with one answer row per answer."""
    scenario = Scenario.objects.create(
        guide=guide,
        slug=free_slug(guide, title),
        title=title,
        description=f"Saved from Try the draft by {who}; describe the situation here.",
        outcome=Outcome.objects.get(guide=guide, slug=outcome),
        order=Scenario.objects.filter(guide=guide).count(),
    )
    questions = {q.slug: q for q in Question.objects.filter(guide=guide)}
    choices = {(c.question_id, c.slug): c for c in Choice.objects.filter(question__guide=guide)}
    ScenarioAnswer.objects.bulk_create(
        ScenarioAnswer(
            scenario=scenario,
            question=questions[question],
            choice=choices[questions[question].pk, choice],
            order=place,
        )
        for place, (question, choice) in enumerate(answers.items())
    )
    return scenario


def back_to_try(guide: Guide, answers: dict[str, str]) -> HttpResponseRedirect:
    """The try page again with the same answers, so nothing tried is lost."""
    query = urlencode({**answers, "run": "1"})
    return HttpResponseRedirect(f"{admin_url('try', guide.pk)}?{query}")


@require_POST
def scenario_from_try_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    require(can_add_scenarios(request))
    doc = guide.draft_document()
    form = ScenarioFromTryForm(doc, request.POST)
    if not form.is_valid():
        problems = "; ".join(
            f"{form[name].label}: {' '.join(e)}" for name, e in form.errors.items()
        )
        messages.error(request, _("No scenario was saved: %(problems)s") % {"problems": problems})
        return back_to_try(guide, {})
    answers, title = form.answers(), form.cleaned_data["title"]
    if not answers:
        messages.error(request, _("No scenario was saved: try some answers first."))
        return back_to_try(guide, {})
    try:
        with transaction.atomic():
            claim_posted_draft(request, guide)
            scenario = create_scenario(
                guide, title, form.cleaned_data["outcome"], answers, request.user.get_username()
            )
            record_edit(
                guide, user=request.user, note=f"Added scenario {quoted(title)} from Try the draft"
            )
    except StaleDraft as exc:
        again = _("%(refusal)s Try these answers on the current draft, then save again.")
        messages.error(request, again % {"refusal": exc})
        return back_to_try(guide, answers)
    except GuideInvalid as exc:
        problems = "; ".join(str(m) for m in exc.messages)
        messages.error(request, _("No scenario was saved: %(problems)s") % {"problems": problems})
        return back_to_try(guide, answers)
    model_admin.log_change(request, guide, f"Added scenario {title} from Try the draft.")
    saved = ngettext(
        "Saved the scenario “%(title)s” with %(count)d answer, expecting “%(outcome)s”. "
        "Describe the situation below.",
        "Saved the scenario “%(title)s” with %(count)d answers, expecting “%(outcome)s”. "
        "Describe the situation below.",
        len(answers),
    )
    messages.success(
        request, saved % {"title": title, "count": len(answers), "outcome": scenario.outcome.name}
    )
    report_scenarios(request, guide)
    return HttpResponseRedirect(reverse("admin:guides_scenario_change", args=[scenario.pk]))
