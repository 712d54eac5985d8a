"""Drag-and-drop order of a guide's parts (django-admin-sortable2), and never a tie.

- Inlines (`OrderedInline`): choices, clauses, answers, items, next pages and
  ratings are dragged by their heading, or moved with the Move up / Move down
  buttons (keyboard and screen reader users; guide-admin.js). Either way the
  page numbers the hidden place fields 1, 2, 3, ... and the form is saved as
  any other, draft claim included. A post that gives two saved rows one place
  is refused with a message (`UniquePlacesMixin`).
- Lists (`SortablePartList`): a list filtered to one guide (and, for guide
  items, one kind) gets drag handles. sortable2's script posts the moved rows
  to `update_order` with the draft version the list was shown with (in the URL
  the script posts to). A list shown before others' saves merges with them
  like any save (`publishing.merging`): the moved rows swap among the places
  they hold now, and only a change to the same list's order since is refused
  (409, plain text the script shows). guide-admin.js then reloads the list.
  Without a mouse, a part's place is the number field on its own page.

After every save `publishing.record_edit` numbers each group 0, 1, 2, ...
(`content.ordering`), so places stay unique whatever was posted.
"""

from __future__ import annotations

import json
from operator import itemgetter
from typing import Any

from adminsortable2.admin import (
    CustomGenericInlineFormSet,
    CustomInlineFormSet,
    SortableAdminMixin,
    SortableInlineAdminMixin,
)
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from decisionguide.content.models import Guide
from decisionguide.content.ordering import ORDER, in_place_order, sibling_key, siblings_of
from decisionguide.languages import quoted
from decisionguide.publishing.concurrency import StaleDraft, number_in
from decisionguide.publishing.drafts import GuideInvalid
from decisionguide.publishing.feedback import report_scenarios
from decisionguide.publishing.merging import claim_for_merge, merged_note, record_merged_edit

# More moved rows than any guide has (300 questions at most): refuse the rest unread.
MOST_MOVES = 1000
MOST_BODY_BYTES = 64 * 1024
GUIDE_FILTER = "guide__id__exact"
RELOAD_LIST = _("Reload the list to see the order as it is now, then drag again.")


# ---------------------------------------------------------------------------
# Inlines


class UniquePlacesMixin:
    """Refuses a post that gives two saved rows the same place.

    The page's script numbers the rows 1, 2, 3, ... so only a crafted post (or a
    broken script) gets here; the editor is told instead of a silent tie-break.
    New rows carry no place and go last (sortable2's `save_new`).
    """

    def clean(self) -> None:
        super().clean()  # type: ignore[misc]
        seen: dict[tuple[object, ...], Any] = {}
        for form in self.initial_forms:  # type: ignore[attr-defined]
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):  # type: ignore[attr-defined]
                continue
            place = form.cleaned_data.get(ORDER)
            if place is None:
                continue
            # Siblings only: a guide's three kinds of items are numbered apart.
            key = (*sibling_key(form.instance), place)
            if key in seen:
                raise ValidationError(
                    _(
                        "“%(first)s” and “%(second)s” were both given place %(place)s. Give "
                        "each its own place: drag them, or use Move up and Move down."
                    )
                    % {"first": seen[key], "second": form.instance, "place": place}
                )
            seen[key] = form.instance


class OrderedInlineFormSet(UniquePlacesMixin, CustomInlineFormSet):
    pass


class OrderedGenericInlineFormSet(UniquePlacesMixin, CustomGenericInlineFormSet):
    pass


class OrderedInline(SortableInlineAdminMixin):
    """An inline whose rows are dragged or moved into order (see the module doc).

    Rendered by one template for every such inline: each row a card with its
    fields labelled, a drag handle (its heading) and Move up / Move down buttons.
    """

    template = "admin/guides/edit_inline/ordered.html"
    formset = OrderedInlineFormSet
    ordering = [ORDER, "id"]


class SmallOrderedInline(OrderedInline):
    """Rows of two or three fields: each label beside its field, one line a row."""

    classes = ["ordered-small"]


# ---------------------------------------------------------------------------
# Lists


