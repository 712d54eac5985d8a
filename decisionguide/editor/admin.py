"""The editor admin: every part of a guide, edited in the browser.

Every save or delete of any part of a guide is checked as a whole guide
(`publishing.record_edit`): if the rows would no longer make a valid guide,
the transaction is rolled back and the form is shown again with the
problems listed; otherwise the change is frozen as a new draft version, once
per save however many rows changed. Visitors keep seeing the published
version until an editor publishes (see `admin_views` for publishing,
history, checks, the ratings grid, import/export and analytics).

Small rows (points, ratings, clause answers, scenario answers, next pages)
are edited inline on their parent or as form fields, never on their own page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.admin import BaseGenericInlineFormSet, GenericTabularInline
from django.contrib.contenttypes.fields import GenericRelation
from django.db import IntegrityError, models
from django.db.models import Count, ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from decisionguide.content.checks import condition_text
from decisionguide.content.models import (
    Choice,
    Clause,
    Criterion,
    Gate,
    Guide,
    GuideItem,
    GuideVersion,
    LinkedPage,
    Note,
    Outcome,
    OutcomeNextPage,
    Question,
    Rating,
    Scenario,
    ScenarioAnswer,
)
from decisionguide.decision.document import DocumentError
from decisionguide.editor import admin_views
from decisionguide.editor.forms import (
    ChoiceForm,
    ClauseForm,
    ScenarioAnswerForm,
    choice_form_for,
    choices_of_guide,
    points_fields,
    with_guide,
)
from decisionguide.editor.publishing import GuideInvalid, record_edit

MARKDOWN_HELP = "Markdown."
GUIDE_PARAM = "guide"
# Set on the request by the admin whose page is being built, read by its inlines.
REQUEST_GUIDE = "_decisionguide_guide"
REQUEST_PROBLEMS = "_decisionguide_problems"


class AdminAssets:
    css = {"all": ["admin-extra/guide-admin.css"]}
    js = ["admin-extra/guide-admin.js"]


# ---------------------------------------------------------------------------
# Which guide a page is about


def guide_id_of(obj: models.Model | None) -> int | None:
    """The guide a row belongs to (None for rows not yet attached)."""
    if obj is None:
        return None
    if isinstance(obj, Guide):
        return obj.pk
    if isinstance(obj, Choice):
        return obj.question.guide_id if obj.question_id else None
    return getattr(obj, "guide_id", None)


def quoted(value: object) -> str:
    return f"\N{LEFT DOUBLE QUOTATION MARK}{value}\N{RIGHT DOUBLE QUOTATION MARK}"


def request_guide(request: HttpRequest) -> Guide | None:
    return getattr(request, REQUEST_GUIDE, None)


def guide_from_params(request: HttpRequest) -> Guide | None:
    """The guide an add page is for: posted, in the query or list filters, or the only one."""
    params = [request.POST, request.GET]
    filters = request.GET.get("_changelist_filters")
    if filters:
        params.append(dict(parse_qsl(filters)))
    for source in params:
        for key in (GUIDE_PARAM, "guide__id__exact", "question__guide__id__exact"):
            value = source.get(key)
            if value and str(value).isdigit():
                guide = Guide.objects.filter(pk=int(value)).first()
                if guide is not None:
                    return guide
        question = source.get("question")
        if question and str(question).isdigit():
            found = Question.objects.filter(pk=int(question)).select_related("guide").first()
            if found is not None:
                return found.guide
    guides = list(Guide.objects.all()[:2])
    return guides[0] if len(guides) == 1 else None


def limit_to_guide(db_field: models.Field, guide: Guide | None, kwargs: dict) -> None:
    """Offer only rows of `guide` in a foreign key or many-to-many select."""
    if guide is None:
        return
    target = db_field.related_model
    if target is Choice:
        kwargs["queryset"] = choices_of_guide(guide.pk)
    elif target in (Outcome, LinkedPage, Question):
        kwargs["queryset"] = target.objects.filter(guide=guide)


def change_note(admin_obj: admin.ModelAdmin, request: HttpRequest, form, formsets, add) -> str:
    """What the admin log would say about this save, as the version's note."""
    message = admin_obj.construct_change_message(request, form, formsets, add)
    text = LogEntry(change_message=json.dumps(message)).get_change_message()
    action = "Added" if add else "Changed"
    name = admin_obj.opts.verbose_name
    note = f"{action} {name} {quoted(form.instance)}"
    return f"{note}: {text}" if text and text != "No fields changed." else note


# ---------------------------------------------------------------------------
# The shared behaviour: validate as a whole guide, record one version per save


