"""Why a guide may not go live, in the names editors see (pure, like the checks).

`GuideReport.problems()` names parts by slug ("scenario long-sales-cycles:
expected crm-first, got pm-first"), which suits `checkguide`'s log. A refused
publish in the admin or an import says the same in words, as save feedback
does: the scenario's title, the outcomes' names, the questions' prompts and
the choices' labels.
"""

from __future__ import annotations

from decisionguide.checking.checks import (
    GuideReport,
    ScenarioCheck,
    contradiction_lines,
    report_of,
)
from decisionguide.checking.coherence import Contradiction
from decisionguide.checking.scenario_reasons import quoted
from decisionguide.decision.document import GuideDocument


def publish_problems(doc: GuideDocument, *, in_full: bool = False) -> list[str]:
    """Why this document must not go live, one line each (empty: it may).

    Every check the report fails on (`GuideReport.passes`: failing scenarios,
    unreachable outcomes and whatever else the report comes to check), so a
    content file gets no easier way onto the site than the admin's Publish.
    `loadguide` runs from a shell, not a request: it checks `in_full`, with no time budget.
    """
    report = report_of(doc, in_full=in_full)
    return [] if report.passes else problems_in_words(report, doc)


def problems_in_words(report: GuideReport, doc: GuideDocument) -> list[str]:
    """What makes `report` fail, one line each, naming parts as the admin does."""
    outcomes = {outcome.slug: outcome.name for outcome in doc.outcomes}
    lines = [report.unfinished] if report.unfinished else []
    lines += [scenario_words(check, outcomes) for check in report.failed_scenarios]
    lines += [
        f"Outcome {quoted(outcomes.get(slug, slug))} can't be reached by any answers "
        f"({report.reachability.describe_method()})"
        for slug in report.reachability.unreachable
    ]
    lines += [
        f"The public example {quoted(p.title)} shows visitors placeholder text in its "
        f"{p.field} ({quoted(p.found)}): write it for visitors, or untick “Public example”"
        for p in report.placeholder_examples
    ]
    return lines + contradiction_lines(
        report.coherence,
        lambda example: f"{example.kind_words}: {example.text}",
        lambda example: answers_words(example, doc),
    )


def scenario_words(check: ScenarioCheck, outcomes: dict[str, str]) -> str:
    """E.g. Scenario “Long sales cycles” gives “PM-first”, expected “CRM-first”."""
    if check.explanation is not None:
        return f"Scenario {quoted(check.title)} {check.explanation.summary()}"
    route = check.decision.route
    result = (
        f"ends the questions with a linked page ({route})"
        if route is not None
        else f"gives {quoted(outcomes.get(str(check.actual), str(check.actual)))}"
    )
    expected = quoted(outcomes.get(check.expected, check.expected))
    return f"Scenario {quoted(check.title)} {result}, expected {expected}"


def answers_words(example: Contradiction, doc: GuideDocument) -> str:
    """The example's answers as “prompt”: “label” pairs."""
    questions = {question.slug: question for question in doc.questions}
    parts = []
    for question_slug, choice_slug in example.answers.items():
        question = questions.get(question_slug)
        if question is None:
            parts.append(f"{question_slug}={choice_slug}")
            continue
        labels = {choice.slug: choice.label for choice in question.choices}
        label = labels.get(choice_slug, choice_slug)
        parts.append(f"{quoted(question.prompt)}: {quoted(label)}")
    return "; ".join(parts)