def parse_moves(body: bytes) -> list[tuple[int, int]] | None:
    """sortable2's `{"updatedItems": [[pk, place], ...]}`, or None if it isn't that."""
    if len(body) > MOST_BODY_BYTES:
        return None
    try:
        items = json.loads(body).get("updatedItems")
    except (ValueError, AttributeError):
        return None
    if not isinstance(items, list) or not 0 < len(items) <= MOST_MOVES:
        return None
    moves = []
    for item in items:
        if not (isinstance(item, list) and len(item) == 2):
            return None
        pk, place = (str(value) for value in item)
        if not (pk.isascii() and pk.isdigit() and place.isascii() and place.isdigit()):
            return None
        if len(pk) > 12 or len(place) > 6:
            return None
        moves.append((int(pk), int(place)))
    return moves if len({pk for pk, _ in moves}) == len(moves) else None


class BadMove(Exception):
    """The posted places don't fit the list (rows of another guide, or a tie)."""


SHARED_PLACE = _("two rows would share a place; reload the list and drag again.")


def refusal_text(stale: StaleDraft) -> str:
    """A refused drag in plain text (the page's script shows it line by line)."""
    if stale.conflicts:
        summary = _(
            "Not saved: someone else changed the order of this list of “%(guide)s” after "
            "you opened it (the draft is version %(version)s now)."
        ) % {"guide": stale.guide_title, "version": stale.current}
        # In words: "Order of questions of the guide, changed in version 7 by alice, ...".
        line = _("%(field)s of %(part)s, changed in %(by)s.")
        lines = [line % {"field": c.label, "part": c.part, "by": c.by} for c in stale.conflicts]
        return "\n".join([summary, *dict.fromkeys(lines), str(RELOAD_LIST)])
    return "\n".join([str(stale.summary), *map(str, stale.changes), str(RELOAD_LIST)])


