"""The editor admin: the draft, publishing and unpublishing, and the scenario checks.

Forms are submitted the way a browser would (tests/admin_forms.py).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.publishing.drafts import record_edit
from tests.admin_forms import Form, admin_form, change_url, inline_prefix, post, read_form

pytestmark = pytest.mark.django_db


# --- Draft and publish -------------------------------------------------------------------


def checks_url(guide: Guide) -> str:
    return reverse("admin:guides_guide_checks", args=[guide.pk])


def publish_url(guide: Guide) -> str:
    return reverse("admin:guides_guide_publish", args=[guide.pk])


PUBLISH_PAGES = {"change": change_url, "checks": checks_url}


def publish_form(client: Client, guide: Guide, where: str = "change") -> Form:
    """The publish button's form on the guide's change or checks page, as loaded now."""
    form = read_form(client, PUBLISH_PAGES[where](guide), "publish_form")
    assert form.names(), f"the {where} page offers no publish button"
    return form


def save_title(guide: Guide, title: str) -> None:
    """Another editor's save: a new draft version that passes every scenario."""
    Guide.objects.filter(pk=guide.pk).update(title=title)
    guide.refresh_from_db()  # record_edit reads the guide's own fields from the instance
    assert record_edit(guide, note=f"Retitled {title}") is not None


def test_the_draft_is_invisible_to_visitors_until_published(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    visitor = Client()
    old_title = small_document.title
    form = admin_form(superuser_client, small_guide)
    form["title"] = "A brand new title"
    assert post(superuser_client, change_url(small_guide), form).status_code == 302

    page = visitor.get(small_guide.get_absolute_url()).content.decode()
    assert old_title in page
    assert "A brand new title" not in page

    assert (
        post(
            superuser_client, publish_url(small_guide), publish_form(superuser_client, small_guide)
        ).status_code
        == 302
    )
    page = visitor.get(small_guide.get_absolute_url()).content.decode()
    assert "A brand new title" in page
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == small_guide.version == 2


def test_publishing_is_refused_while_a_scenario_fails(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    scenario = small_document.scenarios[0]
    question = small_guide.questions.get(slug=next(iter(scenario.answers)))
    choice = question.choices.get(slug=scenario.answers[question.slug])
    loser = small_guide.outcomes.exclude(slug=scenario.outcome).first()
    # A heavy weight for another outcome on the scenario's own answer: it now fails.
    form = admin_form(superuser_client, question)
    prefix = inline_prefix(form, "choices")
    index = list(question.choices.order_by("order", "id")).index(choice)
    form[f"{prefix}-{index}-points_{loser.pk}"] = "99"
    assert post(superuser_client, change_url(question), form).status_code == 302
    checks = superuser_client.get(reverse("admin:guides_guide_checks", args=[small_guide.pk]))
    assert "Fail" in checks.content.decode()

    # No button offers it now; a hand-made POST of the current version is refused too.
    response = superuser_client.post(publish_url(small_guide), {"version": "2"}, follow=True)

    assert response.redirect_chain[-1][0] == checks_url(small_guide)
    assert "Not published: every scenario must give its expected outcome" in (
        response.content.decode()
    )
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 1
    assert small_guide.version == 2
    assert small_guide.published_document() == small_document


@pytest.mark.parametrize("where", PUBLISH_PAGES)
def test_publish_forms_carry_the_draft_version_they_show(
    superuser_client: Client, small_guide: Guide, where: str
) -> None:
    save_title(small_guide, "Seen by the editor")
    form = publish_form(superuser_client, small_guide, where)
    assert form["version"] == "2"
    assert form["from"] == where


@pytest.mark.parametrize("where", PUBLISH_PAGES)
def test_publishing_the_version_shown_publishes_it(
    editor_client: Client, small_guide: Guide, where: str
) -> None:
    save_title(small_guide, "Seen by the editor")
    form = publish_form(editor_client, small_guide, where)

    response = editor_client.post(publish_url(small_guide), form.data(), follow=True)

    assert response.redirect_chain[-1][0] == change_url(small_guide)
    assert "Published version 2: visitors see it now." in response.content.decode()
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 2
    assert "Seen by the editor" in Client().get(small_guide.get_absolute_url()).content.decode()


@pytest.mark.parametrize("where", PUBLISH_PAGES)
def test_a_publish_form_loaded_before_another_save_is_refused(
    editor_client: Client, small_guide: Guide, small_document, where: str
) -> None:
    save_title(small_guide, "Seen by the editor")
    form = publish_form(editor_client, small_guide, where)
    save_title(small_guide, "Saved by someone else since")  # passes every scenario

    response = editor_client.post(publish_url(small_guide), form.data(), follow=True)

    assert response.redirect_chain[-1][0] == PUBLISH_PAGES[where](small_guide)
    html = response.content.decode()
    assert (
        "Not published: this page showed version 2, but the draft moved on to version 3 "
        "since you loaded it. Review version 3 and publish again."
    ) in html
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 1
    assert small_guide.published_document() == small_document
    assert small_guide.versions.count() == 3  # nothing frozen for the refused publish
    # The page it went back to offers the new version, which publishes.
    assert "Publish version 3" in html
    form = publish_form(editor_client, small_guide, where)
    assert form["version"] == "3"
    assert post(editor_client, publish_url(small_guide), form).status_code == 302
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 3


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "is missing"),
        ({"version": ""}, "is missing"),
        ({"version": "  "}, "is missing"),
        ({"version": "two"}, "is not a version number"),
        ({"version": "2.0"}, "is not a version number"),
        ({"version": "-2"}, "is not a version number"),
        ({"version": "+2"}, "is not a version number"),
        ({"version": " 2"}, "is not a version number"),
        ({"version": "2_0"}, "is not a version number"),
        ({"version": "\u0662"}, "is not a version number"),  # Arabic-Indic two
        ({"version": "9" * 5000}, "is not a version number"),  # too long for int()
    ],
)
def test_publish_without_a_usable_version_is_refused(
    superuser_client: Client, small_guide: Guide, small_document, data: dict, problem: str
) -> None:
    save_title(small_guide, "Not reviewed")
    response = superuser_client.post(publish_url(small_guide), data)

    assert response.status_code == 302
    assert response["Location"] == change_url(small_guide)
    html = superuser_client.get(response["Location"]).content.decode()
    assert f"Not published: the version to publish {problem}." in html
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 1
    assert small_guide.published_document() == small_document


