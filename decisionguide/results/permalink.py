"""What a stored result shows: the frozen snapshot, and what today's guide says.

The result itself renders only from its frozen guide version and stored
decision, so it reads the same however the guide is edited later. The one
live part is the comparison with the guide's current version, worked out
from the same answers, shown when the guide has changed since.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext

from decisionguide.content.models import Guide, GuideVersion
from decisionguide.decision.document import GuideDocument, Outcome
from decisionguide.decision.engine import clean_answers, evaluate, next_question
from decisionguide.decision.translations import decision_in
from decisionguide.decision.verdict import Decision
from decisionguide.guides.markdown import linked_page_url
from decisionguide.pagecache.languages import document_in_language, is_translated, readable
from decisionguide.questionnaire.state import State, routed_choice
from decisionguide.results.answer_list import answer_rows
from decisionguide.results.models import PageStamp, Result
from decisionguide.results.presenter import build_result_context, explanation_data

# Part of every ETag: bump it when the permalink page's markup changes, so
# browsers and caches holding a copy fetch the new page.
PAGE_REVISION = "4"
# New ids are random; a clash is next to impossible, but never a 500 for it.
CREATE_ATTEMPTS = 3


class AlreadyStored(Exception):
    """The same check page was sent again meanwhile: its result is already stored."""

    def __init__(self, result: Result) -> None:
        super().__init__(result.pk)
        self.result = result


def stored_for(submission_key: str | None) -> Result | None:
    """The result a check page's earlier submission stored (None: none, or no key)."""
    if submission_key is None:
        return None
    return Result.objects.filter(submission_key=submission_key).only("pk").first()


def store_result(
    version: GuideVersion,
    state: State,
    decision: Decision,
    *,
    submission_key: str | None = None,
) -> Result:
    """Save a result (answers already checked) under a fresh random id.

    Raises AlreadyStored when a concurrent request stored this submission first
    (`decisionguide.results.idempotency`): the caller's transaction, rate-limit
    count included, is then rolled back, and the visitor gets that result.
    """
    fields = {
        "guide_version": version,
        "answers": dict(state.answers),
        "free_texts": dict(state.texts),
        "decision": decision.to_json(),
        "submission_key": submission_key,
    }
    # A savepoint each, so a clash leaves the caller's transaction usable.
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return Result.objects.create(**fields)
        except IntegrityError:
            stored = stored_for(submission_key)
            if stored is not None:
                raise AlreadyStored(stored) from None
            if attempt == CREATE_ATTEMPTS:
                raise
            # Otherwise the id was taken: each attempt draws a new one.
    raise AssertionError("unreachable")


def get_result(result_id: str) -> Result:
    """The result, its version, its guide and the guide's published version, in one query.

    The frozen documents (the large columns) are left out: parsed documents
    are memoised per version, so one is read only when a worker first needs it.
    """
    results = Result.objects.select_related("guide_version__guide__published_version").defer(
        "guide_version__document", "guide_version__guide__published_version__document"
    )
    return get_object_or_404(results, pk=result_id)


def guide_of(result: Result) -> Guide:
    return result.guide_version.guide


def frozen_document(result: Result, request: HttpRequest | None = None) -> GuideDocument:
    """The result's version in the page's language (pagecache.languages): in the source
    language where that version is not translated, which `request`'s page then says."""
    if request is not None:
        return readable(request, result.guide_version)
    return document_in_language(result.guide_version, get_language())


def stored_decision(result: Result, doc: GuideDocument) -> Decision:
    """The stored decision in `doc`'s words (the result's version, in the page's language)."""
    return decision_in(_stored(result), doc, result.guide_version.as_document())


def _stored(result: Result) -> Decision:
    return Decision.from_json(result.decision)


def is_current(result: Result) -> bool:
    """The result was worked out with the version visitors of the page's language see today."""
    live = live_version(guide_of(result))
    return live is None or live.pk == result.guide_version_id


