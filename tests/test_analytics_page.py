"""The funnel numbers against a known walk, and the analytics page that shows them: the
date range and its messages, one version or all, the median and the weekly results."""

from __future__ import annotations

import base64
import datetime as dt
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decisionguide.analytics import counting as analytics
from decisionguide.analytics import report
from decisionguide.analytics.funnel import build_funnel
from decisionguide.analytics.report import Days
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import evaluate
from decisionguide.publishing.drafts import publish
from tests.answers import result_form
from tests.visits import Visit, take

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"

# The day: 8 visits, 3 finished, 4 abandoned, 1 routed away (tests/data/small-guide.yaml:
# "contracts" is asked only after shoots=many or unsure; helpers=second-shooter routes).
KNOWN_WALK = [
    Visit({"shoots": "many", "contracts": "always", "helpers": "no-one"}),  # 3 answers, result
    Visit({"shoots": "few", "helpers": "no-one"}),  # 2 answers, result
    Visit({"shoots": "unsure", "contracts": "rarely", "helpers": "no-one"}),  # 3, result
    Visit(leaves_after=0),  # saw the first question, left
    Visit(leaves_after=0),
    Visit({"shoots": "many"}, leaves_after=1),  # left at "contracts"
    Visit({"shoots": "unsure", "contracts": "always", "helpers": "no-one"}, saves=False),
    Visit({"shoots": "few", "helpers": "second-shooter"}),  # 2 answers, route page
]
ENDINGS = ["result", "result", "result", "left", "left", "left", "checked", "routed"]
# Answers per visit: 3, 2, 3, 0, 0, 1, 3, 2 -> sorted 0 0 1 2 | 2 3 3 3: the median is 2.
FUNNEL = {"shoots": (8, 6), "contracts": (4, 3), "helpers": (5, 5)}  # shown, answered


def walk_the_known_day(guide: Guide, doc: GuideDocument) -> None:
    visitor = Client()
    assert [take(visitor, doc, visit).ended for visit in KNOWN_WALK] == ENDINGS
    analytics.buffer.flush()  # as the worker's writer does within half a minute


def analytics_page(client: Client, guide: Guide, **query: str):
    return client.get(reverse("admin:guides_guide_analytics", args=[guide.pk]), query)


