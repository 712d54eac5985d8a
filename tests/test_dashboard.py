"""The admin's home: a summary of every guide for editors, the stock lists for administrators."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisionguide.analytics.models import AnswerCounter
from decisionguide.content.models import Guide, GuideItem
from decisionguide.editor.admin_site import EDITOR_ORDER
from decisionguide.guidefiles.loading import apply_document
from decisionguide.publishing.admin_pages import PARTS
from decisionguide.publishing.drafts import record_edit
from tests.builders import tiny_document
from tests.questionnaire_pages import PageReader

pytestmark = pytest.mark.django_db

HOME = "admin:index"


def summaries(html: str) -> dict[str, PageReader]:
    """Each guide's section of the home page, by the guide's title (its heading)."""
    found = {}
    for section in re.findall(r'<section class="guide-summary".*?</section>', html, re.S):
        reader = PageReader(section)
        heading = re.search(
            r"<h2[^>]*><a [^>]*>(.*?)</a>[^<]*(?:<span[^>]*>[^<]*</span>)?</h2>", section, re.S
        )
        assert heading is not None
        found[unescape(heading.group(1))] = reader
    return found


def links_of(reader: PageReader) -> dict[str, str]:
    return {" ".join(link["text"].split()): link["href"] for link in reader.links}


def section_text(html: str, guide: Guide) -> str:
    match = re.search(
        rf'<section[^>]*aria-labelledby="guide-{guide.pk}-title".*?</section>', html, re.S
    )
    assert match is not None
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(0))).split())


def count(guide: Guide, kind: str, question: str, choice: str, days_ago: int, n: int) -> None:
    AnswerCounter.objects.create(
        guide=guide,
        version=guide.published_version.version,
        question=question,
        choice=choice,
        day=timezone.now().date() - dt.timedelta(days=days_ago),
        kind=kind,
        count=n,
    )


def test_an_editor_sees_each_guide_with_its_state_checks_week_and_links(
    editor_client: Client, editor_user, small_guide: Guide, seed_guide: Guide
) -> None:
    # The small guide's draft moves past what visitors see, with a failing scenario.
    scenario = small_guide.scenarios.order_by("order").first()
    other = small_guide.outcomes.exclude(pk=scenario.outcome_id).first()
    scenario.outcome = other
    scenario.save()
    record_edit(small_guide, user=editor_user, note="Expect another outcome")
    small_guide.refresh_from_db()
    # Last week: 4 visits started, 1 ended in a result; older counts and later questions don't.
    doc = small_guide.published_document()
    first, second = doc.questions[0].slug, doc.questions[1].slug
    count(small_guide, "shown", first, "", 0, 3)
    count(small_guide, "shown", first, "", 6, 1)
    count(small_guide, "shown", first, "", 7, 50)
    count(small_guide, "shown", second, "", 0, 40)
    count(small_guide, "result", "", doc.outcomes[0].slug, 1, 1)
    count(small_guide, "result", "", doc.outcomes[0].slug, 9, 30)

    response = editor_client.get(reverse(HOME))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Django administration" not in html
    assert str(admin.site.site_header) in html and str(admin.site.index_title) in html
    sections = summaries(html)
    assert set(sections) == {small_guide.title, seed_guide.title}

    small = section_text(html, small_guide)
    assert f"Visitors see version {small_guide.published_version.version}" in small
    assert f"Draft version {small_guide.version}, saved" in small
    assert f"by {editor_user.get_username()} (not published yet)" in small
    total = small_guide.scenarios.count()
    assert f"1 of {total} scenario{'s' if total > 1 else ''} failing" in small
    assert "4 visits started" in small and "1 reached a recommendation: 25% completion" in small

    links = links_of(sections[small_guide.title])
    pk = small_guide.pk
    assert links[small_guide.title] == reverse("admin:guides_guide_change", args=[pk])
    assert links["See the checks"] == reverse("admin:guides_guide_checks", args=[pk])
    assert links["Try the draft"] == reverse("admin:guides_guide_try", args=[pk])
    assert links["Logic map"] == reverse("admin:guides_guide_logic", args=[pk])
    assert links["Analytics"] == reverse("admin:guides_guide_analytics", args=[pk])
    publish = f"Review and publish version {small_guide.version}"
    assert links[publish] == reverse("admin:guides_guide_checks", args=[pk]) + "#publish_form"
    # The seed guide is published as it is: nothing to publish, every check passes.
    seed = section_text(html, seed_guide)
    assert (
        "(what visitors see)" in seed and f"0 of {seed_guide.scenarios.count()} scenarios" in seed
    )
    assert not any(t.startswith("Review and publish") for t in links_of(sections[seed_guide.title]))


def test_parts_are_listed_under_their_guide_in_the_editors_order(
    editor_client: Client, seed_guide: Guide, small_guide: Guide
) -> None:
    html = editor_client.get(reverse(HOME)).content.decode()
    reader = summaries(html)[seed_guide.title]
    hrefs = [link["href"] for link in reader.links]
    wanted = [
        f"{reverse(f'admin:guides_{model}_changelist')}?guide__id__exact={seed_guide.pk}"
        for model in ("question", "outcome", "criterion", "scenario", "note", "gate", "linkedpage")
    ]
    listed = [h for h in hrefs if "guide__id__exact" in h]
    assert listed[: len(wanted)] == wanted
    text = section_text(html, seed_guide)
    sizes = {
        "Questions": seed_guide.questions.count(),
        "Outcomes": seed_guide.outcomes.count(),
        "Gates": seed_guide.gates.count(),
        "Notes": seed_guide.notes.count(),
        GuideItem._meta.verbose_name_plural.capitalize(): seed_guide.items.count(),
    }
    for name, size in sizes.items():
        assert f"{name} ({size})" in text
    assert [name for name, _, _ in PARTS][:2] == ["Questions", "Outcomes"]


USERS = "admin:auth_user_changelist"
GROUPS = "admin:auth_group_changelist"
RESULTS = "admin:results_result_changelist"


def home_links(client: Client) -> set[str]:
    html = client.get(reverse(HOME)).content.decode()
    return {link.get("href") for link in PageReader(html).links}


def test_an_editor_sees_the_results_list_but_no_user_admin(
    editor_client: Client, small_guide: Guide
) -> None:
    found = home_links(editor_client)
    assert reverse(RESULTS) in found
    assert reverse(USERS) not in found and reverse(GROUPS) not in found


def test_a_superuser_also_sees_every_stock_list(superuser_client: Client, small_guide: Guide):
    html = superuser_client.get(reverse(HOME)).content.decode()
    found = {link.get("href") for link in PageReader(html).links}
    stock = [USERS, GROUPS, RESULTS, "admin:guides_guideversion_changelist"]
    assert {reverse(name) for name in stock} <= found
    assert small_guide.title in summaries(html)


def test_the_guide_lists_follow_the_editors_order_everywhere(superuser_client: Client, db) -> None:
    request = superuser_client.get(reverse(HOME)).wsgi_request
    guides_app = next(
        app for app in admin.site.get_app_list(request) if app["app_label"] == "guides"
    )
    names = [model["object_name"].lower() for model in guides_app["models"]]
    assert names == [name for name in EDITOR_ORDER if name in names]
    assert admin.site.get_app_list(request)[0]["app_label"] == "guides"
    # Named for what they are, not "guide items" beside "list items".
    assert "item" not in str(GuideItem._meta.verbose_name_plural)


def test_the_home_page_query_count_does_not_grow_with_the_guides(
    editor_client: Client, small_guide: Guide
) -> None:
    def queries() -> int:
        editor_client.get(reverse(HOME))  # warm-up: checks are memoised per version
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(reverse(HOME)).status_code == 200
        return len(captured.captured_queries)

    one = queries()
    for number in range(3):
        apply_document(tiny_document().model_copy(update={"slug": f"tiny-{number}"}), publish=True)
    assert Guide.objects.count() == 4
    assert queries() == one
    assert one <= DASHBOARD_QUERY_BUDGET


# Session, user, the user's permissions (two), the guides, their drafts, the week's counters,
# the recent-actions box.
DASHBOARD_QUERY_BUDGET = 8


def test_staff_without_guide_rights_get_no_summaries(
    small_guide: Guide, django_user_model, client: Client
) -> None:
    client.force_login(django_user_model.objects.create_user("staff", is_staff=True))
    response = client.get(reverse(HOME))
    assert response.status_code == 200
    assert response.context["guides"] == []
    assert small_guide.title not in response.content.decode()


def test_a_guide_whose_rows_make_no_guide_is_listed_with_the_reason(
    editor_client: Client, small_guide: Guide, half_made_guide: Guide
) -> None:
    broken = half_made_guide
    response = editor_client.get(reverse(HOME))
    assert response.status_code == 200
    html = response.content.decode()
    assert set(summaries(html)) == {small_guide.title, broken.title}
    assert "Checks of the draft can't be run" in section_text(html, broken)
