"""The questionnaire: one question per page, every step a URL.

Answers travel in the query string (`?<question>=<choice>&<question>_text=...`)
and every form is a GET form, so nothing is kept on the server or in a
cookie; see state.py for how Back and Refresh keep every answer. Whatever
arrives is passed through `clean_answers`, so answers to questions that are
not shown (or not known) are dropped without a fuss.

With HTMX a form or link swaps only the panel (`#questionnaire`); where the
plain flow would redirect, the destination's panel is rendered straight
away and `HX-Push-Url` names the destination's canonical URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from decisionguide.analytics import counting as analytics
from decisionguide.decision.document import (
    Choice,
    GuideDocument,
    LinkedPage,
    Question,
)
from decisionguide.decision.engine import (
    clean_answers,
    next_question,
    shown_questions,
)
from decisionguide.pagecache import GuidePage, cached_page, guide_page, wants_panel
from decisionguide.questionnaire.forms import AnswerForm, answer_helper
from decisionguide.questionnaire.state import (
    State,
    answer_url,
    answers_around,
    check_url,
    clean_texts,
    destination_url,
    guide_url,
    is_reachable,
    progress,
    question_url,
    raw_answers,
    raw_texts,
    read_state,
    result_url,
    routed_choice,
    start_url,
    text_label,
    text_param,
)

RETURN_PARAM = "return"
RETURN_TO_CHECK = "check"
# Every questionnaire page renders its body into this element; HTMX swaps it.
PANEL_ID = "questionnaire"

# ---------------------------------------------------------------------------
# Rendering helpers


def titled(heading: str, doc: GuideDocument) -> str:
    # The en dash as before, where a language's catalogue may put its own punctuation.
    title = gettext("%(heading)s – %(guide)s")  # noqa: RUF001
    return title % {"heading": heading, "guide": doc.title}


def error_title(title: str) -> str:
    """A page title saying the page shows a problem (screen readers hear it first)."""
    return gettext("Error: %(title)s") % {"title": title}


def get_question(doc: GuideDocument, question_slug: str) -> Question:
    question = doc.question(question_slug)
    if question is None:
        raise Http404("No such question in this guide")
    return question


def render_page(
    request: HttpRequest, template: str, panel: str, context: dict[str, Any]
) -> HttpResponse:
    """A questionnaire page, or just its panel for an HTMX swap (rendered by the page cache)."""
    panel_only = wants_panel(request)
    name = f"{template}#{panel}" if panel_only else template
    state: State = context["state"]
    context = {
        **context,
        "panel_only": panel_only,
        "panel_id": PANEL_ID,
        "draft_preview": state.preview,
    }
    return private_if_preview(TemplateResponse(request, name, context), state)


def private_if_preview(response: HttpResponse, state: State) -> HttpResponse:
    """A draft preview is for one staff member's eyes: no shared cache may keep it."""
    if state.preview:
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
    return response


def go_to(
    request: HttpRequest, page: GuidePage, state: State, *, status: int = 302
) -> HttpResponse:
    """Send the visitor where their answers lead.

    Plain requests get a redirect. An HTMX swap gets the destination's panel
    at once, with `HX-Push-Url` so the address bar shows the canonical URL.
    """
    doc = page.document
    url = destination_url(doc, state)
    if not wants_panel(request):
        return private_if_preview(HttpResponseRedirect(url, status=status), state)
    if routed_choice(doc, state.answers) is not None:
        response = render_route(request, page, state)
    else:
        question = next_question(doc, state.answers)
        if question is not None:
            response = render_question(request, page, question, state)
        else:
            response = render_check(request, page, state)
    response["HX-Push-Url"] = url
    return response


def back_link(doc: GuideDocument, question: Question, state: State) -> tuple[str, bool]:
    """Where "Back" leads, and whether that page is a questionnaire panel HTMX can swap in."""
    if state.return_to_check and next_question(doc, state.answers) is None:
        return check_url(doc, state), True
    shown = [q.slug for q in shown_questions(doc, state.answers)]
    index = shown.index(question.slug) if question.slug in shown else 0
    if index > 0:
        previous = get_question(doc, shown[index - 1])
        return question_url(doc, previous, state), True
    return guide_url(doc, state), False


