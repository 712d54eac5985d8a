"""Two editors on one draft: only edits to the same field of the same part collide.

Each editor opens a page, the other saves first, then the first saves the page
built on the older draft (`publishing.merging`). Forms are read from the
rendered admin pages and posted as a browser would (tests/admin_forms.py).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide, LinkedPage, Outcome, Question, Rating
from decisionguide.decision.docmerge import UNSEEN, merge_documents
from decisionguide.publishing.concurrency import DRAFT_VERSION_FIELD, SAVE_OVER_FIELD
from decisionguide.publishing.drafts import record_edit
from tests.admin_forms import (
    Form,
    FormReader,
    admin_form,
    change_url,
    inline_prefix,
    post,
    read_form,
    save_fields,
    state,
)

pytestmark = pytest.mark.django_db


def messages_after(client: Client, response) -> str:
    assert response.status_code == 302, re.findall(
        r'class="errornote".*?</', response.content.decode()
    )
    return client.get(response["Location"]).content.decode()


def refusal(html: str) -> str:
    found = re.search(r'<section class="stale-draft".*?</section>', html, re.S)
    assert found, "no refusal shown"
    return found.group(0)


def form_in(html: str, form_id: str) -> Form:
    reader = FormReader(form_id)
    reader.feed(html)
    return Form(reader.fields)


def test_two_editors_on_different_questions_both_save(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    first, second = small_guide.questions.order_by("order")[:2]
    mine = admin_form(superuser_client, first)
    save_fields(second_client, second, prompt="Their question, reworded?")
    mine["prompt"] = "My question, reworded?"

    page = messages_after(superuser_client, post(superuser_client, change_url(first), mine))

    assert Question.objects.get(pk=first.pk).prompt == "My question, reworded?"
    assert Question.objects.get(pk=second.pk).prompt == "Their question, reworded?"
    assert "Merged with version" in page and "by second" in page
    assert f"the prompt of question “{second.short}”" in page


def test_different_fields_of_one_outcome_are_both_kept(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    outcome = small_guide.outcomes.first()
    mine = admin_form(superuser_client, outcome)
    save_fields(second_client, outcome, tagline="Their tagline.")
    mine["name"] = "My new name"

    page = messages_after(superuser_client, post(superuser_client, change_url(outcome), mine))

    saved = Outcome.objects.get(pk=outcome.pk)
    assert (saved.name, saved.tagline) == ("My new name", "Their tagline.")
    assert "the tagline of outcome" in page
    # One version each: theirs, then mine on top of it.
    assert small_guide.versions.count() == 3


def test_choices_edited_in_a_question_page_merge_with_a_choice_saved_elsewhere(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    question = small_guide.questions.order_by("order").first()
    first, second = question.choices.order_by("order")[:2]
    mine = admin_form(superuser_client, question)
    save_fields(second_client, second, label="Their choice label")
    prefix = inline_prefix(mine, "choices")
    mine[f"{prefix}-0-label"] = "My choice label"

    messages_after(superuser_client, post(superuser_client, change_url(question), mine))

    labels = dict(question.choices.values_list("pk", "label"))
    assert labels[first.pk] == "My choice label"
    assert labels[second.pk] == "Their choice label"


def test_the_same_field_is_refused_with_both_texts_and_mine_kept(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    outcome = small_guide.outcomes.first()
    saved_name = outcome.name
    mine = admin_form(superuser_client, outcome)
    save_fields(second_client, outcome, tagline="Their <b>tagline</b>.")
    after_theirs = state(small_guide)
    mine["tagline"] = "My tagline & more."
    mine["name"] = "My refused name"

    response = post(superuser_client, change_url(outcome), mine)

    assert response.status_code == 200
    assert state(small_guide) == after_theirs  # nothing written, not even my name
    html = response.content.decode()
    box = refusal(html)
    assert "Tagline" in box and f"outcome “{saved_name}”" in box
    assert "Their &lt;b&gt;tagline&lt;/b&gt;." in box  # escaped
    assert "My tagline &amp; more." in box
    assert f"version {after_theirs[0]} by second" in box
    assert "Name" not in box  # only they changed the tagline: my name would merge
    again = form_in(html, "outcome_form")
    assert again["tagline"] == "My tagline & more."
    assert again[DRAFT_VERSION_FIELD] == mine[DRAFT_VERSION_FIELD]
    # Headings and breadcrumb name what is saved, not the refused name.
    headings = " ".join(re.findall(r'<h[12][^>]*>.*?</h[12]>|breadcrumbs">.*?</div>', html, re.S))
    assert saved_name in headings and "My refused name" not in headings


def test_save_mine_anyway_writes_only_my_fields_and_a_third_save_refuses_again(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    outcome = small_guide.outcomes.first()
    mine = admin_form(superuser_client, outcome)
    save_fields(second_client, outcome, tagline="Their tagline.", symbol="T")
    mine["tagline"] = "My tagline."
    refused = post(superuser_client, change_url(outcome), mine)
    assert refused.status_code == 200
    shown = form_in(refused.content.decode(), "outcome_form")
    shown_version = Guide.objects.get(pk=small_guide.pk).version

    # A third save touches the same field after the refusal: ticking is refused again.
    save_fields(second_client, outcome, tagline="Their second tagline.")
    shown[SAVE_OVER_FIELD] = str(shown_version)
    again = post(superuser_client, change_url(outcome), shown)
    assert again.status_code == 200
    assert "Their second tagline." in refusal(again.content.decode())
    assert Outcome.objects.get(pk=outcome.pk).tagline == "Their second tagline."

    # Ticked on the page that showed it: mine over their tagline, their symbol kept.
    latest = form_in(again.content.decode(), "outcome_form")
    latest[SAVE_OVER_FIELD] = str(Guide.objects.get(pk=small_guide.pk).version)
    messages_after(superuser_client, post(superuser_client, change_url(outcome), latest))
    saved = Outcome.objects.get(pk=outcome.pk)
    assert (saved.tagline, saved.symbol) == ("My tagline.", "T")


def test_the_ratings_grid_names_each_cell_both_changed(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    url = reverse("admin:guides_guide_ratings", args=[small_guide.pk])
    mine = read_form(superuser_client, url, "ratings-form")
    theirs = read_form(second_client, url, "ratings-form")
    rating = Rating.objects.select_related("criterion", "outcome").first()
    level = f"level_{rating.criterion_id}_{rating.outcome_id}"
    other = next(n for n in theirs.names() if n.startswith("label") and not n.endswith(level[5:]))
    theirs[level] = str((rating.level + 1) % 4)
    theirs[other] = "Their other cell"
    assert post(second_client, url, theirs).status_code == 302
    mine[level] = str((rating.level + 2) % 4)

    response = post(superuser_client, url, mine)

    assert response.status_code == 200
    box = refusal(response.content.decode())
    assert f"{rating.outcome.name} \N{MULTIPLICATION SIGN} {rating.criterion.name}" in box
    assert f">{(rating.level + 1) % 4}<" in box and f">{(rating.level + 2) % 4}<" in box
    assert "Their other cell" not in box  # not mine: it would merge
    assert Rating.objects.get(pk=rating.pk).level == (rating.level + 1) % 4


def test_crafted_versions_are_refused_without_an_error(
    superuser_client: Client, small_guide: Guide
) -> None:
    outcome = small_guide.outcomes.first()
    for draft, over in [("99999", ""), ("0", "1"), ("-1", "x"), ("1", "99999"), ("", "")]:
        form = admin_form(superuser_client, outcome)
        form[DRAFT_VERSION_FIELD], form[SAVE_OVER_FIELD] = draft, over
        form["tagline"] = f"Crafted {draft}/{over}"
        assert post(superuser_client, change_url(outcome), form).status_code in (200, 302)


def test_merge_keeps_their_order_and_my_new_part() -> None:
    def doc(*slugs: str, label: str = "L") -> dict:
        return {"questions": [{"slug": s, "prompt": f"{s}?", "label": label} for s in slugs]}

    base = doc("a", "b", "c")
    theirs = doc("c", "a", "b")  # they moved c first
    mine = doc("a", "b", "c", "d")  # the form wrote the old order back, and added d
    merged, conflicts = merge_documents(base, theirs, mine, UNSEEN)
    assert conflicts == []
    assert [q["slug"] for q in merged["questions"]] == ["c", "a", "b", "d"]
    # Both moving them differently collides on the order.
    _, conflicts = merge_documents(base, doc("b", "a", "c"), doc("a", "c", "b"), UNSEEN)
    assert [path for path, _, _ in conflicts] == [("questions", "#order")]


def test_a_delete_confirmed_on_an_older_draft_merges_with_another_parts_change(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    spare = LinkedPage.objects.create(
        guide=small_guide, slug="spare", title="Spare", summary="Unused.", when="Never.", order=99
    )
    record_edit(small_guide)
    url = reverse("admin:guides_linkedpage_delete", args=[spare.pk])
    confirm = read_form(superuser_client, url, "delete-form")
    outcome = small_guide.outcomes.first()
    save_fields(second_client, outcome, tagline="Saved while the delete page was open.")

    response = superuser_client.post(url, confirm.data(), follow=True)

    assert "Merged with version" in response.content.decode()
    assert not small_guide.linked_pages.filter(pk=spare.pk).exists()
    assert Outcome.objects.get(pk=outcome.pk).tagline == "Saved while the delete page was open."
