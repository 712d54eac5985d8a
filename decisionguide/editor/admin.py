"""The editor admin: every part of a guide, edited in the browser.

Every save or delete is checked as a whole guide and frozen as a new draft
version (`admin_support.GuideContentAdmin`); visitors keep seeing the published
version until an editor publishes (the guide's own pages: `admin_urls`).

Small rows (points, ratings, clause answers, scenario answers, next pages)
are edited inline on their parent (`admin_inlines`) or as form fields, never
on their own page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _

from decisionguide.checking.checks import condition_text
from decisionguide.content.models import (
    Choice,
    Clause,
    Criterion,
    FailureCheck,
    Gate,
    Guide,
    GuideItem,
    GuideVersion,
    LinkedPage,
    Note,
    Outcome,
    Question,
    Scenario,
    TieBreak,
)
from decisionguide.decision.document import MARKDOWN_FIELDS, DocumentError
from decisionguide.editor import admin_scenarios
from decisionguide.editor.admin_inlines import (
    AssertsInline,
    ChoiceInline,
    CountedInline,
    FailureCheckInline,
    GateConditionInline,
    GuideItemInline,
    NoteConditionInline,
    OutcomeInline,
    OutcomeNextPageInline,
    QuestionConditionInline,
    RatingInline,
    ScenarioAnswerInline,
    TieBreakInline,
    TieBreakSettleInline,
    choice_fieldsets,
)
from decisionguide.editor.admin_ordering import SortablePartList
from decisionguide.editor.admin_support import GuideContentAdmin, change_note
from decisionguide.editor.admin_urls import GUIDE_TOOL_PAGES
from decisionguide.editor.forms import ChoiceForm, choice_form_for
from decisionguide.embed.admin_box import embed_box_context
from decisionguide.publishing import admin_pages, admin_views
from decisionguide.publishing.merging import record_merged_edit
from decisionguide.publishing.review_links import panel_context

# ---------------------------------------------------------------------------
# Guides


@admin.register(Guide)
class GuideAdmin(GuideContentAdmin):
    list_display = [
        "title",
        "slug",
        "status",
        "version",
        "published_number",
        "updated",
    ]
    list_filter = ["is_published"]
    search_fields = ["title", "slug", "summary"]
    ordering = ["title"]
    change_form_template = "admin/guides/guide/change_form.html"
    change_list_template = "admin/guides/guide/change_list.html"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("published_version")

    def guide_of(self, obj: models.Model) -> Guide | None:
        return obj if isinstance(obj, Guide) and obj.pk else None

    def current_guide(self, request: HttpRequest, obj: models.Model | None) -> Guide | None:
        return obj if isinstance(obj, Guide) else None

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        return super(GuideContentAdmin, self).add_view(request, form_url, extra_context)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        about = ["slug", "title", "summary"] + (
            ["default_outcome", "close_call_margin"] if obj else []
        )
        fieldsets = [
            (None, {"fields": about}),
            # The guide page's Markdown texts, in the order the page shows them.
            (_("Guide page texts"), {"fields": list(MARKDOWN_FIELDS)}),
        ]
        if obj is not None:
            versions = ["is_published", "version", "published_number", "updated"]
            fieldsets += [
                (_("Embedding on other sites"), {"fields": ["embed_origins"]}),
                (_("Publishing"), {"fields": ["publishing_needs_review"]}),
                (_("Versions"), {"fields": versions}),
            ]
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        readonly = ["is_published", "version", "published_number", "created", "updated"]
        if obj is not None:
            readonly.append("slug")  # shared links and results name it
        if not request.user.has_perm("guides.approve_guide"):
            readonly.append("publishing_needs_review")  # else an editor could skip the review
        return readonly

    def get_inlines(self, request: HttpRequest, obj: Any):
        if obj is None:
            return [OutcomeInline, GuideItemInline]
        return [TieBreakInline, GuideItemInline, FailureCheckInline]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "default_outcome" in form_class.base_fields:
            form_class.base_fields["default_outcome"].required = True
        return form_class

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        guide = form.instance
        super(GuideContentAdmin, self).save_related(request, form, formsets, change)
        if guide.default_outcome_id is None:
            # A new guide: its first outcome is the default until an editor picks another.
            guide.default_outcome = guide.outcomes.order_by("order", "id").first()
            guide.save(update_fields=["default_outcome", "updated"])
        record_merged_edit(request, guide, change_note(self, request, form, formsets, not change))

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        admin.ModelAdmin.delete_model(self, request, obj)

    def get_urls(self):
        def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            return self.admin_site.admin_view(partial(view, model_admin=self))

        custom = [
            path(route, wrap(view), name=f"guides_guide_{name}")
            for route, view, name in GUIDE_TOOL_PAGES
        ]
        return custom + super().get_urls()

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        return admin_views.history_view(request, object_id, model_admin=self)

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        guide = self.get_object(request, unquote(object_id))
        # The panel (checks, status, links) is for reading: skip it on a save.
        if guide is not None and request.method == "GET":
            extra.update(admin_pages.guide_panel_context(self, request, guide))
            extra.update(embed_box_context(request, guide))
            extra["review"] = panel_context(request, guide)
        return super().change_view(request, object_id, form_url, extra)

    @admin.display(description=_("visitors see"), ordering="is_published")
    def status(self, obj: Guide) -> str:
        if obj.published_version_id is None:
            return _("nothing (never published)")
        if not obj.is_published:
            return _("nothing (unpublished)")
        return _("version %(number)s") % {"number": obj.published_version.version}

    @admin.display(description=_("published version"))
    def published_number(self, obj: Guide) -> str:
        if obj.published_version_id is None:
            return "-"
        number, draft = obj.published_version.version, obj.version
        if number != draft:
            text = _("%(number)s (the draft, version %(draft)s, has unpublished changes)")
            return text % {"number": number, "draft": draft}
        return _("%(number)s (same as the draft)") % {"number": number}


@admin.register(GuideVersion)
class GuideVersionAdmin(admin.ModelAdmin):
    """Frozen versions: read-only (results point at them); restore one from the guide's History."""

    list_display = ["guide", "version", "created", "created_by", "note", "is_live"]
    list_filter = ["guide"]
    search_fields = ["guide__title", "guide__slug", "note"]
    ordering = ["guide__title", "-version"]
    list_select_related = ["guide", "created_by"]
    fields = ["guide", "version", "created", "created_by", "note", "history_link"]
    readonly_fields = fields

    @admin.display(description=_("published"), boolean=True)
    def is_live(self, obj: GuideVersion) -> bool:
        return obj.guide.published_version_id == obj.pk

    @admin.display(description=_("content"))
    def history_link(self, obj: GuideVersion) -> str:
        url = reverse("admin:guides_guide_version", args=[obj.guide_id, obj.version])
        return format_html('<a href="{}">{}</a>', url, _("Content, differences and restore"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# ---------------------------------------------------------------------------
# Parts of a guide


class GuidePartAdmin(SortablePartList, GuideContentAdmin):
    list_filter = ["guide"]
    list_select_related = ["guide"]
    ordering = ["guide__title", "order"]


@admin.register(Outcome)
class OutcomeAdmin(GuidePartAdmin):
    list_display = ["name", "slug", "guide_link", "is_default", "order"]
    search_fields = ["name", "slug", "tagline"]
    exclude = ["next_pages"]
    inlines = [OutcomeNextPageInline]

    @admin.display(description=_("default"), boolean=True)
    def is_default(self, obj: Outcome) -> bool:
        return obj.guide.default_outcome_id == obj.pk


@admin.register(LinkedPage)
class LinkedPageAdmin(GuidePartAdmin):
    list_display = ["title", "slug", "guide_link", "url", "order"]
    search_fields = ["title", "slug", "summary", "url", "body"]
    fieldsets = [
        (None, {"fields": ["guide", ("slug", "order"), "title", "url"]}),
        (_("Where it appears"), {"fields": ["summary", "when"]}),
        (_("The page on this site"), {"fields": ["body"]}),
    ]


@admin.register(Criterion)
class CriterionAdmin(GuidePartAdmin):
    list_display = ["name", "slug", "guide_link", "order", "grid_link"]
    search_fields = ["name", "slug", "description"]
    inlines = [RatingInline]

    @admin.display(description=_("ratings"))
    def grid_link(self, obj: Criterion) -> str:
        url = reverse("admin:guides_guide_ratings", args=[obj.guide_id])
        return format_html('<a href="{}">{}</a>', url, _("Edit all ratings as a grid"))


@admin.register(Scenario)
class ScenarioAdmin(GuidePartAdmin):
    list_display = ["title", "slug", "outcome", "public", "guide_link", "order", "check_result"]
    list_select_related = ["guide", "outcome"]
    list_filter = ["guide", "outcome", "public"]
    search_fields = ["title", "slug", "description", "public_title", "public_description"]
    inlines = [ScenarioAnswerInline]
    fieldsets = admin_scenarios.SCENARIO_FIELDSETS

    @admin.display(description=_("check (draft)"))
    def check_result(self, obj: Scenario) -> str:
        return admin_pages.scenario_status(obj.guide, obj.slug)


@admin.register(GuideItem)
class GuideItemAdmin(GuidePartAdmin):
    list_display = ["text", "kind", "guide_link", "order"]
    list_filter = ["guide", "kind"]
    search_fields = ["text"]
    ordering = ["guide__title", "kind", "order"]
    sort_within = ("kind",)


@admin.register(Question)
class QuestionAdmin(GuidePartAdmin):
    list_display = ["prompt", "slug", "guide_link", "order", "choice_count", "shown_when"]
    search_fields = ["prompt", "slug", "short", "hint"]
    inlines = [ChoiceInline, QuestionConditionInline]
    fieldsets = [
        (None, {"fields": ["guide", ("slug", "order"), "prompt", "short", "hint"]}),
        (
            _("Text box (optional)"),
            {
                "classes": ["collapse"],
                "fields": [
                    "free_text_choice",
                    "free_text_label",
                    "free_text_hint",
                    "free_text_max_length",
                ],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(choices_total=Count("choices"))

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "free_text_choice":
            question = getattr(request, "_decisionguide_question", None)
            kwargs["queryset"] = (
                Choice.objects.filter(question=question) if question else Choice.objects.none()
            )
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        request._decisionguide_question = obj  # type: ignore[attr-defined]
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description=_("choices"), ordering="choices_total")
    def choice_count(self, obj: Question) -> int:
        return obj.choices_total  # type: ignore[attr-defined]

    @admin.display(description=_("shown when"))
    def shown_when(self, obj: Question) -> str:
        guide = obj.guide
        try:
            doc = guide.draft_document()
        except DocumentError:  # rows written outside the admin: a list column must not fail
            return "?"
        question = doc.question(obj.slug)
        return condition_text(question.show_if) if question else "?"


@admin.register(Choice)
class ChoiceAdmin(GuideContentAdmin):
    list_display = ["label", "slug", "question", "guide_link", "route", "unsure", "order"]
    list_filter = ["question__guide", "unsure"]
    list_select_related = ["question__guide", "route"]
    search_fields = ["label", "slug", "question__prompt", "question__slug"]
    ordering = ["question__guide__title", "question__order", "order"]
    form = ChoiceForm

    def guide_of(self, obj: models.Model) -> Guide | None:
        return obj.question.guide if getattr(obj, "question_id", None) else None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        return ["question"] if obj is not None else []

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        guide = self.current_guide(request, obj)
        outcomes = list(Outcome.objects.filter(guide=guide)) if guide else []
        kwargs["form"] = choice_form_for(outcomes)
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        return choice_fieldsets(self.current_guide(request, obj), ["question"])


def condition_clauses(obj: Gate | Note) -> str:
    """The clauses of the condition that switches `obj` on (not what it asserts or counts)."""
    clauses = obj.clauses.filter(role=Clause.Role.CONDITION).select_related("question")
    return "; ".join(str(clause) for clause in clauses)


CLAIMS_DESCRIPTION = _(
    "What the sentence says, so the guide's checks can hold it to every page it appears "
    "on: the outcomes it argues for or against (no page may show it beside one it argues "
    "against, or beside a sentence arguing the other way). What it asserts about the "
    "answers and which answers it says counted are set in the sections below."
)


@admin.register(Gate)
class GateAdmin(GuidePartAdmin):
    list_display = ["__str__", "outcome", "guide_link", "condition", "order"]
    list_select_related = ["guide", "outcome"]
    search_fields = ["reason", "outcome__name"]
    inlines = [GateConditionInline, AssertsInline, CountedInline]
    fieldsets = [
        (None, {"fields": ["guide", ("outcome", "order"), "reason"]}),
        (
            _("What the reason claims"),
            {"fields": ["argues_against", "argues_for"], "description": CLAIMS_DESCRIPTION},
        ),
    ]

    @admin.display(description=_("unless"))
    def condition(self, obj: Gate) -> str:
        return condition_clauses(obj)


@admin.register(FailureCheck)
class FailureCheckAdmin(GuidePartAdmin):
    list_display = ["__str__", "guide_link", "order"]
    search_fields = ["text"]
    inlines = [AssertsInline, CountedInline]
    fieldsets = [
        (None, {"fields": ["guide", "order", "text", "shown_with"]}),
        (
            _("What the line claims"),
            {"fields": ["argues_against", "argues_for"], "description": CLAIMS_DESCRIPTION},
        ),
    ]


@admin.register(TieBreak)
class TieBreakAdmin(GuidePartAdmin):
    list_display = ["__str__", "question", "guide_link", "order"]
    list_select_related = ["guide", "question"]
    search_fields = ["explanation", "question__slug"]
    inlines = [TieBreakSettleInline]
    fields = ["guide", ("question", "order"), "explanation"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        request._decisionguide_tie_break = obj  # type: ignore[attr-defined]
        return super().get_form(request, obj, change, **kwargs)


@admin.register(Note)
class NoteAdmin(GuidePartAdmin):
    list_display = ["title", "slug", "guide_link", "condition", "sides", "order"]
    search_fields = ["title", "slug", "text"]
    inlines = [NoteConditionInline, AssertsInline, CountedInline]
    fieldsets = [
        (None, {"fields": ["guide", ("slug", "order"), "title", "text"]}),
        (
            _("Which recommendations it belongs with"),
            {
                "fields": ["shown_with", "argues_against", "argues_for"],
                "description": _(
                    "The guide's checks try every possible set of answers and "
                    "refuse to publish while any would show this note beside a recommendation "
                    "it argues against."
                ),
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("argues_against", "argues_for")

    @admin.display(description=_("argues"))
    def sides(self, obj: Note) -> str:
        against = get_text_list([o.name for o in obj.argues_against.all()], _("and"))
        for_ = get_text_list([o.name for o in obj.argues_for.all()], _("and"))
        if against and for_:
            return _("against %(against)s; for %(for)s") % {"against": against, "for": for_}
        if against or for_:
            text = _("against %(outcomes)s") if against else _("for %(outcomes)s")
            return text % {"outcomes": against or for_}
        return _("neither side")

    @admin.display(description=_("shown when"))
    def condition(self, obj: Note) -> str:
        return condition_clauses(obj)
