"""A stored result as Markdown: something to paste into notes or send to a VA."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from decisionguide.decision.document import PAGE_LINK, GuideDocument
from decisionguide.guides.questionnaire import text_label


def _line(text: str) -> str:
    return " ".join(text.split())


def _resolve_links(text: str, doc: GuideDocument, page_url: Callable[[str], str]) -> str:
    """Turn the guide's `[words](page:slug)` links into real addresses."""

    def replace(match: Any) -> str:
        slug = match.group(1)
        return f"]({page_url(slug)})" if doc.linked_page(slug) is not None else "]()"

    return PAGE_LINK.sub(replace, text)


def _block(text: str, doc: GuideDocument, page_url: Callable[[str], str]) -> list[str]:
    """Guide Markdown as paragraphs, each on one line, links resolved."""
    paragraphs = [_line(part) for part in text.strip().split("\n\n") if part.strip()]
    lines: list[str] = []
    for paragraph in paragraphs:
        lines += [_resolve_links(paragraph, doc, page_url), ""]
    return lines


def result_markdown(
    doc: GuideDocument,
    decision: Mapping[str, Any],
    free_texts: Mapping[str, str],
    *,
    result_url: str,
    page_url: Callable[[str], str],
    answers: Mapping[str, str] | None = None,
    saved: str = "",
) -> str:
    """The recommendation, why, the handoff rule, checks to revisit, next pages.

    `page_url` gives a linked page's absolute address; `saved` is a line
    saying when and with which guide version the result was worked out.
    """
    lines: list[str] = [f"# {doc.title}", ""]
    outcome = doc.outcome(decision["outcome"]) if decision.get("outcome") else None
    route = doc.linked_page(decision["route"]) if decision.get("route") else None
    if outcome is not None:
        lines += [f"**Recommendation: {outcome.name}** — {_line(outcome.tagline)}", ""]
        reasons = decision.get("reasons") or []
        lines += ["## Why", ""]
        if reasons:
            for reason in reasons:
                question = doc.question(reason["question"])
                choice = question.choice(reason["choice"]) if question else None
                text = reason["text"] or (choice.reason or choice.label if choice else "")
                lines.append(f"- {_line(text)} (+{reason['points']})")
        else:
            lines.append(f"- No answer leaned strongly either way; {outcome.name} is the default.")
        lines.append("")
        for question_slug, text in free_texts.items():
            question = doc.question(question_slug)
            if text and question is not None and question.free_text is not None:
                lines += [f"## {text_label(question.free_text.label)}", "", f"> {_line(text)}", ""]
        lines += ["## The failure mode to watch", ""]
        lines += _block(outcome.failure_mode, doc, page_url)
        if doc.failure_checks:
            lines += ["## Check again in a month", ""]
            lines += [
                f"- [ ] {_resolve_links(_line(check), doc, page_url)}"
                for check in doc.failure_checks
            ]
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
            *_block(route.when, doc, page_url),
        ]
    if answers:
        rows = []
        for question in doc.questions:
            choice = question.choice(answers.get(question.slug, ""))
            if choice is not None:
                rows.append(f"- {_line(question.short)}: {_line(choice.label)}")
        if rows:
            lines += ["## Your answers", "", *rows, ""]
    if saved:
        lines += [saved, ""]
    lines += [f"Full result: {result_url}", ""]
    return "\n".join(lines)