def squeezed(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


def figure(html: str, name: str) -> str:
    match = re.search(rf"<dt>{name}</dt> ?<dd>(.*?)</dd>", html)
    assert match, name
    return match.group(1)


def table_row(html: str, heading: str) -> list[str]:
    match = re.search(rf'<tr><th scope="row">{re.escape(heading)}</th>(.*?)</tr>', html)
    assert match, heading
    return re.findall(r"<td[^>]*>(.*?)</td>", match.group(1))


def funnel_bars(html: str) -> dict[str, float]:
    """The funnel picture's bars (an SVG in a data: URI): tooltip -> width."""
    src = re.search(r'<img class="chart" id="funnel-chart" src="([^"]+)"', html).group(1)
    prefix = "data:image/svg+xml;base64,"
    assert src.startswith(prefix)
    root = ET.fromstring(base64.b64decode(src.removeprefix(prefix)))
    titled = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    return {r.find(f"{SVG}title").text: float(r.get("width")) for r in titled}


def test_the_funnel_numbers_of_a_known_walk(small_guide: Guide, small_document) -> None:
    walk_the_known_day(small_guide, small_document)
    version = small_guide.published_version.version
    funnel = build_funnel(small_guide, {version: small_document}, Days.ending_today(28))
    assert {q.slug: (q.shown, q.answered) for q in funnel.questions} == FUNNEL
    assert funnel.starts == 8
    assert funnel.results == [("Calendar-first", 2), ("Studio app", 1)]
    assert funnel.routes == [("shared-calendars", "helpers=second-shooter", 1)]
    assert funnel.completion == 100 * 3 / 8
    assert funnel.checks == 4  # three results and one left on the check page
    assert funnel.routed_share == 100 * 1 / 8
    assert funnel.median.value == 2
    assert funnel.median.visits == 8
    # The results the engine gives for the finished visits are the ones counted.
    finished = [v.picks for v, ended in zip(KNOWN_WALK, ENDINGS, strict=True) if ended == "result"]
    outcomes = sorted(evaluate(small_document, picks).outcome for picks in finished)
    assert outcomes == ["calendar", "calendar", "studio-app"]


def test_the_page_shows_the_known_walk(editor_client: Client, small_guide: Guide, small_document):
    walk_the_known_day(small_guide, small_document)
    response = analytics_page(editor_client, small_guide)  # default: the last 28 days
    assert response.status_code == 200
    html = squeezed(response)
    today = timezone.now().date()
    assert f"{today - dt.timedelta(days=27):%Y-%m-%d} to {today:%Y-%m-%d} (28 days)" in html
    assert "version 1 (published)" in html
    assert figure(html, "Visits started") == "8"
    assert figure(html, "Recommendations shown") == "3"
    assert figure(html, "Completion rate") == "38%"
    assert figure(html, "Sent to another page") == "1 (13%)"  # 12.5% rounds up
    assert figure(html, "Median questions answered") == "2"
    for question in small_document.questions:
        shown, answered = FUNNEL[question.slug]
        row = table_row(html, f"{question.prompt} <code>{question.slug}</code>")
        assert row[:3] == [str(shown), str(answered), str(shown - answered)]
    assert table_row(html, "Recommendation shown") == ["3"]
    assert table_row(html, "Check your answers") == ["4", "50% of visits started"]
    assert table_row(html, "Sent to another page") == ["1"]
    # The chart: bars scaled to the busiest step (8 shown), each with its number in words.
    bars = funnel_bars(html)
    first = small_document.questions[0].prompt
    full = bars[f"{first}: 8 shown"]
    assert bars[f"{first}: 6 answered (75% of shown)"] == pytest.approx(full * 6 / 8, abs=0.1)
    assert bars["Recommendation shown: 3 reached (38% of visits)"] == pytest.approx(
        full * 3 / 8, abs=0.1
    )
    assert bars["Sent to another page: 1 reached (13% of visits)"] == pytest.approx(
        full / 8, abs=0.1
    )
    assert bars["Check your answers: 4 reached (50% of visits)"] == pytest.approx(
        full * 4 / 8, abs=0.1
    )
    assert len(bars) == 2 * len(FUNNEL) + 3
    # Stored results this week: the three finished visits.
    monday = today - dt.timedelta(days=today.weekday())
    assert table_row(html, f"{monday:%Y-%m-%d}") == ["2", "1", "3"]


def test_results_without_a_visit_started_never_push_completion_past_100(
    editor_client: Client, small_guide: Guide, small_document
) -> None:
    """Two visits walk the questions; five results come from check pages opened directly
    (a shared link, a what-if saved): the rate counts the two visits, not 350%."""
    visitor = Client()
    done = {"shoots": "many", "contracts": "always", "helpers": "no-one"}
    for _ in range(2):
        assert take(visitor, small_document, Visit(done)).ended == "result"
    check = reverse("questionnaire-check", args=[small_document.slug])
    for _ in range(5):
        page = visitor.get(check, done)
        form = result_form(page.content.decode())
        assert visitor.post(form.action, dict(form.fields)).status_code == 303
    analytics.buffer.flush()
    funnel = build_funnel(small_guide, {1: small_document}, Days.ending_today(28))
    assert (funnel.starts, funnel.results_total, funnel.checks) == (2, 7, 7)
    assert (funnel.completed, funnel.results_unstarted, funnel.completion) == (2, 5, 100)
    html = squeezed(analytics_page(editor_client, small_guide))
    assert figure(html, "Recommendations shown") == "7"
    assert figure(html, "Completion rate") == "100%"
    assert "are left out: 5 on these days" in html
    assert table_row(html, "Check your answers") == ["7", "100% of visits started"]
    dashboard = squeezed(editor_client.get(reverse("admin:index")))
    assert "7 reached a recommendation: 100% completion" in dashboard


def test_a_range_of_days_counts_only_those_days(editor_client: Client, small_guide: Guide):
    for day, times in (
        (dt.date(2026, 3, 1), 2),
        (dt.date(2026, 3, 2), 3),
        (dt.date(2026, 3, 9), 5),
    ):
        analytics.bump(small_guide.pk, 1, "shoots", "", "shown", day, times)
    response = analytics_page(editor_client, small_guide, start="2026-03-02", end="2026-03-08")
    html = squeezed(response)
    assert "2026-03-02 to 2026-03-08 (7 days)" in html
    assert figure(html, "Visits started") == "3"
    # Depth was never counted on these days: the median says so instead of guessing.
    assert figure(html, "Median questions answered") == "-"
    assert "No answer was counted this way on these days." in html


def test_the_median_says_which_days_it_covers(small_guide: Guide, small_document) -> None:
    day = dt.date(2026, 3, 1)
    analytics.bump(small_guide.pk, 1, "shoots", "", "shown", day, 10)  # before depths existed
    later = day + dt.timedelta(days=5)
    analytics.bump(small_guide.pk, 1, "shoots", "", "shown", later, 3)
    for depth, times in ((1, 3), (2, 2), (3, 1)):
        analytics.bump(small_guide.pk, 1, "", str(depth), "depth", later, times)
    funnel = build_funnel(small_guide, {1: small_document}, Days(day, later))
    assert funnel.starts == 13
    # Over the 3 visits of the days with depths: 1, 2 and 3 answers.
    assert (funnel.median.value, funnel.median.visits) == (2, 3)
    assert funnel.median.days == Days(later, later)


def test_one_version_or_all_of_them(editor_client: Client, small_guide: Guide) -> None:
    day = timezone.now().date()
    analytics.bump(small_guide.pk, 1, "shoots", "", "shown", day, 4)
    analytics.bump(small_guide.pk, 1, "", "studio-app", "result", day, 1)
    Guide.objects.filter(pk=small_guide.pk).update(title="Second edition")
    small_guide.refresh_from_db()
    assert publish(small_guide).version == 2
    analytics.bump(small_guide.pk, 2, "shoots", "", "shown", day, 6)
    analytics.bump(small_guide.pk, 2, "", "calendar", "result", day, 3)
    newest = squeezed(analytics_page(editor_client, small_guide))
    assert "version 2 (published)" in newest
    assert figure(newest, "Visits started") == "6"
    assert figure(newest, "Completion rate") == "50%"
    older = squeezed(analytics_page(editor_client, small_guide, version="1"))
    assert figure(older, "Visits started") == "4"
    assert figure(older, "Completion rate") == "25%"
    both = squeezed(analytics_page(editor_client, small_guide, version="all"))
    assert "all versions (2, 1)" in both
    assert figure(both, "Visits started") == "10"
    assert figure(both, "Recommendations shown") == "4"
    assert table_row(both, "Calendar-first") == ["3"]
    assert table_row(both, "Studio app") == ["1"]
    versions = re.search(r'<select name="version".*?</select>', both, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', versions) == ["all", "2", "1"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-13-01"}, "From: Enter a date as YYYY-MM-DD"),
        ({"start": "yesterday"}, "From: Enter a date as YYYY-MM-DD"),
        ({"end": "2026-02-30"}, "To: Enter a date as YYYY-MM-DD"),
        ({"start": "2026-03-09", "end": "2026-03-02"}, "The start date is after the end date."),
        ({"end": "2999-01-01"}, "The end date can't be after today"),
        ({"start": "1900-01-01", "end": "2026-03-02"}, "Choose at most 1,098 days at a time."),
        ({"version": "99"}, "No visit was counted for version 99 and it is not published"),
        ({"version": "1' OR '1'='1"}, "and it is not published"),
        ({"start": "\x00", "version": "\u202e"}, "From: Enter a date"),
    ],
)
def test_bad_choices_get_a_message_and_the_default_view(
    editor_client: Client, small_guide: Guide, query: dict[str, str], message: str
) -> None:
    analytics.bump(small_guide.pk, 1, "shoots", "", "shown", timezone.now().date(), 7)
    response = analytics_page(editor_client, small_guide, **query)
    assert response.status_code == 200
    html = squeezed(response)
    assert "These choices can't be used, so the page shows the last 28 days" in html
    assert message in html
    assert "(28 days), version 1 (published)" in html
    assert figure(html, "Visits started") == "7"