class SortablePartList(SortableAdminMixin):
    """Drag handles on a part list filtered to one guide (see the module doc)."""

    # Columns besides the guide that siblings share (guide items: their kind).
    sort_within: tuple[str, ...] = ()

    def __init__(self, model: Any, admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        self.default_order_direction, self.default_order_field = "", ORDER

    def _add_reorder_method(self) -> None:
        """The handle is a method of the class (below), shown only where dragging works."""

    @admin.display(description=_("drag"))
    def _reorder_(self, obj: Any) -> str:
        # guide-admin.js takes its words for a refused drag from the handles (no inline script).
        return format_html(
            '<div class="drag handle" pk="{}" order="{}" title="{}" data-reload="{}" '
            'data-no-answer="{}"><span class="visually-hidden">{}</span></div>',
            obj.pk,
            getattr(obj, ORDER),
            _("Drag to move"),
            _("Reload the list"),
            _("The new order could not be saved: no answer from the server."),
            _("Place %(place)s") % {"place": getattr(obj, ORDER)},
        )

    def sort_scope(
        self, request: HttpRequest, guide_id: int | None = None
    ) -> dict[str, Any] | None:
        """The sibling group a request's list shows (or its update is for), if exactly one."""
        scope: dict[str, Any] = {}
        if guide_id is None:
            guide_id = number_in(request.GET.get(GUIDE_FILTER, ""))
        if guide_id is None:
            return None
        scope["guide_id"] = guide_id
        for column in self.sort_within:
            value = request.GET.get(f"{column}__exact", "")
            if not value or len(value) > 64:
                return None
            scope[column] = value
        return scope

    def sortable_here(self, request: HttpRequest) -> bool:
        sorted_by_user = request.GET.get("o")  # a clicked column heading
        return (
            self.sort_scope(request) is not None
            and not sorted_by_user
            and self.has_change_permission(request)
        )

    def get_ordering(self, request: HttpRequest):
        if self.sort_scope(request) is not None:
            return [ORDER, "id"]
        return super().get_ordering(request)

    def get_list_display(self, request: HttpRequest):
        columns = list(super(SortableAdminMixin, self).get_list_display(request))
        return ["_reorder_", *columns] if self.sortable_here(request) else columns

    def get_fields(self, request: HttpRequest, obj: Any = None):
        # Keep the place field on the part's own page: the keyboard way to move it.
        return super(SortableAdminMixin, self).get_fields(request, obj)

    def get_actions(self, request: HttpRequest):
        return super(SortableAdminMixin, self).get_actions(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The shared save (claim, place): not sortable2's "always last of every guide".
        super(SortableAdminMixin, self).save_model(request, obj, form, change)

    def get_urls(self):
        # The guide and the draft version the list showed are in the path: sortable2
        # writes the URL into JSON unescaped from HTML, so it can't carry a second "&".
        reorder = path(
            "adminsortable2_update/<int:guide_id>/<int:version>/",
            self.admin_site.admin_view(self.update_order),
            name=f"{self.opts.app_label}_{self.opts.model_name}_reorder",
        )
        return [reorder, *super().get_urls()]

    def get_update_url(self, request: HttpRequest) -> str:
        """Where the script posts moved rows: the list's guide and draft version in the path."""
        scope = self.sort_scope(request)
        guide = Guide.objects.filter(pk=scope["guide_id"]).first() if scope else None
        if scope is None or guide is None:
            return reverse(f"{self.admin_site.name}:{self._get_update_url_name()}")
        url = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_reorder",
            args=[guide.pk, guide.version],
        )
        within = {f"{c}__exact": scope[c] for c in self.sort_within}
        return f"{url}?{urlencode(within)}" if within else url

    def update_order(
        self, request: HttpRequest, guide_id: int | None = None, version: int | None = None
    ) -> HttpResponse:
        """Save the places of rows dragged in the list (POST, JSON, CSRF header)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        scope = self.sort_scope(request, guide_id) if guide_id is not None else None
        guide = Guide.objects.filter(pk=guide_id).first() if scope else None
        if scope is None or guide is None:
            return HttpResponseBadRequest(_("Filter the list to one guide to reorder it."))
        if not self.has_change_permission(request):
            return HttpResponseForbidden(_("You may not change these."))
        moves = parse_moves(request.body)
        if moves is None:
            return HttpResponseBadRequest(_("Not a list of rows and places."))
        shown = number_in(str(version))  # the draft the list showed
        if shown is None or not 0 < shown <= guide.version:
            return HttpResponseBadRequest(_("Not a draft version of this guide: reload the list."))
        try:
            with transaction.atomic():
                # A list shown before others' saves merges with them (`publishing.merging`).
                claim_for_merge(request, guide, shown)
                stale = not Guide.objects.filter(pk=guide.pk, version=shown).exists()
                names = self.save_moves(scope, moves, stale=stale)
                record_merged_edit(request, guide, self.move_note(names))
        except StaleDraft as exc:
            return HttpResponse(refusal_text(exc), status=409, content_type="text/plain")
        except (BadMove, GuideInvalid) as exc:
            return HttpResponseBadRequest(_("Not saved: %(problem)s") % {"problem": exc})
        guide.refresh_from_db(fields=["version"])
        messages.success(request, self.move_message(names, guide.version))
        report_scenarios(request, guide)
        return JsonResponse({"version": guide.version, "merged": merged_note(request)})

    def save_moves(
        self, scope: dict[str, Any], moves: list[tuple[int, int]], *, stale: bool = False
    ) -> list[str]:
        rows = {row.pk: row for row in self.model._default_manager.filter(**scope)}
        if any(pk not in rows for pk, _ in moves):
            raise BadMove(_("some of those rows are not in this list."))
        if len({place for _, place in moves}) != len(moves):
            raise BadMove(SHARED_PLACE)
        if stale:
            # Places shown before others' saves: the moved rows swap among the places
            # they hold now, in the order given (the merge then checks the list's order).
            slots = sorted(getattr(rows[pk], ORDER) for pk, _ in moves)
            moves = [
                (pk, slot)
                for (pk, _), slot in zip(sorted(moves, key=itemgetter(1)), slots, strict=True)
            ]
        for pk, place in moves:
            setattr(rows[pk], ORDER, place)
        self.model._default_manager.bulk_update([rows[pk] for pk, _ in moves], [ORDER])
        places = [getattr(row, ORDER) for row in rows.values()]
        if len(set(places)) != len(places):
            raise BadMove(SHARED_PLACE)
        first = rows[moves[0][0]]
        return [str(row) for row in in_place_order(siblings_of(first))]

    def move_note(self, names: list[str]) -> str:
        """The version's note (in English, as every note: `admin_support.change_note`)."""
        shown = ", ".join(quoted(name) for name in names[:3])
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        with override(None):
            return f"Reordered {self.opts.verbose_name_plural}: {shown}{more}"

    def move_message(self, names: list[str], version: int) -> str:
        shown = ", ".join(quoted(name) for name in names[:3]) + ("…" if len(names) > 3 else "")
        about = {"parts": self.opts.verbose_name_plural, "names": shown, "version": version}
        return _("Reordered %(parts)s: %(names)s (draft version %(version)s).") % about