def page_etag(stamp: PageStamp, *variant: object) -> str:
    """Changes when what the page shows may change: the guide's published version
    (the banner), whether it is still published, and its address (the links).
    `variant` names another page of the same result (a what-if, its query, a panel)."""
    parts = (
        PAGE_REVISION,
        stamp.result_id,
        stamp.guide_version_id,
        stamp.guide_slug,
        stamp.published_version_id,
        stamp.guide_is_listed,
        *variant,
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:20]
    return f'"{digest}"'


def data_etag(result: Result, kind: str) -> str:
    """The JSON and Markdown are frozen; only the guide's address can change in them."""
    parts = (PAGE_REVISION, kind, result.pk, guide_of(result).slug, get_language())
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:20]
    return f'"{digest}"'


def saved_line(result: Result) -> str:
    created = date_format(localtime(result.created), "j F Y")
    return gettext("Saved on %(date)s with version %(version)s of the guide.") % {
        "date": created,
        "version": result.guide_version.version,
    }


def answers_state(result: Result) -> State:
    return State(answers=dict(result.answers), texts=dict(result.free_texts))


def adjust_url(result: Result) -> str:
    """The check page of the guide as it is today, prefilled with these answers.

    The questionnaire cleans them against today's questions, and sends the
    visitor to any question they have not answered yet.
    """
    guide = guide_of(result)
    return reverse("questionnaire-check", args=[guide.slug]) + answers_state(result).query(
        with_return=False
    )


def start_url(result: Result) -> str:
    return reverse("questionnaire-start", args=[guide_of(result).slug])


@dataclass(frozen=True)
class LiveAnswer:
    """What the guide's current version says for the same answers."""

    version: int
    outcome: Outcome | None  # None: the answers no longer complete the questionnaire
    same_outcome: bool


def live_version(guide: Guide) -> GuideVersion | None:
    """The version the page's language shows today (None: that language has none yet)."""
    language = get_language()
    shown = (guide.language_versions or {}).get(language) if is_translated(language) else None
    if not is_translated(language) or shown == guide.published_version_id:
        return guide.published_version
    return GuideVersion.objects.filter(pk=shown).first() if shown is not None else None


def live_answer(result: Result) -> LiveAnswer | None:
    """Today's recommendation when a newer version has been published since; None
    when it hasn't, or when the guide is no longer published (the result still stands)."""
    return live_answer_for(result, result.answers, result.decision.get("outcome"))


def live_answer_for(
    result: Result, answers: Mapping[str, str], outcome: str | None
) -> LiveAnswer | None:
    """What today's guide says for `answers` (the result's own, or a what-if's), against
    `outcome`; None when the result's version is still the one visitors see, or the guide
    is no longer published."""
    guide = guide_of(result)
    live = live_version(guide) if guide.is_listed else None
    if live is None or live.pk == result.guide_version_id:
        return None
    doc = document_in_language(live, get_language())  # parsed once per worker
    version = live.version
    answers = clean_answers(doc, answers)
    if routed_choice(doc, answers) is not None or next_question(doc, answers) is not None:
        return LiveAnswer(version=version, outcome=None, same_outcome=False)
    decision = evaluate(doc, answers)
    return LiveAnswer(
        version=version,
        outcome=doc.outcome(decision.outcome or ""),
        same_outcome=decision.outcome == outcome,
    )


def result_data(
    result: Result, url: str, page_url: Callable[[str], str] | None = None
) -> dict[str, Any]:
    """The stored decision (the keys `manage.py recommend` prints), what it came from,
    and under "explanation" the result page's words (notes, for and against, ruled
    out, what would change it); `page_url` gives a linked page's absolute address."""
    doc = frozen_document(result)
    context = build_result_context(
        doc,
        stored_decision(result, doc),
        result.free_texts,
        page_url=page_url or (lambda slug: linked_page_url(doc, slug)),
        answers=result.answers,
    )
    rows = answer_rows(doc, result.answers, result.free_texts)
    return {
        **result.decision,
        "explanation": explanation_data(context),
        "answers": result.answers,
        # The same answers in words, as the page lists them.
        "answers_listed": [row.to_data() for row in rows],
        "free_texts": result.free_texts,
        "guide": guide_of(result).slug,
        "guide_version": result.guide_version.version,
        "created": result.created.isoformat(),
        "id": result.pk,
        "url": url,
    }
