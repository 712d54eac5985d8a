"""Template helpers for guide content: `{% load guide_tags %}`."""

from __future__ import annotations

import html

from django import template
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from decisionguide.decision.document import GuideDocument, LinkedPage, Outcome
from decisionguide.decision.engine import shown_questions
from decisionguide.guides.markdown import (
    EXTERNAL_REL,
    is_external,
    linked_page_url,
    render_markdown,
)

register = template.Library()

# Outcome colours and marks in site.css: .outcome-1 .. .outcome-{OUTCOME_STYLES}.
OUTCOME_STYLES = 3


@register.filter
def markdown(text: str, doc: GuideDocument) -> SafeString:
    """`{{ text|markdown:doc }}`: the guide's Markdown as sanitized HTML."""
    return render_markdown(text, doc)


@register.filter
def markdown_text(text: str, doc: GuideDocument) -> str:
    """`{{ text|markdown_text:doc }}`: the guide's Markdown as plain words, for attributes.

    A plain (unsafe) string, so autoescaping quotes it wherever it lands: a
    `<meta content>` or a `title` must never receive the HTML's own quotes.
    """
    words = html.unescape(strip_tags(render_markdown(text, doc)))
    return " ".join(words.split())


@register.filter
def page_url(doc: GuideDocument, slug: str) -> str:
    """`{{ doc|page_url:slug }}`: where the guide's linked page `slug` lives."""
    return linked_page_url(doc, slug)


@register.simple_tag
def external_rel(doc: GuideDocument, slug: str) -> SafeString:
    """`<a href="…"{% external_rel doc slug %}>`: ` rel="noopener noreferrer"` when the
    guide's linked page `slug` lives on another site, else nothing."""
    url = linked_page_url(doc, slug) if doc.linked_page(slug) is not None else ""
    return format_html(' rel="{}"', EXTERNAL_REL) if is_external(url) else mark_safe("")


@register.filter
def outcome_class(doc: GuideDocument, slug: str) -> str:
    """`{{ doc|outcome_class:outcome.slug }}`: "outcome-N" by the outcome's position.

    Styles follow position, not slug, so any guide's outcomes get distinct
    colours and marks without touching the stylesheet.
    """
    slugs = [outcome.slug for outcome in doc.outcomes]
    position = slugs.index(slug) if slug in slugs else 0
    return f"outcome-{position % OUTCOME_STYLES + 1}"


@register.filter
def outcome(doc: GuideDocument, slug: str) -> Outcome | None:
    """`{{ doc|outcome:slug }}`: the guide's outcome with this slug."""
    return doc.outcome(slug)


@register.filter
def linked_page(doc: GuideDocument, slug: str) -> LinkedPage | None:
    """`{{ doc|linked_page:slug }}`: the guide's linked page with this slug."""
    return doc.linked_page(slug)


@register.filter
def question_count(doc: GuideDocument) -> str:
    """`{{ doc|question_count }}`: how many questions the visitor will see, as the
    questionnaire's "Question 1 of N" counts them, and how many at most."""
    first = len(shown_questions(doc, {}))
    most = len(doc.questions)
    if most == first:
        return ngettext("%(count)d short question", "%(count)d short questions", first) % {
            "count": first
        }
    return ngettext(
        "%(count)d short question (up to %(most)d for some answers)",
        "%(count)d short questions (up to %(most)d for some answers)",
        first,
    ) % {"count": first, "most": most}


class GuideSectionNode(template.Node):
    def __init__(self, section: template.base.FilterExpression, body: template.NodeList) -> None:
        self.section = section
        self.body = body

    def render(self, context: template.Context) -> str:
        section = self.section.resolve(context)
        if not section:  # an optional part the guide leaves empty: no heading either
            return ""
        with context.push(section=section):
            body = self.body.render(context)
        return format_html(
            '<section id="{0}" class="guide-section" aria-labelledby="{0}-heading">\n'
            '    <h2 id="{0}-heading">{1}</h2>{2}</section>',
            section.anchor,
            section.heading,
            body,
        )


@register.tag
def guide_section(parser: template.base.Parser, token: template.base.Token) -> GuideSectionNode:
    """`{% guide_section sections.about %}…{% endguide_section %}`: one h2 section of the
    guide page, its id and heading from the `Section`, left out when the section is."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("guide_section takes one Section")
    body = parser.parse(("endguide_section",))
    parser.delete_first_token()
    return GuideSectionNode(parser.compile_filter(bits[1]), body)
