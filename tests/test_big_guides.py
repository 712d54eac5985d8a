"""Big guides stay fast (issue 25, item 7), and the review step holds for imports and loads.

The checks' cost is bounded by the guide's content: the bounded search's random
first look gives a fixed number of answers in all, and a time budget stops any
search a request waits for, with a "not fully checked" finding that blocks
publishing. No timings are asserted here: bench/run --checks measures them.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from decisionguide.checking import answer_space, checks
from decisionguide.checking.answer_space import RANDOM_ANSWERS_BUDGET, search
from decisionguide.checking.checks import check_document, report_lines
from decisionguide.checking.memo import Memo
from decisionguide.checking.problem_words import publish_problems
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import evaluate
from decisionguide.decision.parsing import parse_document
from decisionguide.publishing.drafts import record_edit
from tests.admin_forms import upload
from tests.guide_files import dumpguide, loadguide
from tests.limits_guide import guide_at_the_limits


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def no_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests get no time for the checks: every search stops at its first look at the clock."""
    monkeypatch.setattr(checks, "CHECK_TIME_BUDGET", 0.0)
    monkeypatch.setattr(answer_space, "CLOCK_EVERY", 1)
    monkeypatch.setattr(checks, "_reports", Memo(size=16))
    # Nor a search kept from a document with the same logic (a text edit reuses it).
    monkeypatch.setattr(checks, "_searches", Memo(size=16))


# ---------------------------------------------------------------------------
# The checks