class GuideContentAdmin(admin.ModelAdmin):
    """An admin for rows that belong to a guide."""

    save_as = False
    save_on_top = True
    Media = AdminAssets

    def guide_of(self, obj: models.Model) -> Guide | None:
        return getattr(obj, "guide", None)

    def current_guide(self, request: HttpRequest, obj: models.Model | None) -> Guide | None:
        if obj is not None:
            return self.guide_of(obj)
        return guide_from_params(request)

    # Forms -------------------------------------------------------------------

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        setattr(request, REQUEST_GUIDE, self.current_guide(request, obj))
        form_class = super().get_form(request, obj, change, **kwargs)
        problems = getattr(request, REQUEST_PROBLEMS, None)
        if not problems:
            return form_class

        class WithGuideProblems(form_class):
            def clean(self) -> dict[str, Any]:
                cleaned = super().clean()
                for problem in problems:
                    self.add_error(None, problem)
                return cleaned

        return WithGuideProblems

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        guide = request_guide(request)
        if guide is not None and "guide" in [f.name for f in self.opts.fields]:
            initial.setdefault("guide", guide.pk)
        return initial

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        readonly = list(super().get_readonly_fields(request, obj))
        # Moving a part to another guide would leave references pointing across guides.
        if obj is not None and "guide" in [f.name for f in self.opts.fields]:
            readonly.append("guide")
        return readonly

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        limit_to_guide(db_field, request_guide(request), kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        # Few options (a guide's outcomes): tick boxes, not a Ctrl-click list.
        limit_to_guide(db_field, request_guide(request), kwargs)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return markdown_aware(field, db_field, request)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if request.method == "GET" and self.current_guide(request, None) is None:
            return pick_guide(self, request)
        return super().add_view(request, form_url, extra_context)

    def response_add(self, request: HttpRequest, obj: models.Model, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        guide = self.guide_of(obj)
        if "_addanother" in request.POST and guide is not None and response.status_code == 302:
            # The next one is for the same guide: don't ask which again.
            url = response["Location"]
            response["Location"] = f"{url}{'&' if '?' in url else '?'}{GUIDE_PARAM}={guide.pk}"
        return response

    # Saving ------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except GuideInvalid as exc:
            problems = [f"This change would break the guide: {m}" for m in exc.messages]
        except (ProtectedError, RestrictedError) as exc:
            problems = [deletion_problem(exc)]
        except IntegrityError:
            problems = ["This clashes with another row (a slug or an answer used twice)."]
        # Everything was rolled back; show the same form again with the problems.
        setattr(request, REQUEST_PROBLEMS, problems)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        guide = self.guide_of(form.instance)
        if guide is not None:
            record_edit(
                guide,
                user=request.user,
                note=change_note(self, request, form, formsets, not change),
            )

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except GuideInvalid as exc:
            message = "Not deleted: the guide would break: " + "; ".join(exc.messages)
        except (ProtectedError, RestrictedError) as exc:
            message = "Not deleted: " + deletion_problem(exc)
        self.message_user(request, message, messages.ERROR)
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id]
        )
        return HttpResponseRedirect(url)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        guide = self.guide_of(obj)
        label = f"{self.opts.verbose_name} {quoted(obj)}"
        super().delete_model(request, obj)
        if guide is not None:
            record_edit(guide, user=request.user, note=f"Deleted {label}")

    def get_actions(self, request: HttpRequest):
        # Deleting many rows at once can't be checked one guide at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # Links -----------------------------------------------------------------------

    @admin.display(description="guide", ordering="guide__title")
    def guide_link(self, obj: models.Model) -> str:
        guide = self.guide_of(obj)
        if guide is None:
            return "-"
        url = reverse("admin:guides_guide_change", args=[guide.pk])
        return format_html('<a href="{}">{}</a>', url, guide.slug)


def deletion_problem(exc: ProtectedError | RestrictedError) -> str:
    objects = getattr(exc, "restricted_objects", None) or getattr(exc, "protected_objects", ())
    names = ", ".join(sorted({f"{o._meta.verbose_name} {quoted(o)}" for o in objects})[:5])
    return f"it is still used by {names}; change those first."


def markdown_aware(
    formfield: forms.Field | None, db_field: models.Field, request: HttpRequest
) -> forms.Field | None:
    """Mark Markdown text areas for the preview button (guide-admin.js)."""
    if formfield is not None and str(db_field.help_text).startswith(MARKDOWN_HELP):
        attrs = formfield.widget.attrs
        attrs["data-markdown-preview"] = reverse("admin:guides_guide_markdown_preview")
        guide = request_guide(request)
        if guide is not None:
            attrs["data-guide"] = str(guide.pk)
    return formfield


