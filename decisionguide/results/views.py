"""Stored results: created from the check page, then read at their permalink.

A permalink is the same for everyone who opens it: it never touches the
session, the user or the CSRF token, so it sets no cookie and doesn't vary on
one. It holds the visitor's own typed words, so only their browser caches it
(`private`), and only briefly, then revalidates with the ETag.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from decisionguide.analytics import counting as analytics
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import evaluate, next_question
from decisionguide.guides.markdown import linked_page_url
from decisionguide.pagecache import GuidePage, PageSource, cached_page, guide_page
from decisionguide.questionnaire.state import (
    State,
    check_url,
    destination_url,
    preview_query,
    read_state,
    routed_choice,
    start_url,
)
from decisionguide.questionnaire.views import private_if_preview, render_check, titled
from decisionguide.results import permalink
from decisionguide.results.answer_list import AnswerList, answer_rows, whatif_links
from decisionguide.results.idempotency import PAGE_NONCE_FIELD, submission_key
from decisionguide.results.models import Result
from decisionguide.results.presenter import build_result_context
from decisionguide.results.ratelimit import Limit, hit, retry_after, wait_in_words
from decisionguide.results.submission import read_submission
from decisionguide.results.summary import result_markdown

# A stored result never changes; only the banner about newer guide versions
# does, and the ETag follows it. Browsers keep a copy for five minutes, so a
# changed guide's banner shows within minutes; after that a conditional request
# answers 304 while nothing has changed.
CACHE_SECONDS = 5 * 60
MARKDOWN_TYPE = "text/markdown; charset=utf-8"


def results_limit() -> Limit:
    # Read on every request, so the setting can be changed in tests and by ops.
    return Limit("results", settings.DECISIONGUIDE_RESULTS_PER_HOUR, timedelta(hours=1))


def too_many_requests(
    request: HttpRequest, limit: Limit, doc: GuideDocument, state: State
) -> HttpResponse:
    """The 429 page: the real wait, from the same number as Retry-After, and the way back
    to the visitor's answers (their check page, ready to send again once the wait is over)."""
    wait = retry_after(limit)
    context = {
        "wait_words": wait_in_words(wait),
        "limit_count": limit.count,
        "answers_url": check_url(doc, state),
    }
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_POST
@guide_page
def create_result(request: HttpRequest, page: GuidePage) -> HttpResponse:
    """Store the checked answers' result and send the visitor to its permalink.

    The answers are checked and evaluated against the published version, and the
    result keeps it (`page.version`). The same check page sent again (a double
    click, a retry) leads to the result it stored the first time, and does not
    count against the rate limit again (`decisionguide.results.idempotency`).
    """
    return store_checked_answers(request, page, request.POST.get(PAGE_NONCE_FIELD, ""))


def store_checked_answers(request: HttpRequest, page: GuidePage, page_nonce: str) -> HttpResponse:
    """`create_result`'s work once the POST is trusted; `page_nonce` is its idempotency nonce
    (the CSRF token here, the signed form token's nonce from an embed)."""
    doc = page.document
    submission = read_submission(doc, request.POST)
    if submission.problems:
        return render_check(
            request, page, submission.state, problems=submission.problems, status=400
        )
    key = submission_key(page.guide_id, page_nonce, submission.state)
    stored = permalink.stored_for(key)
    if stored is not None:
        return HttpResponseRedirect(stored.get_absolute_url(), status=303)
    # Stored in the source language's words; pages word it in theirs (`stored_decision`).
    decision = evaluate(page.version.as_document(), submission.state.answers)
    limit = results_limit()
    # One transaction: the attempt is counted and the result stored together, so a
    # database that is busy or down (DatabaseUnavailableMiddleware: the 503 page)
    # leaves neither behind, and neither does a repeat that lost the race to store.
    try:
        with transaction.atomic():
            if not hit(request, limit):
                return too_many_requests(request, limit, doc, submission.state)
            result = permalink.store_result(
                page.version, submission.state, decision, submission_key=key
            )
    except permalink.AlreadyStored as repeat:
        return HttpResponseRedirect(repeat.result.get_absolute_url(), status=303)
    analytics.result_shown(page, decision.outcome)
    return HttpResponseRedirect(result.get_absolute_url(), status=303)


def site_path(request: HttpRequest, path: str) -> str:
    """`path` on the full site: an embed page's permalink and exports are for sharing."""
    prefix = getattr(request, "embed_prefix", "")
    return path[len(prefix) :] if prefix and path.startswith(f"{prefix}/") else path


def absolute_url(request: HttpRequest, result: Result) -> str:
    return request.build_absolute_uri(result.get_absolute_url())


