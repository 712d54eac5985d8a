"""Search across a guide (issue 25, item 6): every text of the draft's rows, with links.

The draft is the rows, so the search reads them: each text field (a
`CharField` or `TextField` that is not a slug or a fixed choice) of the guide
and of every part, matched case-insensitively in Python (SQLite's LIKE folds
ASCII only). Each hit names the part, the field in words, a snippet with the
match marked (every piece escaped) and the admin page that edits it: a
choice's or a rating's page is its question's or criterion's, where they are
edited inline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from decisionguide.content.models import (
    Choice,
    Criterion,
    FailureCheck,
    Gate,
    Guide,
    GuideItem,
    LinkedPage,
    Note,
    Outcome,
    Question,
    Rating,
    Scenario,
    TieBreak,
)
from decisionguide.publishing.admin_pages import admin_url, get_guide, page

QUERY_MAX_LENGTH = 200
SNIPPET_CONTEXT = 60  # characters shown each side of a match
HITS_MAX = 300

# (part kind in words, model, the lookup to its guide, the attribute edited on whose page)
SEARCHED: tuple[tuple[Any, type[models.Model], str, str], ...] = (
    (gettext_lazy("Question"), Question, "guide", ""),
    (gettext_lazy("Choice"), Choice, "question__guide", "question"),
    (gettext_lazy("Outcome"), Outcome, "guide", ""),
    (gettext_lazy("Criterion"), Criterion, "guide", ""),
    (gettext_lazy("Rating"), Rating, "criterion__guide", "criterion"),
    (gettext_lazy("Scenario"), Scenario, "guide", ""),
    (gettext_lazy("Note"), Note, "guide", ""),
    (gettext_lazy("Gate"), Gate, "guide", ""),
    (gettext_lazy("Linked page"), LinkedPage, "guide", ""),
    (gettext_lazy("Tie-break"), TieBreak, "guide", ""),
    (gettext_lazy("Edge case or misstep"), GuideItem, "guide", ""),
    (gettext_lazy("Failure check"), FailureCheck, "guide", ""),
)


@dataclass(frozen=True)
class Hit:
    part: str  # "Question: How many shoots…"
    field: str  # the field's name in words
    snippet: SafeString
    url: str


def text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.fields
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField)
        and not field.choices
    ]


def snippet(text: str, match: re.Match[str]) -> SafeString:
    start, end = match.span()
    before = text[max(0, start - SNIPPET_CONTEXT) : start]
    after = text[end : end + SNIPPET_CONTEXT]
    return format_html(
        "{}{}<mark>{}</mark>{}{}",
        "…" if start > SNIPPET_CONTEXT else "",
        before,
        match.group(0),
        after,
        "…" if end + SNIPPET_CONTEXT < len(text) else "",
    )


def edit_url(model_admin: admin.ModelAdmin, obj: models.Model) -> str:
    opts = obj._meta
    if model_admin.admin_site.is_registered(type(obj)):
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return ""


def hits_in(obj: models.Model, kind: Any, url: str, pattern: re.Pattern[str]) -> Iterator[Hit]:
    for field in text_fields(type(obj)):
        text = str(getattr(obj, field.attname) or "")
        match = pattern.search(text)
        if match:
            part = _("%(kind)s: %(name)s") % {"kind": kind, "name": obj}
            yield Hit(part, str(field.verbose_name).capitalize(), snippet(text, match), url)


def search_guide(model_admin: admin.ModelAdmin, guide: Guide, query: str) -> Iterator[Hit]:
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    yield from hits_in(guide, _("Guide"), admin_url("change", guide.pk), pattern)
    for kind, model, to_guide, edited_on in SEARCHED:
        rows = model.objects.filter(**{to_guide: guide})
        if edited_on:
            rows = rows.select_related(edited_on)
        for obj in rows:
            owner = getattr(obj, edited_on) if edited_on else obj
            url = edit_url(model_admin, owner) or admin_url("change", guide.pk)
            yield from hits_in(obj, kind, url, pattern)


@require_GET
def search_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """`?q=words`: every text of the draft holding them, each with a link to its edit page."""
    guide = get_guide(model_admin, request, object_id)  # 404 or 403 for anyone else
    query = request.GET.get("q", "").replace("\x00", "").strip()[:QUERY_MAX_LENGTH]
    hits: list[Hit] = []
    if query:
        for hit in search_guide(model_admin, guide, query):
            hits.append(hit)
            if len(hits) >= HITS_MAX:
                break
    return page(
        model_admin,
        request,
        "admin/guides/guide/search.html",
        _("Search: %(title)s") % {"title": guide.title},
        guide,
        query=query,
        hits=hits,
        more=len(hits) >= HITS_MAX,
    )
