"""What every page of the editor admin shares: the guide a page is about, selects that
offer only that guide's rows, and saves checked as a whole guide.

Every save or delete of any part of a guide is checked as a whole guide
(`publishing.record_edit`): if the rows would no longer make a valid guide,
the transaction is rolled back and the form is shown again with the
problems listed; otherwise the change is frozen as a new draft version, once
per save however many rows changed (`GuideContentAdmin`). Inlines offer only
rows of the page's guide (`GuideInlineMixin`).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from adminsortable2.admin import SortableAdminBase
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import flatten_fieldsets
from django.db import IntegrityError, models
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from decisionguide.content.models import (
    Choice,
    Guide,
    LinkedPage,
    Outcome,
    Question,
)
from decisionguide.content.ordering import ORDER, is_ordered, place_row, siblings_of
from decisionguide.editor.field_labels import name_table_rows
from decisionguide.editor.forms import (
    BoundedModelMultipleChoiceField,
    choices_of_guide,
    tidy_form_class,
    with_guide,
)
from decisionguide.languages import quoted
from decisionguide.publishing.concurrency import DRAFT_VERSION_FIELD, SAVE_OVER_FIELD, StaleDraft
from decisionguide.publishing.drafts import GuideInvalid
from decisionguide.publishing.feedback import report_scenarios
from decisionguide.publishing.merging import (
    claim_for_merge,
    page_version,
    record_merged_edit,
    show_saved_names,
)

MARKDOWN_HELP = "Markdown."
GUIDE_PARAM = "guide"
# Set on the request by the admin whose page is being built, read by its inlines.
REQUEST_GUIDE = "_decisionguide_guide"
REQUEST_PROBLEMS = "_decisionguide_problems"
REQUEST_STALE = "_decisionguide_stale"
# The guide a deleted row belonged to, for the message after the delete.
REQUEST_DELETED_FROM = "_decisionguide_deleted_from"
PLACE_HELP = _(
    "Its place among its siblings (0 is first). Typing the place of another moves that one, "
    "and those after it, down one; empty puts it last. Lists filtered to one guide can "
    "also be dragged."
)


class AdminAssets:
    css = {"all": ["admin-extra/guide-admin.css"]}
    js = ["admin-extra/guide-admin.js"]


# ---------------------------------------------------------------------------
# Which guide a page is about


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
    """What the admin log would say about this save, as the version's note (a stored
    record, like the log: in English whatever the editor's language)."""
    message = admin_obj.construct_change_message(request, form, formsets, add)
    with override(None):
        text = LogEntry(change_message=json.dumps(message)).get_change_message()
        action = "Added" if add else "Changed"
        note = f"{action} {admin_obj.opts.verbose_name} {quoted(form.instance)}"
    return f"{note}: {text}" if text and text != "No fields changed." else note


# ---------------------------------------------------------------------------
# The shared behaviour: validate as a whole guide, record one version per save


# What a new part's slug is made from, the first its form has.
SLUG_SOURCES = ("name", "title", "short", "label")


