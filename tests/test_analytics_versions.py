"""Analytics attribution across a publish: every event counts under the version its page
showed, whenever the worker writes it and whatever is published by then."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from decisionguide.analytics import counting as analytics
from decisionguide.analytics import report
from decisionguide.analytics.models import AnswerCounter
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.pagecache import find_guide_page
from decisionguide.publishing.drafts import publish
from tests.visits import Visit, take

pytestmark = pytest.mark.django_db

WEDDINGS = Visit({"shoots": "many", "contracts": "always", "helpers": "no-one"})


def publish_an_edit(guide: Guide) -> int:
    """Change the draft and publish it: the new published version's number."""
    Guide.objects.filter(pk=guide.pk).update(title=f"{guide.title} (revised)")
    guide.refresh_from_db()
    return publish(guide).version


def written_by_version(guide: Guide) -> Counter[int]:
    """Events in the database per version, once the buffer is written."""
    analytics.buffer.flush()
    found: Counter[int] = Counter()
    for version, number in AnswerCounter.objects.filter(guide=guide).values_list(
        "version", "count"
    ):
        found[version] += number
    return found


def test_a_walk_on_one_version_stays_counted_under_it_after_a_publish_before_the_write(
    client: Client, small_guide: Guide, small_document: GuideDocument
) -> None:
    served = small_guide.published_version.version
    walked = take(client, small_document, WEDDINGS)
    assert walked.ended == "result"
    take(client, small_document, Visit(leaves_after=0))
    # Nothing written yet: the next publish happens while the events wait in the buffer.
    assert not AnswerCounter.objects.exists()
    assert analytics.buffer.pending() > 0
    newer = publish_an_edit(small_guide)
    assert newer == served + 1
    # 3 questions shown and answered (each its depth), the check page, 1 result; the
    # visitor who left saw the first question.
    assert written_by_version(small_guide) == {served: 3 + 3 + 3 + 1 + 1 + 1}
    counts = report.totals(small_guide, served)
    assert counts["shown", "shoots", ""] == 2
    assert counts["answered", "contracts", "always"] == 1
    assert counts["result", "", "studio-app"] == 1
    assert counts["check", "", ""] == 1
    assert report.totals(small_guide, newer) == {}


def test_the_rest_of_a_walk_counts_under_the_version_its_pages_show(
    client: Client, small_guide: Guide, small_document: GuideDocument
) -> None:
    served = small_guide.published_version.version
    first = reverse("questionnaire-question", args=[small_guide.slug, "shoots"])
    assert client.get(first).status_code == 200  # shown by the old version
    newer = publish_an_edit(small_guide)
    answer = reverse("questionnaire-answer", args=[small_guide.slug, "shoots"])
    assert client.get(answer, {"shoots": "few"}).status_code == 303  # taken by the new one
    assert client.get(first).status_code == 200  # rendered and cached under the old: not reused
    analytics.buffer.flush()
    rows = AnswerCounter.objects.filter(guide=small_guide)
    assert sorted(rows.values_list("version", "kind", "choice", "count")) == [
        (served, "shown", "", 1),
        (newer, "answered", "few", 1),
        (newer, "depth", "1", 1),
        (newer, "shown", "", 1),
    ]


def test_a_request_that_found_its_page_before_a_publish_counts_under_that_page(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    # A request in flight: it looked the guide up, then an editor published.
    served = small_guide.published_version.version
    request = RequestFactory().get("/")
    request.user = type("Anonymous", (), {"is_staff": False})()
    page = find_guide_page(request, small_guide.slug, staff_see_unlisted=False)
    publish_an_edit(small_guide)
    analytics.question_shown(page, small_document.questions[0])
    assert written_by_version(small_guide) == {served: 1}