def pick_guide(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Adding a part needs its guide first (it limits every other select)."""
    guides = Guide.objects.order_by("title")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Add {model_admin.opts.verbose_name}: which guide?",
        "opts": model_admin.opts,
        "guides": guides,
        "param": GUIDE_PARAM,
    }
    return TemplateResponse(request, "admin/guides/pick_guide.html", context)


class GuideInlineMixin:
    """Inlines offer only rows of the page's guide in their selects."""

    extra = 0

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        limit_to_guide(db_field, request_guide(request), kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        widget = getattr(field, "widget", None)
        if widget is not None and hasattr(widget, "can_delete_related"):
            # Small rows pick from the guide's parts; editing those happens on their own pages.
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = False
        return markdown_aware(field, db_field, request)


class GuideBoundInline(GuideInlineMixin):
    """Inlines whose form takes the guide (to list only its choices)."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs):
        guide = request_guide(request)
        kwargs["form"] = with_guide(self.form, guide.pk if guide else None)
        return super().get_formset(request, obj, **kwargs)  # type: ignore[misc]


# ---------------------------------------------------------------------------
# Inlines


class OutcomeInline(GuideInlineMixin, admin.StackedInline):
    """On the add page only: a new guide needs at least one outcome to be valid."""

    model = Outcome
    min_num = 1
    exclude = ["next_pages"]


class GuideItemInline(GuideInlineMixin, admin.TabularInline):
    model = GuideItem
    fields = ["kind", "text", "order"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class OutcomeNextPageInline(GuideInlineMixin, admin.TabularInline):
    model = OutcomeNextPage
    verbose_name = "next page"
    verbose_name_plural = "next pages (suggested after this recommendation, in order)"


class RatingInline(GuideInlineMixin, admin.TabularInline):
    model = Rating
    fields = ["outcome", "label", "level", "order"]


class ScenarioAnswerInline(GuideBoundInline, admin.TabularInline):
    model = ScenarioAnswer
    form = ScenarioAnswerForm
    verbose_name = "answer"
    verbose_name_plural = "answer profile (visitors who answer like this resemble the example)"


class ChoiceInline(GuideInlineMixin, admin.StackedInline):
    model = Choice
    form = ChoiceForm
    fk_name = "question"
    min_num = 2  # a question offers at least two answers
    show_change_link = True

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("points")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs):
        guide = request_guide(request)
        outcomes = list(Outcome.objects.filter(guide=guide)) if guide else []
        self.form = choice_form_for(outcomes)
        return super().get_formset(request, obj, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        return choice_fieldsets(request_guide(request), [])


def choice_fieldsets(guide: Guide | None, first: list[str]) -> list[tuple[str | None, dict]]:
    """A choice's fields, with one points field per outcome of its guide on one line."""
    outcomes = list(Outcome.objects.filter(guide=guide)) if guide else []
    points = points_fields(choice_form_for(outcomes))
    effect: list[Any] = [tuple(points), "route", "unsure"] if points else ["route", "unsure"]
    return [
        (None, {"fields": [*first, ("slug", "order"), "label", "hint", "reason"]}),
        ("What picking it does", {"fields": effect}),
    ]


# ---------------------------------------------------------------------------
# Conditions: one inline for the clauses of whatever owns the condition


def condition_relation(owner: type[models.Model]) -> str:
    """The owner's `GenericRelation` to its clauses (`show_clauses`, `clauses`)."""
    return next(
        field.name
        for field in owner._meta.private_fields
        if isinstance(field, GenericRelation) and field.related_model is Clause
    )


class ConditionFormSet(BaseGenericInlineFormSet):
    """Named after the owner's relation, so the fields read `show_clauses-0-question`
    (not `guides-clause-content_type-object_id-0-question`) whatever owns them."""

    relation = ""

    @classmethod
    def get_default_prefix(cls) -> str:
        return cls.relation or super().get_default_prefix()


class ConditionInline(GuideBoundInline, GenericTabularInline):
    """The clauses of the condition of the page's question, gate or note."""

    model = Clause
    form = ClauseForm
    formset = ConditionFormSet
    fields = ["group", "question", "answers", "order"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("clause_choices")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.relation = condition_relation(self.parent_model)  # a class made per call
        return formset


class QuestionConditionInline(ConditionInline):
    verbose_name = "show-if clause"
    verbose_name_plural = (
        "show this question only when (no clauses: always; 'all' clauses must all hold, "
        "and at least one 'any' clause if there are some; only earlier questions count)"
    )


class GateConditionInline(ConditionInline):
    verbose_name = "clause"
    verbose_name_plural = "the outcome can be recommended only when"


class NoteConditionInline(ConditionInline):
    verbose_name = "clause"
    verbose_name_plural = "show the note on the result when"


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
            (
                "Guide page texts",
                {
                    "fields": [
                        "intro",
                        "right_page",
                        "wrong_page",
                        "start_elsewhere",
                        "shortcut",
                        "decision_criteria",
                        "snapshot",
                    ]
                },
            ),
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "Versions",
                    {"fields": ["is_published", "version", "published_number", "updated"]},
                )
            )
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        readonly = ["is_published", "version", "published_number", "created", "updated"]
        if obj is not None:
            readonly.append("slug")  # shared links and results name it
        return readonly

    def get_inlines(self, request: HttpRequest, obj: Any):
        return [GuideItemInline] if obj is not None else [OutcomeInline, GuideItemInline]

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
        record_edit(
            guide, user=request.user, note=change_note(self, request, form, formsets, not change)
        )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        admin.ModelAdmin.delete_model(self, request, obj)

    def get_urls(self):
        def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            return self.admin_site.admin_view(partial(view, model_admin=self))

        info = "guides_guide"
        custom = [
            path("import/", wrap(admin_views.import_view), name=f"{info}_import"),
            path(
                "markdown-preview/",
                wrap(admin_views.markdown_preview),
                name=f"{info}_markdown_preview",
            ),
            path(
                "<path:object_id>/ratings/", wrap(admin_views.ratings_view), name=f"{info}_ratings"
            ),
            path("<path:object_id>/checks/", wrap(admin_views.checks_view), name=f"{info}_checks"),
            path(
                "<path:object_id>/publish/", wrap(admin_views.publish_view), name=f"{info}_publish"
            ),
            path(
                "<path:object_id>/unpublish/",
                wrap(admin_views.unpublish_view),
                name=f"{info}_unpublish",
            ),
            path(
                "<path:object_id>/history/<int:number>/",
                wrap(admin_views.version_view),
                name=f"{info}_version",
            ),
            path(
                "<path:object_id>/history/<int:number>/revert/",
                wrap(admin_views.revert_view),
                name=f"{info}_revert",
            ),
            path("<path:object_id>/export/", wrap(admin_views.export_view), name=f"{info}_export"),
            path("<path:object_id>/try/", wrap(admin_views.try_view), name=f"{info}_try"),
            path(
                "<path:object_id>/analytics/",
                wrap(admin_views.analytics_view),
                name=f"{info}_analytics",
            ),
        ]
        return custom + super().get_urls()

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        return admin_views.history_view(request, object_id, model_admin=self)

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        guide = self.get_object(request, unquote(object_id))
        # The panel (checks, status, links) is for reading: skip it on a save.
        if guide is not None and request.method == "GET":
            extra.update(admin_views.guide_panel_context(self, request, guide))
        return super().change_view(request, object_id, form_url, extra)

    @admin.display(description="visitors see", ordering="is_published")
    def status(self, obj: Guide) -> str:
        if obj.published_version_id is None:
            return "nothing (never published)"
        if not obj.is_published:
            return "nothing (unpublished)"
        return f"version {obj.published_version.version}"

    @admin.display(description="published version")
    def published_number(self, obj: Guide) -> str:
        if obj.published_version_id is None:
            return "-"
        number = obj.published_version.version
        if number != obj.version:
            return f"{number} (the draft, version {obj.version}, has unpublished changes)"
        return f"{number} (same as the draft)"


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

    @admin.display(description="published", boolean=True)
    def is_live(self, obj: GuideVersion) -> bool:
        return obj.guide.published_version_id == obj.pk

    @admin.display(description="content")
    def history_link(self, obj: GuideVersion) -> str:
        url = reverse("admin:guides_guide_version", args=[obj.guide_id, obj.version])
        return format_html('<a href="{}">Content, differences and restore</a>', url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# ---------------------------------------------------------------------------
# Parts of a guide


class GuidePartAdmin(GuideContentAdmin):
    list_filter = ["guide"]
    list_select_related = ["guide"]
    ordering = ["guide__title", "order"]


@admin.register(Outcome)
class OutcomeAdmin(GuidePartAdmin):
    list_display = ["name", "slug", "guide_link", "is_default", "order"]
    search_fields = ["name", "slug", "tagline"]
    exclude = ["next_pages"]
    inlines = [OutcomeNextPageInline]

    @admin.display(description="default", boolean=True)
    def is_default(self, obj: Outcome) -> bool:
        return obj.guide.default_outcome_id == obj.pk


@admin.register(LinkedPage)
class LinkedPageAdmin(GuidePartAdmin):
    list_display = ["title", "slug", "guide_link", "url", "order"]
    search_fields = ["title", "slug", "summary", "url", "body"]
    fieldsets = [
        (None, {"fields": ["guide", ("slug", "order"), "title", "url"]}),
        ("Where it appears", {"fields": ["summary", "when"]}),
        ("The page on this site", {"fields": ["body"]}),
    ]


@admin.register(Criterion)
class CriterionAdmin(GuidePartAdmin):
    list_display = ["name", "slug", "guide_link", "order", "grid_link"]
    search_fields = ["name", "slug", "description"]
    inlines = [RatingInline]

    @admin.display(description="ratings")
    def grid_link(self, obj: Criterion) -> str:
        url = reverse("admin:guides_guide_ratings", args=[obj.guide_id])
        return format_html('<a href="{}">Edit all ratings as a grid</a>', url)


@admin.register(Scenario)
class ScenarioAdmin(GuidePartAdmin):
    list_display = ["title", "slug", "outcome", "guide_link", "order", "check_result"]
    list_select_related = ["guide", "outcome"]
    list_filter = ["guide", "outcome"]
    search_fields = ["title", "slug", "description"]
    inlines = [ScenarioAnswerInline]

    @admin.display(description="check (draft)")
    def check_result(self, obj: Scenario) -> str:
        return admin_views.scenario_status(obj.guide, obj.slug)


@admin.register(GuideItem)
class GuideItemAdmin(GuidePartAdmin):
    list_display = ["text", "kind", "guide_link", "order"]
    list_filter = ["guide", "kind"]
    search_fields = ["text"]
    ordering = ["guide__title", "kind", "order"]


@admin.register(Question)
class QuestionAdmin(GuidePartAdmin):
    list_display = ["prompt", "slug", "guide_link", "order", "choice_count", "shown_when"]
    search_fields = ["prompt", "slug", "short", "hint"]
    inlines = [ChoiceInline, QuestionConditionInline]
    fieldsets = [
        (None, {"fields": ["guide", ("slug", "order"), "prompt", "short", "hint"]}),
        (
            "Text box (optional)",
            {
                "fields": [
                    "free_text_choice",
                    "free_text_label",
                    "free_text_hint",
                    "free_text_max_length",
                ]
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

    @admin.display(description="choices", ordering="choices_total")
    def choice_count(self, obj: Question) -> int:
        return obj.choices_total  # type: ignore[attr-defined]

    @admin.display(description="shown when")
    def shown_when(self, obj: Question) -> str:
        guide = obj.guide
        try:
            doc = guide.draft_version().as_document()
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


@admin.register(Gate)
class GateAdmin(GuidePartAdmin):
    list_display = ["__str__", "outcome", "guide_link", "condition", "order"]
    list_select_related = ["guide", "outcome"]
    search_fields = ["reason", "outcome__name"]
    inlines = [GateConditionInline]

    @admin.display(description="unless")
    def condition(self, obj: Gate) -> str:
        return "; ".join(str(clause) for clause in obj.clauses.select_related("question"))


@admin.register(Note)
class NoteAdmin(GuidePartAdmin):
    list_display = ["title", "slug", "guide_link", "condition", "sides", "order"]
    search_fields = ["title", "slug", "text"]
    inlines = [NoteConditionInline]
    fieldsets = [
        (None, {"fields": ["guide", ("slug", "order"), "title", "text"]}),
        (
            "Which recommendations it belongs with",
            {
                "fields": ["shown_with", "argues_against", "argues_for"],
                "description": "The guide's checks try every possible set of answers and "
                "refuse to publish while any would show this note beside a recommendation "
                "it argues against.",
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("argues_against", "argues_for")

    @admin.display(description="argues")
    def sides(self, obj: Note) -> str:
        against = ", ".join(o.name for o in obj.argues_against.all())
        for_ = ", ".join(o.name for o in obj.argues_for.all())
        parts = ([f"against {against}"] if against else []) + ([f"for {for_}"] if for_ else [])
        return "; ".join(parts) or "neither side"

    @admin.display(description="shown when")
    def condition(self, obj: Note) -> str:
        return "; ".join(str(clause) for clause in obj.clauses.select_related("question"))
