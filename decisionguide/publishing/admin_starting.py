"""Starting a guide: copy one, or start from the built-in template (issue 25, item 5).

Both go through the same document round trip as the YAML import: a document
(the guide's draft, or the template file) is checked by `parse_document` and
written by `guidefiles.loading.apply_document`, so a copy holds every part the
document holds and nothing is copied row by row. The new guide is an unlisted
draft with a slug of its own; visitors see nothing until an editor publishes it.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from decisionguide.content.models import Guide
from decisionguide.decision.document import LINE_MAX_LENGTH, DocumentError, GuideDocument
from decisionguide.decision.parsing import parse_document
from decisionguide.guidefiles.loading import apply_document
from decisionguide.guidefiles.yaml_io import read_guide_file
from decisionguide.publishing.admin_pages import admin_url, get_guide, require
from decisionguide.publishing.drafts import GuideInvalid

TEMPLATE_FILE = Path(__file__).resolve().parent / "starter" / "starter-guide.yaml"
SLUG_MAX_LENGTH = 64
COPY_SUFFIX = " (copy)"


def free_slug(base: str) -> str:
    """`base`, or `base-2`, `base-3`...: the first slug no guide has, within 64 characters."""
    taken = set(Guide.objects.filter(slug__startswith=base[:40]).values_list("slug", flat=True))
    number = 1
    while True:
        tail = "" if number == 1 else f"-{number}"
        slug = base[: SLUG_MAX_LENGTH - len(tail)].rstrip("-") + tail
        if slug not in taken and not Guide.objects.filter(slug=slug).exists():
            return slug
        number += 1


def copy_title(title: str) -> str:
    return title[: LINE_MAX_LENGTH - len(COPY_SUFFIX)] + COPY_SUFFIX


def new_guide_from(doc: GuideDocument, *, slug: str, title: str, request: HttpRequest, note: str):
    """Write `doc` as a new unlisted draft guide under `slug` and `title`."""
    data = {**doc.to_data(), "slug": slug, "title": title, "published": False}
    copy = parse_document(data)  # the same check an import makes
    with transaction.atomic():
        guide, _ = apply_document(copy, publish=False, user=request.user, note=note)
    return guide


@require_POST
def copy_view(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """ "Copy this guide": a new unpublished guide holding the draft, every part of it."""
    guide = get_guide(model_admin, request, object_id)
    require(model_admin.has_add_permission(request))
    try:
        doc = guide.draft_document()
        copy = new_guide_from(
            doc,
            slug=free_slug(f"{guide.slug[: SLUG_MAX_LENGTH - 5]}-copy"),
            title=copy_title(guide.title),
            request=request,
            note=f"Copied from {guide.slug} (draft version {guide.version})",
        )
    except (DocumentError, GuideInvalid) as exc:
        words = _("Not copied: the draft isn't a valid guide (%(problem)s).")
        messages.error(request, words % {"problem": exc})
        return HttpResponseRedirect(admin_url("change", guide.pk))
    model_admin.log_addition(request, copy, f"Copied from {guide.slug}.")
    words = _(
        "Copied “%(title)s” as “%(copy)s” (%(slug)s), a draft visitors don't see. Change its "
        "title and texts, then publish it."
    )
    messages.success(request, words % {"title": guide.title, "copy": copy.title, "slug": copy.slug})
    return HttpResponseRedirect(admin_url("change", copy.pk))


@require_POST
def template_view(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    """ "Start from the template": a new draft guide made from the built-in template."""
    require(model_admin.has_add_permission(request))
    template = read_guide_file(TEMPLATE_FILE)
    guide = new_guide_from(
        template,
        slug=free_slug(template.slug),
        title=template.title,
        request=request,
        note="Started from the template",
    )
    model_admin.log_addition(request, guide, "Started from the template.")
    words = _(
        "Started “%(title)s” (%(slug)s) from the template: two outcomes, three questions and "
        "one scenario. Replace each text with your own, then publish it."
    )
    messages.success(request, words % {"title": guide.title, "slug": guide.slug})
    return HttpResponseRedirect(admin_url("change", guide.pk))
