"""Questionnaire analytics: server-side daily counters, and the admin page that reads them."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisionguide.analytics import counting as analytics
from decisionguide.analytics import report
from decisionguide.analytics.counting import Event
from decisionguide.analytics.models import AnswerCounter
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import clean_answers, next_question
from decisionguide.publishing.drafts import publish
from decisionguide.results.stats import weekly_results

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def counts(guide: Guide) -> dict[tuple[str, str, str], int]:
    """The guide's counters once the buffer is written, as the worker's writer thread does."""
    analytics.buffer.flush()
    return {
        (c.kind, c.question, c.choice): c.count for c in AnswerCounter.objects.filter(guide=guide)
    }


def walk(client: Client, doc: GuideDocument, answers: dict[str, str], *, htmx: bool) -> list:
    """Answer like a visitor: question page, then its answer, until nothing is left to ask."""
    responses = []
    given: dict[str, str] = {}
    extra = HTMX if htmx else {}
    start = client.get(reverse("questionnaire-start", args=[doc.slug]), **extra)
    responses.append(start)
    while (question := next_question(doc, given)) is not None:
        if not htmx:  # with HTMX the previous response already showed this question
            url = reverse("questionnaire-question", args=[doc.slug, question.slug])
            responses.append(client.get(url, given))
        given[question.slug] = answers[question.slug]
        url = reverse("questionnaire-answer", args=[doc.slug, question.slug])
        responses.append(client.get(url, given, **extra))
    return responses


def scenario_answers(doc: GuideDocument) -> dict[str, str]:
    """The small guide's scenario, completed with the first choice of what it leaves out."""
    answers = dict(doc.scenarios[0].answers)
    for question in doc.questions:
        answers.setdefault(question.slug, question.choices[0].slug)
    return answers


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_walk_through_counts_each_question_shown_and_answered(
    client: Client, small_guide: Guide, small_document: GuideDocument, htmx: bool
) -> None:
    answers = scenario_answers(small_document)
    responses = walk(client, small_document, answers, htmx=htmx)
    asked = [q for q in small_document.questions if q.slug in counted_questions(small_guide)]
    assert asked  # the walk asked something
    found = counts(small_guide)
    for question in asked:
        assert found[("shown", question.slug, "")] == 1
        assert found[("answered", question.slug, answers[question.slug])] == 1
    # Each answer was the walk's next: one depth counter per number of answers so far.
    depths = {int(choice): n for (kind, _, choice), n in found.items() if kind == "depth"}
    assert depths == {number: 1 for number in range(1, len(asked) + 1)}
    assert sum(found.values()) == 3 * len(asked)
    row = AnswerCounter.objects.filter(guide=small_guide).first()
    assert row.version == small_guide.published_version.version
    assert row.day == timezone.now().date()
    # Counting sets no cookie (the check page's save form may set Django's CSRF cookie).
    assert {name for r in responses for name in r.cookies} <= {"csrftoken"}


def counted_questions(guide: Guide) -> set[str]:
    analytics.buffer.flush()
    return set(AnswerCounter.objects.filter(guide=guide).values_list("question", flat=True))


def test_counts_add_up_per_day(client: Client, small_guide: Guide, small_document) -> None:
    question = small_document.questions[0]
    url = reverse("questionnaire-question", args=[small_guide.slug, question.slug])
    for _ in range(3):
        assert client.get(url).status_code == 200
    assert counts(small_guide) == {("shown", question.slug, ""): 3}
    assert AnswerCounter.objects.count() == 1


def test_an_invalid_answer_is_not_counted(client: Client, small_guide: Guide, small_document):
    question = small_document.questions[0]
    url = reverse("questionnaire-answer", args=[small_guide.slug, question.slug])
    client.get(url, {question.slug: "not-a-choice"})
    client.get(url)  # nothing picked
    assert counts(small_guide) == {}


def test_staff_previews_are_not_counted(
    editor_client: Client, small_guide: Guide, small_document
) -> None:
    question = small_document.questions[0]
    url = reverse("questionnaire-question", args=[small_guide.slug, question.slug])
    answer = reverse("questionnaire-answer", args=[small_guide.slug, question.slug])
    for _ in range(2):
        page = editor_client.get(url, {"preview": "draft"})
        assert b"Draft preview" in page.content
        editor_client.get(answer, {"preview": "draft", question.slug: question.choices[0].slug})
    assert counts(small_guide) == {}
    editor_client.get(url)  # the same editor on the published page is counted: the test can fail
    assert counts(small_guide) == {("shown", question.slug, ""): 1}


