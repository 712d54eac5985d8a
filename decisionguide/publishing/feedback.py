"""The message after every save: do the guide's scenarios still give their answers?

Every save, delete, ratings grid save, import and restore of a guide's parts
ends with `report_scenarios`: one message saying either that all N scenarios
still give their expected answers, or naming each one that fails, linked to
its admin page and to its row on the guide's checks page, with why in the
editor's words (`checking.scenario_reasons`). The reason is rendered by the
same template the checks page uses (`_scenario_reason.html`, through the
`scenario_reason` tag), so both always say the same thing.

Only the scenarios are run here (a fraction of a second), not the whole
answer-space search of the checks page, so a save stays quick.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from decisionguide.checking.checks import (
    PlaceholderExample,
    ScenarioCheck,
    check_scenarios,
    placeholder_examples,
)
from decisionguide.checking.scenario_reasons import Answer
from decisionguide.content.models import Choice, Guide, GuideVersion
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.decision.translations import language_status
from decisionguide.languages import language_name, public_languages, quoted
from decisionguide.publishing.merging import merged_note

REASON_TEMPLATE = "admin/guides/guide/_scenario_reason.html"
# The message's extra tag (a CSS class on the admin's message list item).
MESSAGE_TAG = "scenario-checks"


class PartLinks:
    """Admin URLs of one guide's choices and scenarios, looked up by slug (two queries)."""

    def __init__(self, guide: Guide) -> None:
        self.checks = reverse("admin:guides_guide_checks", args=[guide.pk])
        rows = Choice.objects.filter(question__guide=guide).values_list(
            "question__slug", "slug", "pk"
        )
        self._choices = {(question, choice): pk for question, choice, pk in rows}
        self._scenarios = dict(guide.scenarios.values_list("slug", "pk"))

    def choice(self, question: str, choice: str) -> str:
        """The choice's change page; '' for one the rows no longer have."""
        pk = self._choices.get((question, choice))
        return reverse("admin:guides_choice_change", args=[pk]) if pk else ""

    def scenario(self, slug: str) -> str:
        pk = self._scenarios.get(slug)
        return reverse("admin:guides_scenario_change", args=[pk]) if pk else ""

    def on_checks_page(self, slug: str) -> str:
        return f"{self.checks}#{scenario_anchor(slug)}"


def scenario_anchor(slug: str) -> str:
    """The id of a scenario's row on the checks page."""
    return f"scenario-{slug}"


# A scenario's answers listed at most: a guide at the content limits has 300 per scenario,
# which nobody reads, and listing every one for 50 scenarios made the Checks page slow.
ANSWERS_SHOWN = 24


def reason_context(check: ScenarioCheck, links: PartLinks, *, brief: bool) -> dict:
    """What `_scenario_reason.html` shows; `brief` keeps only the answers a failure turns on."""
    explanation = check.explanation
    if explanation is None:
        return {"explanation": None}
    answers = explanation.deciding_answers() if brief else explanation.answers
    return {
        "check": check,
        "explanation": explanation,
        # Brief: only a gate that rules out the expected outcome explains a failure.
        "ruled_out": explanation.expected_ruled_out() if brief else explanation.ruled_out,
        "answers": [
            (answer, links.choice(answer.question, answer.choice))
            for answer in answers[:ANSWERS_SHOWN]
        ],
        "more_answers": max(0, len(answers) - ANSWERS_SHOWN),
        "routed_by": _linked(explanation.routed_by, links),
        "brief": brief,
    }


def _linked(answer: Answer | None, links: PartLinks) -> tuple[Answer, str] | None:
    return None if answer is None else (answer, links.choice(answer.question, answer.choice))


def scenarios_message(guide: Guide, checks: list[ScenarioCheck]) -> tuple[int, SafeString]:
    """(message level, message) for the guide's scenario checks."""
    total = len(checks)
    failed = [check for check in checks if not check.passed]
    if not total:
        words = _(
            "{title} has no scenarios yet, so nothing checks this change: add some to catch a "
            "change that alters the answers you expect."
        )
        return messages.INFO, format_html(words, title=quoted(guide.title))
    if not failed:
        words = ngettext(
            "The guide's one scenario still gives its expected answer.",
            "All {total} scenarios still give their expected answers.",
            total,
        )
        return messages.SUCCESS, format_html(words, total=total)
    links = PartLinks(guide)
    items = format_html_join("", "<li>{}</li>", ((failure_html(c, links),) for c in failed))
    words = ngettext(
        '{failed} of {total} scenarios now fails: <ul class="scenario-failures">{items}</ul>',
        '{failed} of {total} scenarios now fail: <ul class="scenario-failures">{items}</ul>',
        len(failed),
    )
    return messages.WARNING, format_html(words, failed=len(failed), total=total, items=items)