def test_a_search_out_of_time_is_not_fully_checked_and_never_passes(
    small_document: GuideDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert check_document(small_document).passes
    monkeypatch.setattr(answer_space, "CLOCK_EVERY", 1)
    report = check_document(small_document, time_budget=0.0)
    reach = report.reachability
    assert not reach.finished and reach.stopped_after == 0.0
    # What it did not get to is not called unreachable.
    assert reach.unreachable == ()
    assert not report.passes
    assert report.problems()[0].startswith("Not fully checked: the checks stopped after 0 sec")
    assert "manage.py checkguide, then loadguide" in report.problems()[0]
    text = "\n".join(report_lines(report, "small"))
    assert "search stopped unfinished after 0 seconds" in text


def test_a_report_cut_short_is_kept_a_while_then_checked_again(
    small_document: GuideDocument, monkeypatch: pytest.MonkeyPatch, no_time: None
) -> None:
    """A busy moment must not block publishing until the worker restarts."""
    now = [1000.0]

    def clock() -> float:  # a second passes at every look: a budget of 0 s is always over
        now[0] += 1
        return now[0]

    monkeypatch.setattr(checks.time, "monotonic", clock)
    assert not checks.report_of(small_document).reachability.finished
    # The machine is quiet again (the search never needs the clock), but within the retry
    # window the kept report answers.
    monkeypatch.setattr(answer_space, "CLOCK_EVERY", 10**9)
    assert not checks.report_of(small_document).reachability.finished
    now[0] += checks.RETRY_CUT_SHORT_AFTER + 1
    again = checks.report_of(small_document)
    assert again.reachability.finished and again.passes


def test_the_guide_at_the_limits_is_searched_within_a_budget_of_answers() -> None:
    doc = parse_document(guide_at_the_limits())
    reach, coherence = search(doc)
    assert reach.method == "bounded" and reach.finished
    # The random first look gives at most RANDOM_ANSWERS_BUDGET answers in all; every
    # outcome was found by then, so the hill climbs had nothing left to do.
    assert reach.tried <= RANDOM_ANSWERS_BUDGET // len(doc.questions)
    assert set(reach.outcomes) == {o.slug for o in doc.outcomes}
    for outcome, answers in reach.outcomes.items():
        assert evaluate(doc, answers).outcome == outcome
    assert coherence.holds
    assert "more than 10⁹¹" in str(reach.describe_method())


# ---------------------------------------------------------------------------
# Out of time in the admin


@pytest.mark.django_db
def test_the_admin_says_not_fully_checked_and_refuses_to_publish(
    superuser_client: Client, small_guide: Guide, no_time: None
) -> None:
    Guide.objects.filter(pk=small_guide.pk).update(title="A changed title")
    small_guide.refresh_from_db()
    record_edit(small_guide)
    checks_page = text_of(
        superuser_client.get(reverse("admin:guides_guide_checks", args=[small_guide.pk]))
    )
    assert "Not fully checked: the checks stopped after 0 seconds" in checks_page
    dashboard = text_of(superuser_client.get(reverse("admin:index")))
    assert "not fully checked" in dashboard
    refused = superuser_client.post(
        reverse("admin:guides_guide_publish", args=[small_guide.pk]),
        {"version": str(small_guide.version), "from": "checks"},
        follow=True,
    )
    assert "Not published: every check must pass first. Not fully checked" in text_of(refused)
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 1


@pytest.mark.django_db
def test_the_checks_page_lists_a_few_answers_per_scenario_and_counts_the_rest(
    superuser_client: Client, small_guide: Guide, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the content limits a scenario has 300 answers: the page names a few, counts the rest."""
    from decisionguide.publishing import feedback

    url = reverse("admin:guides_guide_checks", args=[small_guide.pk])
    pushed = re.compile(r"<li>“[^<]*” → (?:<a [^>]*>)?“[^<]*”(?:</a>)? pushed ")
    every_answer = pushed.findall(text_of(superuser_client.get(url)))
    scenarios = small_guide.scenarios.count()
    assert len(every_answer) > scenarios  # some scenario lists more than one answer
    monkeypatch.setattr(feedback, "ANSWERS_SHOWN", 1)
    page = text_of(superuser_client.get(url))
    assert len(pushed.findall(page)) == scenarios
    left_out = sum(int(n) for n in re.findall(r"and (\d+) more answers?, not listed", page))
    assert left_out == len(every_answer) - scenarios


@pytest.mark.django_db
def test_loadguide_checks_in_full_whatever_a_request_may_take(
    small_file: Path, tmp_path: Path, no_time: None
) -> None:
    data = yaml.safe_load(small_file.read_text(encoding="utf-8"))
    assert str(publish_problems(parse_document(data))[0]).startswith("Not fully checked")
    data["title"] = "Loaded in full"
    changed = tmp_path / "small.yaml"
    changed.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = loadguide(changed)
    assert "created (version 1)" in out and "not published" not in out
    guide = Guide.objects.get(slug=data["slug"])
    assert guide.is_listed and guide.published_version.version == 1


# ---------------------------------------------------------------------------
# The review step holds for imports and loadguide


@pytest.fixture
def reviewed_guide(small_guide: Guide) -> Guide:
    Guide.objects.filter(pk=small_guide.pk).update(publishing_needs_review=True)
    small_guide.refresh_from_db()
    return small_guide


def changed_file(guide: Guide) -> str:
    data = yaml.safe_load(dumpguide(guide.slug))
    data["title"] = "Imported for review"
    return yaml.safe_dump(data)


@pytest.mark.django_db
def test_import_and_publish_marks_a_reviewed_guide_ready_for_review(
    editor_client: Client, reviewed_guide: Guide, django_user_model
) -> None:
    response = upload(editor_client, changed_file(reviewed_guide), publish=True)
    page = text_of(response)
    assert "marked it ready for review: publishing this guide needs a review" in page
    reviewed_guide.refresh_from_db()
    assert reviewed_guide.ready_for_review
    assert reviewed_guide.review_requested_by.get_username() == "editor"
    # Not published: visitors see version 1, with its old title.
    assert reviewed_guide.published_version.version == 1
    public = Client().get(reviewed_guide.get_absolute_url()).content.decode()
    assert "Imported for review" not in public
    # The dashboard card says who asked, and when.
    reviewer = django_user_model.objects.create_user("reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Editors"), Group.objects.get(name="Reviewers"))
    other = Client()
    other.force_login(reviewer)
    card = re.sub(r"<[^>]+>", "", text_of(other.get(reverse("admin:index"))))
    asked = reviewed_guide.review_requested_at.strftime("%Y-%m-%d %H:%M")
    assert (
        f"ready for review: version {reviewed_guide.version}, asked by editor on {asked} UTC"
        in card
    )


@pytest.mark.django_db
def test_the_dashboard_says_when_no_review_was_asked_for(
    superuser_client: Client, reviewed_guide: Guide
) -> None:
    card = text_of(superuser_client.get(reverse("admin:index")))
    assert "needed before publishing: no one has marked the draft ready for review" in card


@pytest.mark.django_db
def test_loadguide_never_publishes_a_guide_that_needs_a_review(
    reviewed_guide: Guide, tmp_path: Path
) -> None:
    path = tmp_path / "reviewed.yaml"
    path.write_text(changed_file(reviewed_guide), encoding="utf-8")
    out = loadguide(path)
    assert "not published: publishing this guide needs a review" in out
    reviewed_guide.refresh_from_db()
    assert reviewed_guide.title == "Imported for review"  # the draft
    assert reviewed_guide.published_version.version == 1
    assert reviewed_guide.is_listed
