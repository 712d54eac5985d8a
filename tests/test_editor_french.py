"""The editor admin in French (issue 24): its home, a part's page, the messages after a
save and the form errors come from the catalogue, with no English left where they were."""

from __future__ import annotations

from html import unescape

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from decisionguide.content.models import Guide, Question, Rating
from tests.admin_forms import add_show_clause, admin_form, change_url, errors_of, post, read_form

pytestmark = pytest.mark.django_db


def in_french(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


def french(text: str) -> str:
    with translation.override("fr"):
        found = translation.gettext(text)
    assert found != text, f"no French for {text!r}"
    return found


def page_text(response) -> str:
    return unescape(response.content.decode())


def test_the_dashboard_is_in_french(editor_client: Client, seed_guide: Guide) -> None:
    text = page_text(in_french(editor_client).get(reverse("admin:index")))
    for english in ("Decision Guide editor", "Checks of the draft", "Try the draft", "Last 7 days"):
        assert french(english) in text
        assert english not in text
    # Counts take the French plural: the seed guide has several scenarios.
    assert "scénarios en échec\N{NO-BREAK SPACE};" in text
    assert "scenarios failing" not in text


def test_a_part_page_is_in_french(superuser_client: Client, small_guide: Guide) -> None:
    question = small_guide.questions.order_by("order").first()
    text = page_text(in_french(superuser_client).get(change_url(question)))
    dragging = "Drag a row by its heading to move it, or use its Move up and Move down buttons."
    for english in (dragging, "Text box (optional)", "What the fields mean"):
        assert french(english) in text
        assert english not in text
    assert "Monter<span" in text and ">Move up<" not in text


def test_a_saved_grid_says_so_in_french(superuser_client: Client, small_guide: Guide) -> None:
    url = reverse("admin:guides_guide_ratings", args=[small_guide.pk])
    client = in_french(superuser_client)
    form = read_form(client, url, None)
    rating = Rating.objects.filter(criterion__guide=small_guide).first()
    form[f"label_{rating.criterion_id}_{rating.outcome_id}"] = f"{rating.label} (nouveau)"

    response = client.post(url, form.data(), follow=True)

    text = page_text(response)
    assert "Enregistré\N{NO-BREAK SPACE}: 1 note modifiée." in text
    assert "ratings changed" not in text


def test_a_refused_condition_is_explained_in_french(
    superuser_client: Client, small_guide: Guide
) -> None:
    question: Question = small_guide.questions.order_by("-order").first()
    client = in_french(superuser_client)
    form = admin_form(client, question)
    add_show_clause(form, question, group="any")

    errors = errors_of(post(client, change_url(question), form))

    assert "Une question ne peut pas dépendre de sa propre réponse" in errors
    assert "its own answer" not in errors


def test_a_sortable_list_gives_its_script_french_words(
    superuser_client: Client, small_guide: Guide
) -> None:
    url = reverse("admin:guides_question_changelist")
    html = in_french(superuser_client).get(url, {"guide__id__exact": small_guide.pk})
    text = page_text(html)
    assert f'data-reload="{french("Reload the list")}"' in text
    assert f'title="{french("Drag to move")}"' in text
    assert "Reload the list" not in text and "Drag to move" not in text