def test_no_message_for_the_default_view(editor_client: Client, small_guide: Guide) -> None:
    html = squeezed(analytics_page(editor_client, small_guide))
    assert "These choices can't be used" not in html
    assert figure(html, "Visits started") == "0"
    assert figure(html, "Completion rate") == "-"


def test_staff_without_the_analytics_permission_are_refused(
    client: Client, small_guide: Guide, django_user_model
) -> None:
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_guide"))
    client.force_login(user)
    assert analytics_page(client, small_guide).status_code == 403


def test_median_and_histogram_from_depths() -> None:
    # 8 visits; 6 gave a first answer, 5 a second, 3 a third (the known walk).
    histogram = report.answered_histogram(8, {1: 6, 2: 5, 3: 3})
    assert histogram == [2, 1, 2, 3]
    assert report.median(histogram) == 2
    assert report.median([0, 1, 0, 2]) == 3  # 1, 3, 3
    assert report.median([1, 1]) == 0.5
    assert report.median([]) is None
    # Answers given again (Back, change) never make more visits than started.
    assert report.answered_histogram(2, {1: 3, 2: 1}) == [0, 1, 1]


def test_days_give_every_monday_they_touch() -> None:
    days = Days(dt.date(2026, 3, 4), dt.date(2026, 3, 16))  # a Wednesday to a Monday
    assert days.count == 13
    assert days.mondays() == [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)]


def test_the_form_shows_what_the_page_shows(editor_client: Client, small_guide: Guide) -> None:
    html = squeezed(analytics_page(editor_client, small_guide))
    today = timezone.now().date()
    assert re.search(rf'name="start" value="{today - dt.timedelta(days=27):%Y-%m-%d}"', html)
    assert re.search(rf'name="end" value="{today:%Y-%m-%d}"', html)
    assert re.findall(r'<option value="([^"]*)" selected>', html) == ["1"]
    chosen = squeezed(analytics_page(editor_client, small_guide, version="all", end="2026-03-02"))
    assert re.findall(r'<option value="([^"]*)" selected>', chosen) == ["all"]
    assert "2026-02-03 to 2026-03-02 (28 days), all versions" in chosen
