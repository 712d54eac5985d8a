"""The Translations page of a guide, per language, and its PO file out and back in.

Admin pages (bound by `editor.admin_urls`, wrapped by `admin_site.admin_view`: staff
only, CSRF-checked); each checks its own permission: viewing the guide to read and
export, changing it to save and import. Logic lives in `sheet`, `po` and `saving`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from decisionguide.content.models import Guide
from decisionguide.decision.document import DocumentError
from decisionguide.decision.translations import LanguageStatus, language_status
from decisionguide.languages import language_name
from decisionguide.publishing.admin_pages import get_guide, page, require
from decisionguide.publishing.concurrency import StaleDraft
from decisionguide.publishing.drafts import GuideInvalid
from decisionguide.publishing.feedback import report_scenarios
from decisionguide.publishing.merging import page_version
from decisionguide.translating import po
from decisionguide.translating.saving import (
    PoRefused,
    TranslationRefused,
    change_note,
    draft_data,
    import_file,
    language_in_sentence,
    page_data,
    save_changes,
    target_languages,
)
from decisionguide.translating.sheet import FILTERS, TextRow, posted_changes, rows, shown

TEXT_PREFIX = "t:"  # a text's field: "t:" + its path
CONFIRM_FIELD = "still_correct"  # ticked: the path of an out-of-date text still correct
PER_PAGE = 150  # texts per page: two fields each, well under Django's 1,000 fields a post


def url(name: str, guide: Guide, language: str, **query: Any) -> str:
    found = reverse(f"admin:guides_guide_{name}", args=[guide.pk, language])
    query = {k: v for k, v in query.items() if v not in ("", None, "all", 1)}
    return f"{found}?{urlencode(query)}" if query else found


def checked_language(language: str) -> str:
    if language not in target_languages():
        raise Http404(_("No such language"))
    return language


@dataclass(frozen=True)
class Field:
    """A row as the form shows it: what is typed, ticked, and what is wrong with it."""

    row: TextRow
    value: str
    confirmed: bool
    problem: str
    number: int  # its place on the page: ids stay short and valid whatever the path


class PoUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("PO file"),
        help_text=gettext_lazy(
            "A file exported from this page, translated in any PO editor. Only the texts "
            "it changes are saved, as one new draft version; nothing is saved if any entry is "
            "wrong. An entry still marked fuzzy stays out of date."
        ),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > po.PO_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(bytes)s bytes).") % {"bytes": po.PO_MAX_BYTES}
            )
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None


def status_line(status: LanguageStatus) -> str:
    """ "257 texts: 250 translated, 5 missing, 2 out of date." """
    missing, out_of_date = len(status.missing), len(status.out_of_date)
    return _("%(texts)s: %(translated)s, %(missing)s, %(out_of_date)s.") % {
        "texts": ngettext("%(count)s text", "%(count)s texts", status.total)
        % {"count": status.total},
        "translated": ngettext("%(count)s translated", "%(count)s translated", status.translated)
        % {"count": status.translated},
        "missing": ngettext("%(count)s missing", "%(count)s missing", missing) % {"count": missing},
        "out_of_date": ngettext("%(count)s out of date", "%(count)s out of date", out_of_date)
        % {"count": out_of_date},
    }


def _number(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else 1


@require_http_methods(["GET", "POST"])
def translations_view(
    request: HttpRequest, object_id: str, language: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    language = checked_language(language)
    params = request.POST if request.method == "POST" else request.GET
    which = params.get("show", "all")
    which = which if which in dict(FILTERS) else "all"
    number = _number(params.get("page", "1"))
    problems: dict[str, str] = {}
    stale: StaleDraft | None = None
    try:
        data = page_data(request, guide) if request.method == "POST" else draft_data(guide)
    except DocumentError as exc:
        messages.error(
            request,
            _("The draft can't be translated until it is a whole guide: %(problem)s")
            % {"problem": exc},
        )
        return HttpResponseRedirect(reverse("admin:guides_guide_change", args=[guide.pk]))
    posted = {
        k.removeprefix(TEXT_PREFIX): v for k, v in request.POST.items() if k.startswith(TEXT_PREFIX)
    }
    confirmed = set(request.POST.getlist(CONFIRM_FIELD))
    if request.method == "POST":
        require(model_admin.has_change_permission(request, guide))
        changes = posted_changes(data, language, posted, confirmed)
        try:
            saved = save_changes(request, guide, language, changes)
        except StaleDraft as exc:
            stale = exc
        except TranslationRefused as exc:
            problems = exc.problems
        except GuideInvalid as exc:
            problems = {"": _("; ").join(str(m) for m in exc.messages)}
        else:
            if saved:
                model_admin.log_change(request, guide, change_note(saved, language))
                messages.success(
                    request, _("Saved: %(note)s.") % {"note": change_note(saved, language)}
                )
                report_scenarios(request, guide)
            else:
                messages.info(request, _("Nothing changed, so nothing was saved."))
            return HttpResponseRedirect(
                url("translations", guide, language, show=which, page=number)
            )
    all_rows = rows(data, language)
    listed = shown(all_rows, which)
    on_page = Paginator(listed, PER_PAGE).get_page(number)  # a page past the end: the last
    return translations_page(
        model_admin,
        request,
        guide,
        language,
        data,
        fields=[
            Field(
                row,
                posted.get(row.path, row.translation)
                if request.method == "POST"
                else row.translation,
                row.path in confirmed,
                problems.get(row.path, ""),
                i,
            )
            for i, row in enumerate(on_page, start=1)
        ],
        which=which,
        page_number=on_page.number,
        pages=on_page.paginator.num_pages,
        problems=problems,
        stale_draft=stale,
        draft_version=page_version(request, stale, guide.version),
    )


def translations_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    guide: Guide,
    language: str,
    data: dict[str, Any],
    **context: Any,
) -> HttpResponse:
    status = language_status(data, language)
    which = context.setdefault("which", "all")
    counts = {"all": status.total, "missing": len(status.missing)}
    counts["out_of_date"] = len(status.out_of_date)
    page_number, pages = context.setdefault("page_number", 1), context.setdefault("pages", 1)
    context.setdefault("fields", [])
    context.setdefault("draft_version", guide.version)
    return page(
        model_admin,
        request,
        "admin/guides/guide/translations.html",
        _("%(language)s translation: %(title)s")
        % {"language": language_in_sentence(language), "title": guide.title},
        guide,
        language=language,
        language_name=language_name(language),
        language_in_sentence=language_in_sentence(language),
        status=status,
        status_line=status_line(status),
        filters=[
            (name, counts[key], url("translations", guide, language, show=key), key == which)
            for key, name in FILTERS
        ],
        previous_url=(
            url("translations", guide, language, show=which, page=page_number - 1)
            if page_number > 1
            else ""
        ),
        next_url=(
            url("translations", guide, language, show=which, page=page_number + 1)
            if page_number < pages
            else ""
        ),
        export_url=url("translations_export", guide, language),
        import_url=url("translations_import", guide, language),
        upload_form=context.pop("upload_form", None) or PoUploadForm(),
        **context,
    )


@require_safe
def export_view(
    request: HttpRequest, object_id: str, language: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    language = checked_language(language)
    try:
        text = po.export_po(draft_data(guide), language, project=guide.slug)
    except DocumentError as exc:
        messages.error(request, _("The draft can't be exported: %(problem)s") % {"problem": exc})
        return HttpResponseRedirect(url("translations", guide, language))
    response = HttpResponse(text, content_type="text/x-gettext-translation; charset=utf-8")
    name = f"{guide.slug}-v{guide.version}-{language}.po"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def import_view(
    request: HttpRequest, object_id: str, language: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    guide = get_guide(model_admin, request, object_id)
    language = checked_language(language)
    require(model_admin.has_change_permission(request, guide))
    form = PoUploadForm(request.POST, request.FILES)
    import_problems: list[str] = []
    if form.is_valid():
        try:
            saved = import_file(request, guide, language, form.cleaned_data["file"])
        except StaleDraft as exc:
            import_problems = [
                str(exc),  # "Not saved: …", then what to do about it
                _("Reload this page to see their changes, then import the file again."),
                *(_("Saved since: %(change)s") % {"change": change} for change in exc.changes),
            ]
        except PoRefused as exc:
            import_problems = exc.problems
        else:
            name = request.FILES["file"].name
            if saved:
                note = change_note(saved, language)
                model_admin.log_change(
                    request, guide, _("%(note)s from %(file)s.") % {"note": note, "file": name}
                )
                messages.success(
                    request, _("Imported %(file)s: %(note)s.") % {"file": name, "note": note}
                )
                report_scenarios(request, guide)
            else:
                messages.info(
                    request,
                    _("Imported %(file)s: it changes nothing, so nothing was saved.")
                    % {"file": name},
                )
            return HttpResponseRedirect(url("translations", guide, language))
    try:
        data = draft_data(guide)
    except DocumentError:
        data = {}
    return translations_page(
        model_admin,
        request,
        guide,
        language,
        data,
        upload_form=form,
        import_problems=import_problems,
    )
