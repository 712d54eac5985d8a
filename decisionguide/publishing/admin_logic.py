"""The guide's logic map page: the draft (or the published version) drawn as SVG, in words
beside it, every question, choice, outcome, gate, note and linked page linked to its edit page.

The drawing is `checking.logic_map`'s; this module only finds which row each element
is, so it can link to the row's change page.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from decisionguide.checking.logic_map import Fact, Links, outline, render_svg
from decisionguide.content.models import (
    Choice,
    Gate,
    Guide,
    LinkedPage,
    Note,
    Outcome,
    Question,
)
from decisionguide.decision.document import DocumentError
from decisionguide.publishing.admin_pages import get_guide, page


def edit_links(guide: Guide, *, gates_by_position: bool = True) -> Links:
    """Where each element of the guide's map is edited: its row's admin change page.

    Elements are found by slug; gates have none, so they are matched by position
    (the draft's rows are in its order), which only holds for the draft:
    `gates_by_position=False` leaves gates of another version unlinked.
    Six queries, whatever the guide's size.
    """
    rows: dict[tuple[str, str], tuple[str, int]] = {}

    def add(kind: str, model: str, pairs: object) -> None:
        for key, pk in pairs:  # type: ignore[attr-defined]
            rows[kind, str(key)] = (model, pk)

    add("question", "question", Question.objects.filter(guide=guide).values_list("slug", "pk"))
    choices = Choice.objects.filter(question__guide=guide).values_list(
        "question__slug", "slug", "pk"
    )
    add("choice", "choice", ((f"{q}/{c}", pk) for q, c, pk in choices))
    add("outcome", "outcome", Outcome.objects.filter(guide=guide).values_list("slug", "pk"))
    add("note", "note", Note.objects.filter(guide=guide).values_list("slug", "pk"))
    add("page", "linkedpage", LinkedPage.objects.filter(guide=guide).values_list("slug", "pk"))
    if gates_by_position:
        gates = Gate.objects.filter(guide=guide).values_list("pk", flat=True)
        add("gate", "gate", enumerate(gates))

    def link(kind: str, key: str) -> str:
        found = rows.get((kind, key))
        return reverse(f"admin:guides_{found[0]}_change", args=[found[1]]) if found else ""

    return link


def linked_facts(facts: list[Fact], link: Links) -> list[dict[str, object]]:
    """The map in words for the template: text, edit URL and details of each fact."""
    return [
        {
            "text": str(fact.text),
            "url": link(fact.kind, fact.key) if fact.kind else "",
            "details": linked_facts(list(fact.details), link),
        }
        for fact in facts
    ]


@require_safe
def logic_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    use_published = bool(request.GET.get("doc") == "published" and guide.published_version_id)
    number = guide.published_version.version if use_published else guide.version
    context: dict[str, object] = {"number": number, "use_published": use_published}
    try:
        version = guide.published_version if use_published else guide.draft_version()
        doc = version.as_document()
    except DocumentError as exc:  # rows written outside the admin that make no guide
        context["problem"] = str(exc)
    else:
        link = edit_links(guide, gates_by_position=version.version == guide.version)
        # render_svg escapes every text and attribute it writes (checking.logic_map).
        context["svg"] = mark_safe(render_svg(doc, link))
        context["facts"] = linked_facts(outline(doc), link)
    title = (
        _("Logic map: %(title)s (published version, version %(number)s)")
        if use_published
        else _("Logic map: %(title)s (draft, version %(number)s)")
    )
    return page(
        model_admin,
        request,
        "admin/guides/guide/logic.html",
        title % {"title": guide.title, "number": number},
        guide,
        **context,
    )