def cacheable(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    # Private: the visitor's typed text must not sit in a shared proxy or CDN cache.
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    # Results are personal: keep them out of search engines in every format.
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def result_detail(request: HttpRequest, result_id: str) -> HttpResponse:
    # One small query answers most requests: the stamp names everything the page
    # shows besides the frozen result, so it keys both the ETag and the memo.
    stamp = Result.objects.page_stamp(result_id)
    if stamp is None:
        raise Http404("No such result")
    etag = permalink.page_etag(stamp)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        # The page shows its own absolute address, so the host is part of the key.
        host = request.get_host()
        source = PageSource(
            cache_key=f"{etag}@{host}", fast_check=(permalink_cache_key, (result_id, host))
        )
        response = permalink_page(request, source, result_id)
    return cacheable(response, etag)


def permalink_cache_key(result_id: str, host: str) -> str | None:
    """The permalink's `cache_key` now, asked again before the fast path serves it."""
    stamp = Result.objects.page_stamp(result_id)
    return None if stamp is None else f"{permalink.page_etag(stamp)}@{host}"


@cached_page
def permalink_page(request: HttpRequest, source: PageSource, result_id: str) -> HttpResponse:
    """The permalink's page; `source.cache_key` is its ETag (which names all it shows) and host."""
    result = permalink.get_result(result_id)
    doc = permalink.frozen_document(result, request)
    context = build_result_context(
        doc,
        permalink.stored_decision(result, doc),
        result.free_texts,
        page_url=lambda slug: linked_page_url(doc, slug),
        answers=result.answers,
    )
    outcome = context["outcome"]
    name = outcome.name if outcome is not None else ""
    published = permalink.guide_of(result).is_listed
    context |= {
        "result": result,
        "version": result.guide_version.version,
        "permalink": request.build_absolute_uri(site_path(request, result.get_absolute_url())),
        "json_url": site_path(request, reverse("result-json", args=[result.pk])),
        "markdown_url": site_path(request, reverse("result-markdown", args=[result.pk])),
        "live": permalink.live_answer(result),
        "published": published,
        "adjust_url": permalink.adjust_url(result) if published else "",
        "start_url": permalink.start_url(result) if published else "",
        "your_answers": AnswerList(
            answer_rows(doc, result.answers, result.free_texts, link=whatif_links(result.pk, doc)),
            explorable=True,
        ),
        "page_title": titled(gettext("Your recommendation: %(outcome)s") % {"outcome": name}, doc),
        "share_title": gettext("Recommendation: %(outcome)s – %(guide)s")  # noqa: RUF001
        % {"outcome": name, "guide": doc.title},
        "share_description": outcome.tagline if outcome is not None else doc.summary,
    }
    return TemplateResponse(request, "results/result_detail.html", context)


@require_safe
def result_json(request: HttpRequest, result_id: str) -> HttpResponse:
    result = permalink.get_result(result_id)
    etag = permalink.data_etag(result, "json")
    response = get_conditional_response(request, etag=etag) or JsonResponse(
        permalink.result_data(
            result,
            absolute_url(request, result),
            page_url=lambda slug: request.build_absolute_uri(
                linked_page_url(permalink.frozen_document(result), slug)
            ),
        ),
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    return cacheable(response, etag)


@require_safe
def result_markdown_view(request: HttpRequest, result_id: str) -> HttpResponse:
    result = permalink.get_result(result_id)
    etag = permalink.data_etag(result, "markdown")
    response = get_conditional_response(request, etag=etag)
    if response is None:
        doc = permalink.frozen_document(result)
        text = result_markdown(
            doc,
            result.decision,
            result.free_texts,
            result_url=absolute_url(request, result),
            page_url=lambda slug: request.build_absolute_uri(linked_page_url(doc, slug)),
            answers=result.answers,
            saved=permalink.saved_line(result),
        )
        response = HttpResponse(text, content_type=MARKDOWN_TYPE)
    return cacheable(response, etag)


# ---------------------------------------------------------------------------
# The result for answers in the URL, not stored (the draft preview's result, and
# a visitor's result before they choose to save it)


def page_url(doc: GuideDocument, slug: str, state: State) -> str:
    """A linked page's URL; in a draft preview, our own pages show their draft too."""
    url = linked_page_url(doc, slug)
    page = doc.linked_page(slug)
    if page is not None and not page.url:
        url += preview_query(state)
    return url


def render_answers_result(request: HttpRequest, page: GuidePage, state: State) -> HttpResponse:
    doc = page.document
    decision = evaluate(doc, state.answers)
    analytics.result_shown(page, decision.outcome)
    context = build_result_context(
        doc,
        decision,
        state.texts,
        page_url=lambda slug: page_url(doc, slug, state),
        answers=state.answers,
    )
    outcome = context["outcome"]
    context |= {
        # Not stored, so no what-if links: "Adjust my answers" changes them instead.
        "your_answers": AnswerList(answer_rows(doc, state.answers, state.texts)),
        "adjust_url": check_url(doc, state),
        "start_url": start_url(doc, state),
        "page_title": titled(
            gettext("Your recommendation: %(outcome)s")
            % {"outcome": outcome.name if outcome else ""},
            doc,
        ),
        "draft_preview": state.preview,
    }
    response = TemplateResponse(request, "results/result.html", context)
    return private_if_preview(response, state)


@require_safe
@guide_page
@cached_page
def result_page(request: HttpRequest, page: GuidePage) -> HttpResponse:
    doc = page.document
    state = read_state(doc, request.GET, preview=page.preview)
    page.keep_for_query(state.cache_query(with_return=False))  # as result_url links it
    if routed_choice(doc, state.answers) or next_question(doc, state.answers):
        # The result is a full page: leave HTMX out of it.
        return private_if_preview(redirect(destination_url(doc, state)), state)
    return render_answers_result(request, page, state)
