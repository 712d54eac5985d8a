"""A stored result as Markdown: something to paste into notes or send to a VA."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from decisionguide.decision.document import GuideDocument


def _line(text: str) -> str:
    return " ".join(text.split())


def result_markdown(
    doc: GuideDocument,
    decision: dict[str, Any],
    free_texts: dict[str, str],
    *,
    result_url: str,
    page_url: Callable[[str], str],
) -> str:
    """The recommendation, why, the handoff rule, checks to revisit, next pages."""
    lines: list[str] = [f"# {doc.title}", ""]
    outcome = doc.outcome(decision["outcome"]) if decision.get("outcome") else None
    route = doc.linked_page(decision["route"]) if decision.get("route") else None
    if outcome is not None:
        lines += [f"**Recommendation: {outcome.name}** — {_line(outcome.tagline)}", ""]
        reasons = decision.get("reasons") or []
        if reasons:
            lines += ["## Why", ""]
            lines += [f"- {_line(r['text'])} (+{r['points']})" for r in reasons]
            lines.append("")
        lines += ["## The failure mode to watch", "", _line(outcome.failure_mode), ""]
        for question_slug, text in free_texts.items():
            question = doc.question(question_slug)
            if text and question is not None and question.free_text is not None:
                lines += [f"## {question.free_text.label}", "", f"> {_line(text)}", ""]
        if doc.failure_checks:
            lines += ["## Check again in a month", ""]
            lines += [f"- [ ] {_line(check)}" for check in doc.failure_checks]
            lines.append("")
        pages = [doc.linked_page(slug) for slug in outcome.next_pages]
        pages = [page for page in pages if page is not None]
        if pages:
            lines += ["## Read next", ""]
            lines += [f"- [{page.title}]({page_url(page.slug)})" for page in pages]
            lines.append("")
    elif route is not None:
        lines += [
            f"**This guide is not the next step: read [{route.title}]({page_url(route.slug)}).**",
            "",
            _line(route.when),
            "",
        ]
    lines += [f"Full result: {result_url}", ""]
    return "\n".join(lines)