@pytest.mark.parametrize("back", ["", "history", "https://elsewhere.example/", "//elsewhere"])
def test_a_refused_publish_goes_back_to_guide_pages_only(
    superuser_client: Client, small_guide: Guide, back: str
) -> None:
    response = superuser_client.post(publish_url(small_guide), {"version": "x", "from": back})
    assert response.status_code == 302
    assert response["Location"] == change_url(small_guide)


def test_publishing_needs_the_permission(
    client: Client, small_guide: Guide, django_user_model
) -> None:
    user = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_guide"))
    client.force_login(user)
    url = reverse("admin:guides_guide_publish", args=[small_guide.pk])
    assert client.post(url).status_code == 403
    assert (
        client.get(reverse("admin:guides_guide_analytics", args=[small_guide.pk])).status_code
        == 403
    )


def test_publish_only_accepts_post(superuser_client: Client, small_guide: Guide) -> None:
    url = reverse("admin:guides_guide_publish", args=[small_guide.pk])
    assert superuser_client.get(url).status_code == 405


def test_unpublish_takes_the_guide_off_the_site(
    superuser_client: Client, small_guide: Guide
) -> None:
    url = reverse("admin:guides_guide_unpublish", args=[small_guide.pk])
    # The first step only asks: the guide stays on the site until confirmed.
    assert superuser_client.get(url).status_code == 200
    assert superuser_client.post(url).status_code == 200
    assert Client().get(small_guide.get_absolute_url()).status_code == 200
    assert superuser_client.post(url, {"confirm": "yes"}).status_code == 302
    assert Client().get(small_guide.get_absolute_url()).status_code == 404
    form = publish_form(superuser_client, small_guide)
    assert post(superuser_client, publish_url(small_guide), form).status_code == 302
    assert Client().get(small_guide.get_absolute_url()).status_code == 200


def test_the_change_page_shows_each_scenario_check(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    html = superuser_client.get(change_url(small_guide)).content.decode()
    for scenario in small_document.scenarios:
        assert scenario.slug in html
        assert scenario.outcome in html
    assert "Pass" in html
    assert "exhaustive search" in html