def render_question(
    request: HttpRequest,
    page: GuidePage,
    question: Question,
    state: State,
    form: AnswerForm | None = None,
) -> HttpResponse:
    """The question's page; with `form`, the visitor's invalid answer and what is wrong."""
    doc = page.document
    if form is None:
        analytics.question_shown(page, question)
        choice, text = state.answers.get(question.slug, ""), state.texts.get(question.slug, "")
        form = AnswerForm(question, choice=choice, text=text)
    selected = form.shown_choice()
    shown_answers = dict(state.answers)
    if selected:
        shown_answers[question.slug] = selected
    count = progress(doc, question, state.answers)

    # Back, and the form's hidden inputs, carry every answer this page knows, later
    # ones included: going back and on again keeps them (the server drops any that
    # a changed answer makes irrelevant).
    back_url, back_in_panel = back_link(doc, question, replace(state, answers=shown_answers))
    form.helper = answer_helper(
        form,
        action=answer_url(doc, question),
        hidden=state.without(question.slug).params(),
        panel_id=PANEL_ID,
        caption=count.caption,
    )
    errors = form.error_links()
    title = titled(question.prompt, doc)
    context = {
        "doc": doc,
        "state": state,
        "question": question,
        "form": form,
        "count": count,
        # site.js asks this page again with the visit's answers after Back or Refresh.
        "restore_url": question_url(doc, question, State()),
        "back_url": back_url,
        "back_in_panel": back_in_panel,
        "errors": errors,
        "page_title": error_title(title) if errors else title,
    }
    return render_page(request, "questionnaire/question.html", "question-panel", context)


def answer_rows(doc: GuideDocument, state: State) -> list[dict[str, Any]]:
    """One row per answer (and per typed text) for the check page."""
    rows: list[dict[str, Any]] = []
    change_state = replace(state, return_to_check=True)
    for question in shown_questions(doc, state.answers):
        choice = question.choice(state.answers.get(question.slug, ""))
        if choice is None:
            continue
        change = question_url(doc, question, change_state)
        rows.append({"key": question.short, "value": choice.label, "change_url": change})
        free_text = question.free_text
        if free_text is not None and choice.slug == free_text.choice:
            rows.append(
                {
                    "key": text_label(free_text.label),
                    "value": state.texts.get(question.slug, ""),
                    "change_url": f"{change}#{text_param(question.slug)}",
                    "is_text": True,
                }
            )
    return rows


def render_check(
    request: HttpRequest,
    page: GuidePage,
    state: State,
    *,
    problems: Sequence[Any] = (),
    status: int = 200,
) -> HttpResponse:
    """The check page; `problems` (each with `message` and `url`) head it when posted
    answers could not be stored (see decisionguide.results.submission)."""
    doc = page.document
    if getattr(request, "embedded", False):
        # Its form token is fresh for every rendering (decisionguide.embed.tokens): never kept.
        page.keep_for_query(None)
    shown = shown_questions(doc, state.answers)
    title = titled(gettext("Check your answers"), doc)
    context = {
        "doc": doc,
        "state": state,
        "rows": answer_rows(doc, state),
        "back_url": question_url(doc, shown[-1], state) if shown else start_url(doc, state),
        # Posting stores the result and leads to its permalink; a draft preview
        # stores nothing and shows the result page straight away.
        "result_action": reverse("result-create", args=[doc.slug]),
        "preview_result_url": result_url(doc, state) if state.preview else "",
        "hidden_params": state.params(with_return=False),
        "problems": problems,
        # After a problem the kept answers may no longer be complete.
        "can_submit": routed_choice(doc, state.answers) is None
        and next_question(doc, state.answers) is None,
        "page_title": error_title(title) if problems else title,
    }
    response = render_page(request, "questionnaire/check.html", "check-panel", context)
    response.status_code = status
    return response


def first_staying_choice(question: Question) -> Choice:
    """The first choice that keeps the visitor in this guide."""
    return next((c for c in question.choices if c.route is None), question.choices[0])


def render_route(request: HttpRequest, page: GuidePage, state: State) -> HttpResponse:
    doc = page.document
    routed = routed_choice(doc, state.answers)
    assert routed is not None  # callers check
    question, choice = routed
    linked: LinkedPage | None = doc.linked_page(choice.route or "")
    if linked is None:  # parse_document guarantees it; never 500 if that ever changes
        raise Http404("Unknown linked page")
    analytics.route_taken(page, question, choice)
    stay = clean_answers(doc, {**state.answers, question.slug: first_staying_choice(question).slug})
    stay_state = State(stay, clean_texts(doc, stay, state.texts), preview=state.preview)
    context = {
        "doc": doc,
        "state": state,
        "question": question,
        "choice": choice,
        "page": linked,
        "back_url": question_url(doc, question, replace(state, return_to_check=False)),
        "continue_url": destination_url(doc, stay_state),
        "page_title": titled(gettext("%(page)s may suit you better") % {"page": linked.title}, doc),
    }
    return render_page(request, "questionnaire/route.html", "route-panel", context)