class GuideContentAdmin(SortableAdminBase, admin.ModelAdmin):
    """An admin for rows that belong to a guide (its inlines may be sortable: `admin_ordering`)."""

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
        if is_ordered(self.model):
            initial.setdefault(ORDER, "")  # a new part goes last unless given a place
        return initial

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict:
        """On an add page, the slug follows the name, title, short name or label as it is
        typed (until the slug is typed itself); a saved slug is named by links and results."""
        if obj is not None:
            return {}
        shown = set(flatten_fieldsets(self.get_fieldsets(request, obj)))
        source = next((name for name in SLUG_SOURCES if name in shown), None)
        return {"slug": (source,)} if "slug" in shown and source else {}

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
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        kwargs = {**tidy_form_class(db_field), **kwargs}
        if db_field.name == ORDER and is_ordered(self.model):
            kwargs.update(required=False, help_text=PLACE_HELP)
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return markdown_aware(field, db_field, request)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if request.method == "GET" and self.current_guide(request, None) is None:
            return pick_guide(self, request)
        return super().add_view(request, form_url, extra_context)

    def response_add(self, request: HttpRequest, obj: models.Model, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        guide = self.guide_of(obj)
        report_after_save(request, guide)
        if "_addanother" in request.POST and guide is not None and response.status_code == 302:
            # The next one is for the same guide: don't ask which again.
            url = response["Location"]
            response["Location"] = f"{url}{'&' if '?' in url else '?'}{GUIDE_PARAM}={guide.pk}"
        return response

    def response_change(self, request: HttpRequest, obj: models.Model):
        response = super().response_change(request, obj)
        report_after_save(request, self.guide_of(obj))
        return response

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: Any):
        response = super().response_delete(request, obj_display, obj_id)
        report_after_save(request, getattr(request, REQUEST_DELETED_FROM, None))
        return response

    # Saving ------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleDraft as exc:
            setattr(request, REQUEST_STALE, exc)
            # The box above the form says what changed and who changed it.
            problems = [_("Not saved: the draft changed after you opened this page (see above).")]
        except GuideInvalid as exc:
            broken = _("This change would break the guide: %(problem)s")
            problems = [broken % {"problem": m} for m in exc.messages]
        except (ProtectedError, RestrictedError) as exc:
            problems = [deletion_problem(exc)]
        except IntegrityError:
            problems = [_("This clashes with another row (a slug or an answer used twice).")]
        # Everything was rolled back; show the same form again with the problems.
        setattr(request, REQUEST_PROBLEMS, problems)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request: HttpRequest, context, *args, **kwargs):
        # The draft this page shows; a refused save keeps the version it was loaded
        # from, so pressing Save again can't overwrite the newer draft unknowingly.
        guide = request_guide(request)
        if guide is not None and guide.pk is not None:
            stale = getattr(request, REQUEST_STALE, None)
            context["draft_version"] = page_version(request, stale, guide.version)
            context["stale_draft"] = stale
            context["concurrency_fields"] = (DRAFT_VERSION_FIELD, SAVE_OVER_FIELD)
        if getattr(request, REQUEST_PROBLEMS, None):
            show_saved_names(context)
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: models.Model, form, change: bool) -> None:
        guide = self.guide_of(obj)
        if guide is not None and guide.pk is not None:
            # First, inside the admin's transaction: a page built on an older draft
            # is merged with the changes since (`settle_merge`), or refused.
            claim_for_merge(request, guide)
        placed = is_ordered(type(obj)) and (not change or ORDER in form.changed_data)
        if placed and getattr(obj, ORDER) is None:
            setattr(obj, ORDER, siblings_of(obj).count())  # last
        super().save_model(request, obj, form, change)
        if placed:
            # Exactly the place typed: the others move, so no two share it.
            place_row(obj, getattr(obj, ORDER))

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        guide = self.guide_of(form.instance)
        if guide is not None:
            record_merged_edit(
                request, guide, change_note(self, request, form, formsets, not change)
            )

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except StaleDraft as exc:
            message = _("Not deleted. %(summary)s Saved since: %(changes)s") % {
                "summary": exc.summary,
                "changes": " ".join(str(change) for change in exc.changes),
            }
        except GuideInvalid as exc:
            message = _("Not deleted: the guide would break: %(problems)s") % {
                "problems": "; ".join(str(m) for m in exc.messages)
            }
        except (ProtectedError, RestrictedError) as exc:
            message = _("Not deleted: %(problem)s") % {"problem": deletion_problem(exc)}
        self.message_user(request, message, messages.ERROR)
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id]
        )
        return HttpResponseRedirect(url)

    def render_delete_form(self, request: HttpRequest, context):
        guide = self.guide_of(context["object"])
        if guide is not None:
            context["draft_version"] = guide.version
        return super().render_delete_form(request, context)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        guide = self.guide_of(obj)
        with override(None):  # the version's note, in English as every note
            label = f"{self.opts.verbose_name} {quoted(obj)}"
        if guide is not None:
            claim_for_merge(request, guide)  # the confirmation was for this draft, or merged
        super().delete_model(request, obj)
        if guide is not None:
            record_merged_edit(request, guide, f"Deleted {label}")
            setattr(request, REQUEST_DELETED_FROM, guide)

    def get_actions(self, request: HttpRequest):
        # Deleting many rows at once can't be checked one guide at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # Links -----------------------------------------------------------------------

    @admin.display(description=_("guide"), ordering="guide__title")
    def guide_link(self, obj: models.Model) -> str:
        guide = self.guide_of(obj)
        if guide is None:
            return "-"
        url = reverse("admin:guides_guide_change", args=[guide.pk])
        return format_html('<a href="{}">{}</a>', url, guide.slug)


