"""A stored result as Markdown: something to paste into notes or send to a VA.

It says what the result page says, in the same order, from the same
sentences (`decisionguide.results.presenter`): the recommendation and how
clear-cut it is, the notes for these answers, what counted for and against,
what was ruled out, the failure mode, what to read next and what would
change it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext, pgettext

from decisionguide.decision.document import PAGE_LINK, GuideDocument
from decisionguide.decision.verdict import Decision
from decisionguide.results.answer_list import answer_rows
from decisionguide.results.presenter import Side, build_result_context
from decisionguide.results.wording import points_text


def _line(text: str) -> str:
    return " ".join(text.split())


# Characters that make Markdown markup anywhere in a line, in CommonMark and Python-Markdown.
_INLINE_MARKUP = re.compile(r"([\\`*_{}\[\]()!#|~])")
# ... and at the start of a line: a list item or a rule ("-", "+"), a numbered item ("1.").
_LINE_START_MARKUP = re.compile(r"^(?:[-+]|\d+[.)])")


def visitor_text(text: str) -> str:
    """A visitor's typed words as Markdown that shows them as typed and makes no markup.

    One line; every character that could start a link, an image, emphasis, code, a list
    or raw HTML is escaped. `<` and `>` become entities rather than backslash escapes,
    which not every Markdown reader honours before raw HTML (Python-Markdown doesn't).
    """
    line = _INLINE_MARKUP.sub(r"\\\1", _line(text))
    line = line.replace("<", "&lt;").replace(">", "&gt;")
    # The backslash goes before the punctuation: 1\. (a backslash before a digit shows).
    return _LINE_START_MARKUP.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], line)


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


def _side(heading: str, side: Side) -> list[str]:
    lines = [f"### {heading} ({points_text(side.total)})", ""]
    lines += [f"- {_line(item.text)} (+{item.points})" for item in side.items]
    return [*lines, ""]


def _why(context: Mapping[str, Any]) -> list[str]:
    outcome = context["outcome"]
    side_for: Side | None = context["side_for"]
    side_against: Side | None = context["side_against"]
    lines = [f"## {gettext('Why')}", ""]
    if side_for is None or not side_for.items:
        default = gettext("No answer leaned strongly either way; %(outcome)s is the default.")
        lines += [default % {"outcome": outcome.name}, ""]
    elif not context["reasons_add_up"]:
        lines += [f"- {_line(i.text)} (+{i.points})" for i in side_for.items]
        lines.append("")
    else:
        lines += _side(
            gettext("What counted for %(outcome)s") % {"outcome": outcome.name}, side_for
        )
    if side_against is not None:
        if side_against.items:
            heading = gettext("What counted for %(outcome)s instead")
            lines += _side(heading % {"outcome": side_against.outcome.name}, side_against)
        lines += [context["sum_sentence"], ""]
    if context["excluded"]:
        lines += [f"### {gettext('Ruled out by your answers')}", ""]
        for item in context["excluded"]:
            lines.append(f"- **{item['outcome'].name}:** {_line(item['reason'])}")
        lines.append("")
    return lines


def _recommendation(
    context: Mapping[str, Any], doc: GuideDocument, page_url: Callable[[str], str]
) -> list[str]:
    """The recommendation and everything the page says about it, in the page's order."""
    outcome = context["outcome"]
    lines: list[str] = []
    recommendation = gettext("Recommendation: %(outcome)s") % {"outcome": outcome.name}
    lines += [f"**{recommendation}** — {_line(outcome.tagline)}", ""]
    if context["clarity"]:
        standing = pgettext("clarity, then the standing sentence", "%(clarity)s: %(sentence)s")
        values = {"clarity": context["clarity"], "sentence": context["clarity_sentence"]}
        lines += [standing % values, ""]
    if context["notes"]:
        lines += [f"## {gettext('Worth knowing for your answers')}", ""]
        for note in context["notes"]:
            lines += [f"### {note.title}", "", *_block(note.text, doc, page_url)]
    lines += _why(context)
    for item in context["written"]:
        lines += [f"## {item['label']}", "", f"> {visitor_text(item['text'])}", ""]
    lines += [f"## {gettext('The failure mode to watch')}", ""]
    lines += _block(outcome.failure_mode, doc, page_url)
    if context["next_pages"]:
        lines += [f"## {gettext('Read next')}", ""]
        lines += [f"- [{i['page'].title}]({i['url']})" for i in context["next_pages"]]
        lines.append("")
    changes = [*context["first_changes"], *context["more_changes"]]
    lines += [f"## {gettext('What would change it')}", ""]
    if context["robust"]:  # why it holds, or the lead-in to two-answer changes
        lines += [context["robust"], ""]
    if changes:
        lines += [f"- {change.sentence}" for change in changes]
        lines.append("")
    if context["failure_checks"]:  # only the lines for this recommendation
        lines += [f"## {gettext('Check again in a month')}", ""]
        lines += [
            f"- [ ] {_resolve_links(_line(check.text), doc, page_url)}"
            for check in context["failure_checks"]
        ]
        lines.append("")
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
    """The result as Markdown. `page_url` gives a linked page's absolute address;
    `saved` is a line saying when and with which guide version it was worked out."""
    lines: list[str] = [f"# {doc.title}", ""]
    stored = Decision.from_json(decision)
    context = build_result_context(
        doc, stored, free_texts, page_url=page_url, answers=answers or {}
    )
    outcome = context["outcome"]
    route = doc.linked_page(stored.route) if stored.route else None
    if outcome is not None:
        lines += _recommendation(context, doc, page_url)
    elif route is not None:
        lines += [
            "**%s**"
            % (
                gettext("This guide is not the next step: read [%(title)s](%(url)s).")
                % {"title": route.title, "url": page_url(route.slug)}
            ),
            "",
            *_block(route.when, doc, page_url),
        ]
    rows = answer_rows(doc, answers or {}, free_texts)
    if rows:
        lines += [f"## {gettext('Your answers')}", ""]
        for row in rows:
            lines.append(f"- {_line(row.question.short)}: {_line(row.choice.label)}")
            if row.text:
                lines.append(f"  - {_line(row.text_label)}: {visitor_text(row.text)}")
        lines.append("")
    if saved:
        lines += [saved, ""]
    lines += [gettext("Full result: %(url)s") % {"url": result_url}, ""]
    return "\n".join(lines)