def form_query(
    doc: GuideDocument,
    question: Question,
    raw: dict[str, str],
    texts: dict[str, str],
    return_to_check: bool,
    choice: str,
) -> str | None:
    """The query string the question page's form sends for `choice` and no typed text.

    First its hidden inputs: the other answers that are valid for some choice of this
    question (`answers_around`), in question order, then `return`; then its own fields
    in page order. None when the other answers carry typed text.
    """
    kept = answers_around(doc, question, raw)
    hidden = State(kept, clean_texts(doc, kept, texts), return_to_check)
    if hidden.texts:
        return None
    own = [(question.slug, choice)]
    free_text = question.free_text
    if free_text is not None:
        # The text box follows its own choice's radio, so it precedes a later choice.
        slugs = [c.slug for c in question.choices]
        box = (text_param(question.slug), "")
        own = [box, *own] if slugs.index(choice) > slugs.index(free_text.choice) else [*own, box]
    return urlencode([*hidden.params(), *own])


# ---------------------------------------------------------------------------
# Views


@require_safe
@vary_on_headers("HX-Request")
@guide_page
@cached_page
def questionnaire_start(request: HttpRequest, page: GuidePage) -> HttpResponse:
    # Linked without a query: the page cache keeps only that one (its default).
    return go_to(request, page, read_state(page.document, request.GET, preview=page.preview))


@require_safe
@vary_on_headers("HX-Request")
@guide_page
@cached_page
def question_page(request: HttpRequest, page: GuidePage, question_slug: str) -> HttpResponse:
    doc = page.document
    question = get_question(doc, question_slug)
    state = read_state(doc, request.GET, preview=page.preview)
    page.keep_for_query(state.cache_query())
    if not is_reachable(doc, question, state.answers):
        # Jumped ahead or followed a stale link: ask what is actually next.
        return go_to(request, page, state)
    return render_question(request, page, question, state)


@require_safe
@vary_on_headers("HX-Request")
@guide_page
@cached_page
def answer_question(request: HttpRequest, page: GuidePage, question_slug: str) -> HttpResponse:
    doc, preview = page.document, page.preview
    question = get_question(doc, question_slug)
    raw = {k: v for k, v in raw_answers(doc, request.GET).items() if k != question.slug}
    texts = raw_texts(doc, request.GET)
    return_to_check = request.GET.get(RETURN_PARAM) == RETURN_TO_CHECK
    # Kept only for a valid answer as the question page's own form sends it (below).
    page.keep_for_query(None)
    if not is_reachable(doc, question, clean_answers(doc, raw)):
        # A stale or tampered form: ask what is actually next.
        return go_to(request, page, read_state(doc, request.GET, preview=preview))
    form = AnswerForm(question, request.GET)
    if not form.is_valid():
        kept = answers_around(doc, question, raw)
        others = State(kept, clean_texts(doc, kept, texts), return_to_check, preview)
        # Status 200 so HTMX swaps the page with its error summary in.
        return render_question(request, page, question, others, form)
    chosen = question.choice(form.choice)
    assert chosen is not None  # the form accepts only this question's choices
    analytics.question_answered(page, question, chosen)
    # The new answer may show or hide later questions: clean everything again.
    answers = clean_answers(doc, {**raw, question.slug: form.choice})
    analytics.answers_given(page, len(answers))
    state = State(
        answers=answers,
        texts=clean_texts(doc, answers, {**texts, question.slug: form.text}),
        return_to_check=return_to_check,
        preview=preview,
    )
    if not form.text:  # typed words are one visitor's own: never kept
        page.keep_for_query(form_query(doc, question, raw, texts, return_to_check, form.choice))
    return go_to(request, page, state, status=303)


@require_safe
@vary_on_headers("HX-Request")
@guide_page
@cached_page
def check_page(request: HttpRequest, page: GuidePage) -> HttpResponse:
    doc = page.document
    state = read_state(doc, request.GET, preview=page.preview)
    page.keep_for_query(state.cache_query(with_return=False))  # as check_url links it
    if routed_choice(doc, state.answers) or next_question(doc, state.answers):
        return go_to(request, page, state)
    analytics.check_shown(page)  # only here: not when a refused post shows it again
    return render_check(request, page, replace(state, return_to_check=False))


@require_safe
@vary_on_headers("HX-Request")
@guide_page
@cached_page
def route_page(request: HttpRequest, page: GuidePage) -> HttpResponse:
    state = read_state(page.document, request.GET, preview=page.preview)
    page.keep_for_query(state.cache_query(with_return=False))  # as route_url links it
    if routed_choice(page.document, state.answers) is None:
        return go_to(request, page, state)
    return render_route(request, page, state)
