"""The what-if view: a stored result with one answer changed, `/r/<id>/what-if/?<q>=<c>`.

Like the permalink it is the same for everyone who opens it: it never touches
the session, the user or the CSRF token, so it sets no cookie and doesn't vary
on one; browsers keep it briefly and revalidate with the ETag, and the page
cache keeps it under its canonical query (`answer_list.whatif_query`). With
HTMX, a what-if link swaps only the result body (`#result-body`); every link
is a plain link too. Nothing is stored, and it counts as a what-if, not as a
result shown (`analytics.whatif_shown`).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from decisionguide.analytics import counting as analytics
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import evaluate
from decisionguide.guides.markdown import linked_page_url
from decisionguide.languages import quoted
from decisionguide.pagecache import PageSource, cached_page, wants_panel
from decisionguide.questionnaire.state import State, routed_choice
from decisionguide.questionnaire.views import titled
from decisionguide.results import permalink
from decisionguide.results.answer_list import (
    AnswerList,
    answer_rows,
    whatif_links,
    whatif_query,
    whatif_url,
)
from decisionguide.results.models import Result
from decisionguide.results.presenter import build_result_context
from decisionguide.results.views import cacheable
from decisionguide.results.whatif import WhatIfAnswers, WhatIfError, follow_up, moves, read_whatif
from decisionguide.results.wording import join_all

TEMPLATE = "results/whatif.html"
PANEL = "whatif-body"


@require_safe
@vary_on_headers("HX-Request")
def result_whatif(request: HttpRequest, result_id: str) -> HttpResponse:
    stamp = Result.objects.page_stamp(result_id)
    if stamp is None:
        raise Http404("No such result")
    if not request.GET:
        return redirect("result-detail", result_id)  # nothing changed: the result itself
    # The page shows the same as the permalink's stamp says, for this query, whole or
    # as a panel: each has its own ETag, so a panel never answers for the whole page.
    query = request.META.get("QUERY_STRING", "")
    etag = permalink.page_etag(stamp, "what-if", query, wants_panel(request))
    response = get_conditional_response(request, etag=etag)
    if response is None:
        source = PageSource(
            cache_key=f"{etag}@{request.get_host()}",
            counts_visits=request.method != "HEAD",
        )
        response = whatif_page(request, source, result_id)
    if response.status_code != 200:
        response["X-Robots-Tag"] = "noindex"
        return response
    return cacheable(response, etag)


@cached_page
def whatif_page(request: HttpRequest, source: PageSource, result_id: str) -> HttpResponse:
    result = permalink.get_result(result_id)
    doc = permalink.frozen_document(result, request)
    try:
        whatif = read_whatif(doc, result.answers, result.free_texts, request.GET)
    except WhatIfError as error:
        context = {
            "doc": doc,
            "message": str(error),
            "result_url": result.get_absolute_url(),
            "page_title": titled(gettext("This what-if can't be shown"), doc),
        }
        return TemplateResponse(request, "results/whatif_refused.html", context, status=400)
    source.keep_for_query(whatif_query(doc, whatif.pairs()))
    change = whatif.change
    version = result.guide_version
    analytics.whatif_shown(
        source, version.guide_id, version.version, change.question.slug, change.after.slug
    )
    panel = wants_panel(request)
    context = {**whatif_context(result, doc, whatif), "panel_only": panel}
    return TemplateResponse(request, f"{TEMPLATE}#{PANEL}" if panel else TEMPLATE, context)


def whatif_context(result: Result, doc: GuideDocument, whatif: WhatIfAnswers) -> dict[str, Any]:
    """What the what-if page shows: a question the change brings, the page the guide
    would send the visitor to, or the new result and what moved against the saved one."""
    change = whatif.change
    guide = permalink.guide_of(result)
    saved = permalink.stored_decision(result, doc)
    context: dict[str, Any] = {
        "doc": doc,
        "change": change,
        "follow_ups": whatif.follow_ups,
        "dropped": whatif.dropped,
        # The lists the "doesn't ask … so … left out" sentence names, as the language lists.
        "dropped_questions": join_all([quoted(q.short) for q, _ in whatif.dropped]),
        "dropped_answers": join_all([quoted(c.label) for _, c in whatif.dropped]),
        "version": result.guide_version.version,
        "result_url": result.get_absolute_url(),
        "saved_outcome": doc.outcome(saved.outcome or ""),
        "published": guide.is_listed,
        "your_answers": AnswerList(
            answer_rows(
                doc,
                result.answers,
                result.free_texts,
                link=whatif_links(result.pk, doc),
                current=(change.question.slug, change.after.slug),
            ),
            heading=gettext("Your saved answers"),
            explorable=True,
        ),
        "page_title": titled(
            gettext("What if: %(question)s, %(answer)s")
            % {"question": change.question.short, "answer": change.after.label},
            doc,
        ),
    }
    routed = routed_choice(doc, whatif.answers)
    if routed is not None:
        route = doc.linked_page(routed[1].route or "")
        route_url = linked_page_url(doc, route.slug) if route is not None else ""
        return context | {"route": route, "route_url": route_url}
    asked = follow_up(doc, whatif, lambda pairs: whatif_url(result.pk, doc, pairs))
    if asked is not None:
        return context | {"follow_up": asked}
    # The saved answers worked out again, as the changed ones are: only the change differs.
    before = evaluate(doc, result.answers)
    after = evaluate(doc, whatif.answers)

    def page_url(slug: str) -> str:
        return linked_page_url(doc, slug)

    before_context = build_result_context(
        doc, before, result.free_texts, page_url=page_url, answers=result.answers
    )
    after_context = build_result_context(
        doc, after, whatif.texts, page_url=page_url, answers=whatif.answers
    )
    keep_url = ""
    if guide.is_listed:
        keep = State(answers=whatif.answers, texts=whatif.texts)
        keep_url = reverse("questionnaire-check", args=[guide.slug]) + keep.query()
    today = permalink.live_version(guide)  # in the page's language
    return (
        context
        | after_context
        | {
            "moves": moves(doc, before, after, before_context, after_context),
            # The rules were refined since it was saved: say what the comparison is against.
            "recomputed": (
                doc.outcome(before.outcome or "") if before.outcome != saved.outcome else None
            ),
            "live": permalink.live_answer_for(result, whatif.answers, after.outcome),
            "keep_url": keep_url,
            "guide_changed": guide.is_listed and not permalink.is_current(result),
            "today_version": today.version if guide.is_listed and today else None,
        }
    )