def test_counts_follow_the_published_version(
    client: Client, small_guide: Guide, small_document
) -> None:
    question = small_document.questions[0]
    url = reverse("questionnaire-question", args=[small_guide.slug, question.slug])
    client.get(url)
    analytics.buffer.flush()
    Guide.objects.filter(pk=small_guide.pk).update(title="Second edition")
    small_guide.refresh_from_db()
    publish(small_guide)
    client.get(url)
    analytics.buffer.flush()
    versions = sorted(AnswerCounter.objects.values_list("version", "count"))
    assert versions == [(1, 1), (2, 1)]
    assert report.counted_versions(small_guide) == [2, 1]


def test_a_failing_counter_write_never_reaches_the_page_and_loses_nothing(
    client: Client, small_guide: Guide, small_document, caplog
) -> None:
    question = small_document.questions[0]
    url = reverse("questionnaire-question", args=[small_guide.slug, question.slug])
    with mock.patch.object(analytics, "bump", side_effect=OperationalError("database is locked")):
        # The page only counts in memory: it is served while every write would fail.
        assert client.get(url).status_code == 200
        assert analytics.buffer.pending() == 1
        with pytest.raises(OperationalError):
            analytics.buffer.flush()
        assert not analytics.buffer.flush_quietly()  # the writer thread's way: logged
    assert "kept for the next try (1 events): OperationalError: database is locked" in caplog.text
    # Kept for the next try, which succeeds once the database takes writes again.
    assert analytics.buffer.pending() == 1
    assert counts(small_guide) == {("shown", question.slug, ""): 1}
    assert analytics.buffer.pending() == 0


def test_the_page_runs_no_query_for_counting(
    client: Client, small_guide: Guide, small_document, settings
) -> None:
    # Even when the events are due for writing, the request leaves that to the writer.
    settings.DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS = 1
    question = small_document.questions[0]
    url = reverse("questionnaire-question", args=[small_guide.slug, question.slug])
    assert client.get(url).status_code == 200  # warm: documents and pages memoised
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert not [q for q in queries.captured_queries if AnswerCounter._meta.db_table in q["sql"]]
    assert analytics.buffer.pending() == 2


def background_buffer(settings, monkeypatch) -> analytics.EventBuffer:
    """A buffer of its own with the writer thread on, writing through `write_counts`."""
    settings.DECISIONGUIDE_ANALYTICS_BACKGROUND = True
    settings.DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS = 0.2
    settings.DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS = 1000
    monkeypatch.setattr(analytics, "RETRY_SECONDS", 0.1)
    return analytics.EventBuffer()


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_the_writer_thread_writes_on_its_timer_and_retries_after_a_failure(
    settings, monkeypatch
) -> None:
    attempts: list[int] = []
    written: list[tuple[int, list]] = []

    def write(guide_id: int, counts: list) -> None:  # no database: only the thread is tested
        attempts.append(guide_id)
        if len(attempts) == 1:
            raise OperationalError("database is locked")
        written.append((guide_id, counts))

    monkeypatch.setattr(analytics, "write_counts", write)
    own = background_buffer(settings, monkeypatch)
    own.add(Event(7, 1, "shown", "q1", ""))
    own.add(Event(7, 1, "answered", "q1", "yes"))
    # Far fewer events than a flush needs: the timer writes them anyway (a quiet site).
    assert wait_for(lambda: bool(written))
    today = timezone.now().date()
    assert len(attempts) == 2  # the first try failed and kept the events for the second
    # In the one order every worker writes in (sorted), whatever order they came in.
    assert written == [
        (7, [(1, "answered", "q1", "yes", today, 1), (1, "shown", "q1", "", today, 1)])
    ]
    assert own.pending() == 0


def test_enough_events_wake_the_writer_before_its_timer(settings, monkeypatch) -> None:
    written: list[int] = []
    monkeypatch.setattr(analytics, "write_counts", lambda guide, counts: written.append(guide))
    own = background_buffer(settings, monkeypatch)
    settings.DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS = 3600
    settings.DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS = 2
    own.add(Event(7, 1, "shown", "q1", ""))
    own.add(Event(7, 1, "shown", "q2", ""))
    assert wait_for(lambda: written == [7])


def test_waiting_events_are_bounded(monkeypatch, caplog) -> None:
    monkeypatch.setattr(analytics, "MAX_PENDING_COUNTERS", 2)
    own = analytics.EventBuffer()
    for question in ("q1", "q2", "q3", "q1"):  # the last: an existing counter still counts
        own.add(Event(7, 1, "shown", question, ""))
    assert own.pending() == 3
    monkeypatch.setattr(analytics, "write_counts", lambda guide, counts: None)
    assert own.flush_quietly()
    assert "1 questionnaire events dropped: over 2 counters waiting" in caplog.text