def report_after_save(request: HttpRequest, guide: Guide | None) -> None:
    """Say whether the guide's scenarios still pass (not in a popup: it closes at once)."""
    if IS_POPUP_VAR not in request.POST:
        report_scenarios(request, guide)


def deletion_problem(exc: ProtectedError | RestrictedError) -> str:
    objects = getattr(exc, "restricted_objects", None) or getattr(exc, "protected_objects", ())
    names = ", ".join(sorted({f"{o._meta.verbose_name} {quoted(o)}" for o in objects})[:5])
    return _("it is still used by %(rows)s; change those first.") % {"rows": names}


def markdown_aware(
    formfield: forms.Field | None, db_field: models.Field, request: HttpRequest
) -> forms.Field | None:
    """Mark Markdown text areas for the preview button (guide-admin.js)."""
    with override(None):  # the English help text, whatever the page's language
        markdown = str(db_field.help_text).startswith(MARKDOWN_HELP)
    if formfield is not None and markdown:
        attrs = formfield.widget.attrs
        attrs["data-markdown-preview"] = reverse("admin:guides_guide_markdown_preview")
        # The script's words (no inline script: the page's CSP), in the editor's language.
        attrs["data-preview-label"] = _("Preview")
        attrs["data-preview-failed"] = _("The preview could not be loaded.")
        guide = request_guide(request)
        if guide is not None:
            attrs["data-guide"] = str(guide.pk)
    return formfield


def pick_guide(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Adding a part needs its guide first (it limits every other select)."""
    guides = Guide.objects.order_by("title")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Add %(part)s: which guide?") % {"part": model_admin.opts.verbose_name},
        "opts": model_admin.opts,
        "guides": guides,
        "param": GUIDE_PARAM,
    }
    return TemplateResponse(request, "admin/guides/pick_guide.html", context)


class GuideInlineMixin:
    """Inlines offer only rows of the page's guide in their selects; in a table, every
    field of every row is named for screen readers (`field_labels`)."""

    extra = 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        return name_table_rows(self, formset)  # type: ignore[arg-type]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        limit_to_guide(db_field, request_guide(request), kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        kwargs = {**tidy_form_class(db_field), **kwargs}
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        widget = getattr(field, "widget", None)
        if widget is not None and hasattr(widget, "can_delete_related"):
            # Small rows pick from the guide's parts; editing those happens on their own pages.
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return markdown_aware(field, db_field, request)


class GuideBoundInline(GuideInlineMixin):
    """Inlines whose form takes the guide (to list only its choices)."""

    def form_arguments(self, obj: Any) -> dict[str, Any]:
        """More arguments for the form, from the page's object (the inline's parent)."""
        return {}

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs):
        guide = request_guide(request)
        guide_id = guide.pk if guide else None
        kwargs["form"] = with_guide(self.form, guide_id, **self.form_arguments(obj))
        return super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
