"""A scenario saved from "Try the draft": the answers tried, expecting the draft's result."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide, Scenario
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import clean_answers, evaluate
from decisionguide.editor.admin_scenarios import ANSWER_PREFIX
from tests.admin_forms import read_form, save_fields, state

FORM_ID = "try-save-scenario"


def tried_answers(doc: GuideDocument) -> dict[str, str]:
    """Five answers a visitor could give: the first five of a scenario's profile that count."""
    kept = clean_answers(doc, doc.scenarios[-1].answers)
    return dict(list(kept.items())[:5])


def try_url(guide: Guide, answers: dict[str, str], **extra: str) -> str:
    query = urlencode({**answers, **extra, "run": "1"})
    return reverse("admin:guides_guide_try", args=[guide.pk]) + f"?{query}"


def save_url(guide: Guide) -> str:
    return reverse("admin:guides_guide_try_scenario", args=[guide.pk])


def saved_answers(scenario: Scenario) -> dict[str, str]:
    rows = scenario.answers.order_by("order").select_related("question", "choice")
    return {row.question.slug: row.choice.slug for row in rows}


def test_the_tried_answers_become_a_scenario_expecting_the_drafts_result(
    superuser_client: Client, seed_guide: Guide
) -> None:
    doc = seed_guide.draft_document()
    answers = tried_answers(doc)
    expected = evaluate(doc, answers).outcome
    version, scenarios = seed_guide.version, seed_guide.scenarios.count()

    form = read_form(superuser_client, try_url(seed_guide, answers), FORM_ID)
    assert form["outcome"] == expected
    form["title"] = "Five tried answers"
    response = superuser_client.post(save_url(seed_guide), form.data())

    scenario = Scenario.objects.get(guide=seed_guide, title="Five tried answers")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:guides_scenario_change", args=[scenario.pk])
    assert saved_answers(scenario) == answers
    assert list(saved_answers(scenario)) == list(answers)  # in question order
    assert scenario.outcome.slug == expected
    assert scenario.slug == "five-tried-answers"
    seed_guide.refresh_from_db()
    assert seed_guide.version == version + 1
    assert seed_guide.scenarios.count() == scenarios + 1
    assert list(seed_guide.scenarios.order_by("order"))[-1] == scenario  # added last
    frozen = next(s for s in seed_guide.draft_document().scenarios if s.slug == scenario.slug)
    assert frozen.answers == answers and frozen.outcome == expected
    page = superuser_client.get(response["Location"])
    assert "Saved the scenario" in page.content.decode()


def test_another_expected_outcome_can_be_picked(
    superuser_client: Client, seed_guide: Guide
) -> None:
    doc = seed_guide.draft_document()
    answers = tried_answers(doc)
    other = next(o.slug for o in doc.outcomes if o.slug != evaluate(doc, answers).outcome)
    form = read_form(superuser_client, try_url(seed_guide, answers), FORM_ID)
    form["outcome"] = other
    superuser_client.post(save_url(seed_guide), form.data())
    scenario = seed_guide.scenarios.order_by("-order").first()
    assert scenario.outcome.slug == other and saved_answers(scenario) == answers


def test_a_save_after_the_draft_moved_on_makes_no_scenario(
    superuser_client: Client, seed_guide: Guide
) -> None:
    answers = tried_answers(seed_guide.draft_document())
    form = read_form(superuser_client, try_url(seed_guide, answers), FORM_ID)
    save_fields(superuser_client, seed_guide.questions.first(), short="Edited in between")
    before = state(seed_guide)

    response = superuser_client.post(save_url(seed_guide), form.data(), follow=True)

    assert state(seed_guide) == before
    assert "changed after you opened this page" in response.content.decode()
    # Back on the try page with the same answers, to run them on the current draft.
    assert response.redirect_chain[-1][0] == try_url(seed_guide, answers)


def test_crafted_answers_make_no_scenario(superuser_client: Client, seed_guide: Guide) -> None:
    answers = tried_answers(seed_guide.draft_document())
    form = read_form(superuser_client, try_url(seed_guide, answers), FORM_ID)
    question = next(iter(answers))
    form[f"{ANSWER_PREFIX}{question}"] = "no-such-choice"
    before = state(seed_guide)
    response = superuser_client.post(save_url(seed_guide), form.data(), follow=True)
    assert state(seed_guide) == before
    assert "No scenario was saved" in response.content.decode()


def test_the_published_version_and_a_route_offer_no_save(
    superuser_client: Client, seed_guide: Guide
) -> None:
    doc = seed_guide.draft_document()
    answers = tried_answers(doc)
    published = superuser_client.get(try_url(seed_guide, answers, doc="published"))
    assert published.status_code == 200 and FORM_ID not in published.content.decode()
    routing = next((q, c) for q in doc.questions for c in q.choices if c.route and not q.show_if)
    routed = superuser_client.get(try_url(seed_guide, {routing[0].slug: routing[1].slug}))
    assert routed.status_code == 200 and FORM_ID not in routed.content.decode()


def test_only_editors_who_may_add_scenarios_can_save_one(
    client: Client, seed_guide: Guide, django_user_model
) -> None:
    user = django_user_model.objects.create_user("reader", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_guide"))
    client.force_login(user)
    answers = tried_answers(seed_guide.draft_document())
    page = client.get(try_url(seed_guide, answers))
    assert page.status_code == 200 and FORM_ID not in page.content.decode()
    before = state(seed_guide)
    data = {f"{ANSWER_PREFIX}{q}": c for q, c in answers.items()}
    data |= {"title": "Not allowed", "outcome": "crm-first", "_draft_version": before[0]}
    assert client.post(save_url(seed_guide), data).status_code == 403
    assert state(seed_guide) == before
