"""Template helpers for guide content: `{% load guide_tags %}`."""

from __future__ import annotations

import html

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from decisionguide.decision.document import GuideDocument, LinkedPage, Outcome
from decisionguide.guides.markdown import linked_page_url, render_markdown

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