def test_other_pages_are_not_counted(client: Client, small_guide: Guide) -> None:
    client.get(small_guide.get_absolute_url())
    client.get(reverse("questionnaire-question", args=[small_guide.slug, "no-such-question"]))
    analytics.buffer.flush()
    assert AnswerCounter.objects.count() == 0


def test_bump_counts_with_one_row_per_day(small_guide: Guide) -> None:
    day = dt.date(2026, 3, 2)
    for _ in range(2):
        analytics.bump(small_guide.pk, 1, "shoots", "many", "answered", day)
    analytics.bump(small_guide.pk, 1, "shoots", "many", "answered", day + dt.timedelta(days=1))
    assert sorted(AnswerCounter.objects.values_list("day", "count")) == [
        (day, 2),
        (day + dt.timedelta(days=1), 1),
    ]


# --- Reading them back ---------------------------------------------------------------------


def test_question_stats_give_shares_and_where_visitors_stop(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    question = small_document.questions[0]
    first, second = question.choices[0], question.choices[1]
    day = dt.date(2026, 3, 2)
    for _ in range(4):
        analytics.bump(small_guide.pk, 1, question.slug, "", "shown", day)
    for slug in (first.slug, first.slug, second.slug):
        analytics.bump(small_guide.pk, 1, question.slug, slug, "answered", day)
    stats = report.question_stats(report.totals(small_guide, 1), small_document)
    assert [s.slug for s in stats] == [q.slug for q in small_document.questions]
    top = stats[0]
    assert (top.shown, top.answered, top.stopped) == (4, 3, 1)
    assert top.answer_rate == 75
    shares = {c.slug: (c.count, round(c.share)) for c in top.choices}
    assert shares[first.slug] == (2, 67)
    assert shares[second.slug] == (1, 33)


def routing_answer(doc: GuideDocument):
    """The first question with a choice that sends visitors elsewhere, and that choice."""
    return next((q, c) for q in doc.questions for c in q.choices if c.route)


def test_a_route_page_shown_counts_as_the_route_taken(
    client: Client, small_guide: Guide, small_document: GuideDocument
) -> None:
    question, choice = routing_answer(small_document)
    answers = clean_answers(
        small_document, {**scenario_answers(small_document), question.slug: choice.slug}
    )
    assert answers[question.slug] == choice.slug
    route = reverse("questionnaire-route", args=[small_guide.slug])
    for _ in range(2):  # the second comes from the page cache and counts too
        assert client.get(route, answers).status_code == 200
    assert counts(small_guide) == {("routed", question.slug, choice.slug): 2}
    taken = report.routes_taken(report.totals(small_guide, 1), small_document)
    assert taken == [(choice.route, f"{question.slug}={choice.slug}", 2)]


def test_weekly_results_count_outcomes_per_week(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    from decisionguide.results.models import Result

    outcome = small_document.outcomes[0].slug
    now = timezone.now()
    for created in (now, now, now - dt.timedelta(weeks=1)):
        Result.objects.create(
            guide_version=small_guide.published_version,
            answers={},
            decision={"outcome": outcome, "route": None},
            created=created,
        )
    Result.objects.create(
        guide_version=small_guide.published_version,
        answers={},
        decision={"outcome": outcome},
        created=now - dt.timedelta(weeks=30),  # too old for the table
    )
    weekly = weekly_results(small_guide, small_document)
    assert weekly.columns[: len(small_document.outcomes)] == [
        o.slug for o in small_document.outcomes
    ]
    rows = weekly.rows()
    assert [total for _, _, total in rows] in ([2, 1], [3])  # two weeks, unless both fall in one
    assert sum(total for _, _, total in rows) == 3


def test_the_analytics_page_shows_the_counts(
    editor_client: Client, small_guide: Guide, small_document: GuideDocument
) -> None:
    question = small_document.questions[0]
    analytics.bump(small_guide.pk, 1, question.slug, "", "shown", dt.date(2026, 3, 2))
    analytics.bump(
        small_guide.pk, 1, question.slug, question.choices[0].slug, "answered", dt.date(2026, 3, 2)
    )
    url = reverse("admin:guides_guide_analytics", args=[small_guide.pk])
    response = editor_client.get(url, {"start": "2026-03-02", "end": "2026-03-02"})
    html = response.content.decode()
    assert response.status_code == 200
    assert question.prompt in html
    assert "100%" in html  # the one answer is all of that question's answers
