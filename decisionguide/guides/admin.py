"""Basic admin registration for every guide model.

A plain, complete view of the rows; the editor-friendly admin (editing a
whole guide on one page, bumping the version on save) comes later. Frozen
guide versions are read-only here.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from decisionguide.guides.models import (
    Choice,
    ChoicePoints,
    Criterion,
    Gate,
    GateClause,
    GateClauseChoice,
    Guide,
    GuideItem,
    GuideVersion,
    LinkedPage,
    Note,
    NoteClause,
    NoteClauseChoice,
    Outcome,
    OutcomeNextPage,
    Question,
    QuestionShowClause,
    QuestionShowClauseChoice,
    Rating,
    Scenario,
    ScenarioAnswer,
)

# --- Inlines ---------------------------------------------------------------


class GuideItemInline(admin.TabularInline):
    model = GuideItem
    extra = 0
    fields = ["kind", "text", "order"]


class OutcomeNextPageInline(admin.TabularInline):
    model = OutcomeNextPage
    extra = 0


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0


class ScenarioAnswerInline(admin.TabularInline):
    model = ScenarioAnswer
    extra = 0


class ChoiceInline(admin.StackedInline):
    model = Choice
    extra = 0
    show_change_link = True


class ChoicePointsInline(admin.TabularInline):
    model = ChoicePoints
    extra = 0


class QuestionShowClauseInline(admin.TabularInline):
    model = QuestionShowClause
    fk_name = "shown"
    extra = 0
    show_change_link = True


class GateClauseInline(admin.TabularInline):
    model = GateClause
    extra = 0
    show_change_link = True


class NoteClauseInline(admin.TabularInline):
    model = NoteClause
    extra = 0
    show_change_link = True


class QuestionShowClauseChoiceInline(admin.TabularInline):
    model = QuestionShowClauseChoice
    extra = 0


class GateClauseChoiceInline(admin.TabularInline):
    model = GateClauseChoice
    extra = 0


class NoteClauseChoiceInline(admin.TabularInline):
    model = NoteClauseChoice
    extra = 0


# --- Guides and versions ---------------------------------------------------


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "version", "is_published", "updated"]
    list_filter = ["is_published"]
    search_fields = ["title", "slug", "summary"]
    ordering = ["title"]
    readonly_fields = ["version", "created", "updated"]
    inlines = [GuideItemInline]


@admin.register(GuideVersion)
class GuideVersionAdmin(admin.ModelAdmin):
    list_display = ["guide", "version", "created"]
    list_filter = ["guide"]
    search_fields = ["guide__title", "guide__slug"]
    ordering = ["guide__title", "-version"]
    list_select_related = ["guide"]

    # Results point at these snapshots: they are never edited or deleted here.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# --- Guide parts -------------------------------------------------------------


class GuidePartAdmin(admin.ModelAdmin):
    """Shared defaults for rows that belong to one guide."""

    list_filter = ["guide"]
    list_select_related = ["guide"]
    ordering = ["guide__title", "order"]


@admin.register(Outcome)
class OutcomeAdmin(GuidePartAdmin):
    list_display = ["name", "slug", "guide", "order"]
    search_fields = ["name", "slug", "tagline"]
    inlines = [OutcomeNextPageInline]


@admin.register(LinkedPage)
class LinkedPageAdmin(GuidePartAdmin):
    list_display = ["title", "slug", "guide", "url", "order"]
    search_fields = ["title", "slug", "summary", "url"]


@admin.register(Criterion)
class CriterionAdmin(GuidePartAdmin):
    list_display = ["name", "slug", "guide", "order"]
    search_fields = ["name", "slug", "description"]
    inlines = [RatingInline]


@admin.register(Scenario)
class ScenarioAdmin(GuidePartAdmin):
    list_display = ["title", "slug", "outcome", "guide", "order"]
    list_select_related = ["guide", "outcome"]
    search_fields = ["title", "slug", "description"]
    inlines = [ScenarioAnswerInline]


@admin.register(GuideItem)
class GuideItemAdmin(GuidePartAdmin):
    list_display = ["text", "kind", "guide", "order"]
    list_filter = ["guide", "kind"]
    search_fields = ["text"]
    ordering = ["guide__title", "kind", "order"]


@admin.register(Question)
class QuestionAdmin(GuidePartAdmin):
    list_display = ["prompt", "slug", "guide", "order"]
    search_fields = ["prompt", "slug", "short", "hint"]
    inlines = [ChoiceInline, QuestionShowClauseInline]


@admin.register(Gate)
class GateAdmin(GuidePartAdmin):
    list_display = ["outcome", "guide", "order"]
    list_select_related = ["guide", "outcome"]
    search_fields = ["reason", "outcome__name"]
    inlines = [GateClauseInline]


@admin.register(Note)
class NoteAdmin(GuidePartAdmin):
    list_display = ["title", "slug", "guide", "order"]
    search_fields = ["title", "slug", "text"]
    inlines = [NoteClauseInline]


# --- Rows of rows --------------------------------------------------------------


@admin.register(Choice)
class ChoiceAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "question", "route", "unsure", "order"]
    list_filter = ["question__guide", "unsure"]
    list_select_related = ["question", "route"]
    search_fields = ["label", "slug", "question__prompt"]
    ordering = ["question__guide__title", "question__order", "order"]
    inlines = [ChoicePointsInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["criterion", "outcome", "label", "level"]
    list_filter = ["criterion__guide", "level"]
    list_select_related = ["criterion", "outcome"]
    search_fields = ["label", "criterion__name", "outcome__name"]
    ordering = ["criterion__guide__title", "criterion__order", "order"]


@admin.register(ChoicePoints)
class ChoicePointsAdmin(admin.ModelAdmin):
    list_display = ["choice", "outcome", "points"]
    list_filter = ["outcome__guide"]
    list_select_related = ["choice", "outcome"]
    search_fields = ["choice__label", "choice__slug", "outcome__name"]
    ordering = ["choice__question__guide__title", "choice__question__order", "choice__order"]


@admin.register(ScenarioAnswer)
class ScenarioAnswerAdmin(admin.ModelAdmin):
    list_display = ["scenario", "question", "choice"]
    list_filter = ["scenario__guide"]
    list_select_related = ["scenario", "question", "choice"]
    search_fields = ["scenario__title", "question__slug", "choice__slug"]
    ordering = ["scenario__guide__title", "scenario__order", "order"]


@admin.register(OutcomeNextPage)
class OutcomeNextPageAdmin(admin.ModelAdmin):
    list_display = ["outcome", "page", "order"]
    list_filter = ["outcome__guide"]
    list_select_related = ["outcome", "page"]
    search_fields = ["outcome__name", "page__title"]
    ordering = ["outcome__guide__title", "outcome__order", "order"]


class ClauseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "group", "question", "order"]
    list_filter = ["group"]
    list_select_related = ["question"]
    search_fields = ["question__slug", "question__prompt"]


@admin.register(QuestionShowClause)
class QuestionShowClauseAdmin(ClauseAdmin):
    list_display = ["__str__", "shown", "group", "question", "order"]
    list_select_related = ["question", "shown"]
    ordering = ["shown__guide__title", "shown__order", "order"]
    inlines = [QuestionShowClauseChoiceInline]


@admin.register(GateClause)
class GateClauseAdmin(ClauseAdmin):
    list_display = ["__str__", "gate", "group", "question", "order"]
    list_select_related = ["question", "gate__outcome"]
    ordering = ["gate__guide__title", "gate__order", "order"]
    inlines = [GateClauseChoiceInline]


@admin.register(NoteClause)
class NoteClauseAdmin(ClauseAdmin):
    list_display = ["__str__", "note", "group", "question", "order"]
    list_select_related = ["question", "note"]
    ordering = ["note__guide__title", "note__order", "order"]
    inlines = [NoteClauseChoiceInline]


class ClauseChoiceAdmin(admin.ModelAdmin):
    list_display = ["clause", "choice", "order"]
    list_select_related = ["choice"]
    search_fields = ["choice__slug", "choice__label"]
    ordering = ["clause", "order"]


admin.site.register(QuestionShowClauseChoice, ClauseChoiceAdmin)
admin.site.register(GateClauseChoice, ClauseChoiceAdmin)
admin.site.register(NoteClauseChoice, ClauseChoiceAdmin)
