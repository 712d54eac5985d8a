"""Why a guide may not go live, in the names editors see (pure, like the checks).

`GuideReport.problems()` names parts by slug ("scenario long-sales-cycles:
expected crm-first, got pm-first"), which suits `checkguide`'s log. A refused
publish in the admin or an import says the same in words, as save feedback
does: the scenario's title, the outcomes' names, the questions' prompts and
the choices' labels.
"""

from __future__ import annotations

from decisionguide.checking.checks import GuideReport, ScenarioCheck, report_of
from decisionguide.checking.coherence import Contradiction, contradiction_lines
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.words import Words, gettext_lazy, joined


def publish_problems(doc: GuideDocument, *, in_full: bool = False) -> list[Words]:
    """Why this document must not go live, one line each (empty: it may).

    Every check the report fails on (`GuideReport.passes`: failing scenarios,
    unreachable outcomes and whatever else the report comes to check), so a
    content file gets no easier way onto the site than the admin's Publish.
    `loadguide` runs from a shell, not a request: it checks `in_full`, with no time budget.
    """
    report = report_of(doc, in_full=in_full)
    return [] if report.passes else problems_in_words(report, doc)


def problems_in_words(report: GuideReport, doc: GuideDocument) -> list[Words]:
    """What makes `report` fail, one line each, naming parts as the admin does.

    `Words`: each line is put into the reader's language when shown (str() it to store it).
    """
    outcomes = {outcome.slug: outcome.name for outcome in doc.outcomes}
    lines = [report.unfinished] if report.unfinished else []
    lines += [scenario_words(check, outcomes) for check in report.failed_scenarios]
    lines += [
        gettext_lazy(
            "Outcome “%(name)s” can't be reached by any answers (%(method)s)",
            name=outcomes.get(slug, slug),
            method=report.reachability.describe_method(),
        )
        for slug in report.reachability.unreachable
    ]
    lines += [
        gettext_lazy(
            "The public example “%(title)s” shows visitors placeholder text in its %(field)s "
            "(“%(found)s”): write it for visitors, or untick “Public example”",
            title=p.title,
            field=p.field,
            found=p.found,
        )
        for p in report.placeholder_examples
    ]
    return lines + contradiction_lines(
        report.coherence,
        lambda example: gettext_lazy(
            "%(kind)s: %(text)s", kind=example.kind_words, text=example.text
        ),
        lambda example: answers_words(example, doc),
        report.coherence.summary_words(),
    )


def scenario_words(check: ScenarioCheck, outcomes: dict[str, str]) -> Words:
    """E.g. Scenario “Long sales cycles” gives “PM-first”, expected “CRM-first”."""
    explanation = check.explanation
    expected = explanation.expected_name if explanation else outcomes.get(check.expected)
    params = {"title": check.title, "expected": expected or check.expected}
    if check.decision.route is not None:
        if explanation is not None:  # "the linked page “…”"
            return gettext_lazy(
                "Scenario “%(title)s” gives %(result)s, expected “%(expected)s”",
                result=explanation.result_name,
                **params,
            )
        return gettext_lazy(
            "Scenario “%(title)s” ends the questions with a linked page (%(route)s), "
            "expected “%(expected)s”",
            route=check.decision.route,
            **params,
        )
    actual = str(check.actual)
    return gettext_lazy(
        "Scenario “%(title)s” gives “%(result)s”, expected “%(expected)s”",
        result=explanation.result_name if explanation else outcomes.get(actual, actual),
        **params,
    )


def answers_words(example: Contradiction, doc: GuideDocument) -> object:
    """The example's answers as “prompt”: “label” pairs."""
    questions = {question.slug: question for question in doc.questions}
    parts: list[object] = []
    for question_slug, choice_slug in example.answers.items():
        question = questions.get(question_slug)
        if question is None:
            parts.append(f"{question_slug}={choice_slug}")
            continue
        labels = {choice.slug: choice.label for choice in question.choices}
        label = labels.get(choice_slug, choice_slug)
        parts.append(gettext_lazy("“%(prompt)s”: “%(label)s”", prompt=question.prompt, label=label))
    return joined(parts, "; ")