def failure_html(check: ScenarioCheck, links: PartLinks) -> SafeString:
    """One failing scenario: its name linked to its page, what it gives, and why."""
    url = links.scenario(check.slug)
    name = quoted(check.title)
    title = format_html('<a href="{}">{}</a>', url, name) if url else name
    reason = render_to_string(REASON_TEMPLATE, reason_context(check, links, brief=True))
    return format_html(
        _('{scenario} {result} (<a href="{url}">see it on the checks page</a>). {reason}'),
        scenario=title,
        result=str(check.explanation.summary() if check.explanation else check.result_text()),
        url=links.on_checks_page(check.slug),
        reason=reason,
    )


def report_scenarios(request: HttpRequest, guide: Guide | None) -> None:
    """Add the scenarios message for the guide's draft after a save (nothing without one)."""
    if merged := merged_note(request):
        messages.info(request, merged, fail_silently=True)
    if guide is None or guide.pk is None:
        return
    fresh = Guide.objects.filter(pk=guide.pk).first()
    if fresh is None:
        return
    try:
        doc = fresh.draft_document()
    except DocumentError:  # rows written outside the admin; the form showed the problem
        return
    level, message = scenarios_message(fresh, list(check_scenarios(doc)))
    messages.add_message(request, level, message, extra_tags=MESSAGE_TAG, fail_silently=True)
    if stale := stale_translations_message(fresh, doc):
        messages.warning(request, stale, fail_silently=True)
    if placeholders := list(placeholder_examples(doc)):
        messages.warning(request, placeholders_message(fresh, placeholders), fail_silently=True)


def placeholders_message(guide: Guide, placeholders: list[PlaceholderExample]) -> SafeString:
    """Public examples that would show visitors placeholder text: publishing waits for them."""
    links = PartLinks(guide)
    item = _('<li><a href="{url}">{title}</a>: its {field} says “{found}”</li>')
    found = (
        {**p._asdict(), "url": links.scenario(p.slug), "title": quoted(p.title)}
        for p in placeholders
    )
    items = format_html_join("", item, found)
    words = _(
        "Publishing is refused while a public example shows visitors placeholder text; write "
        'it for them, or untick “Public example”: <ul class="scenario-failures">{items}</ul>'
    )
    return format_html(words, items=items)


def translation_languages() -> list[tuple[str, str]]:
    """(code, name) of the languages a guide may be translated into: the public ones but
    the source (settings.LANGUAGE_CODE)."""
    return [(c, name) for c, name in public_languages() if c != settings.LANGUAGE_CODE]


def stale_translations_message(guide: Guide, doc: GuideDocument) -> SafeString | None:
    """ "2 French texts are now out of date", for translations this save made out of date
    (not before it, in the draft's previous version), linked to each Translations page."""
    if not doc.translations:
        return None
    before = GuideVersion.objects.filter(guide_id=guide.pk, version=guide.version - 1).first()
    try:
        old = before.as_document().to_data() if before is not None else {}
    except DocumentError:
        old = {}
    data, parts = doc.to_data(), []
    for code, _name in translation_languages():
        was = {s.path for s in language_status(old, code).out_of_date} if old else set()
        count = len({s.path for s in language_status(data, code).out_of_date} - was)
        if count:
            url = reverse("admin:guides_guide_translations", args=[guide.pk, code])
            words = ngettext(
                "%(count)s %(language)s text is now out of date",
                "%(count)s %(language)s texts are now out of date",
                count,
            ) % {"count": count, "language": language_name(code)}
            parts.append(format_html('<a href="{}?show=out_of_date">{}</a>', url, words))
    if not parts:
        return None
    joined = format_html_join("; ", "{}", ((p,) for p in parts))
    return format_html(_("{texts}: the English they were translated from changed."), texts=joined)
