"""The guide models: constraints, managers, __str__, frozen versions and document caching."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError

from decisionguide.content import models as content
from decisionguide.content.rows import build_document
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.parsing import parse_document
from decisionguide.guidefiles.loading import apply_document

pytestmark = pytest.mark.django_db

# The parts a guide names by slug: unique within their guide, free across guides.
SLUGGED_PARTS = [
    content.Outcome,
    content.LinkedPage,
    content.Criterion,
    content.Scenario,
    content.Question,
    content.Note,
]


def edited(doc: GuideDocument, **changes: object) -> GuideDocument:
    """The document with top-level fields replaced, validated again."""
    return parse_document({**doc.to_data(), **changes})


@pytest.fixture
def other_guide(small_document: GuideDocument) -> content.Guide:
    """A second guide whose parts reuse every slug of the small guide."""
    guide, _ = apply_document(edited(small_document, slug="photo-bookings-copy"))
    return guide


# --- Constraints -------------------------------------------------------------


def test_guide_slug_is_unique(small_guide: content.Guide) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        content.Guide.objects.create(slug=small_guide.slug, title="Again", summary="Again")


@pytest.mark.parametrize("model", SLUGGED_PARTS, ids=lambda m: m.__name__)
def test_slug_is_unique_within_a_guide(small_guide: content.Guide, model: type) -> None:
    row = model.objects.filter(guide=small_guide).first()
    assert row is not None
    copy_of = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
    copy_of.pop("id")
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**copy_of)


@pytest.mark.parametrize("model", SLUGGED_PARTS, ids=lambda m: m.__name__)
def test_same_slug_in_two_guides_is_fine(
    small_guide: content.Guide, other_guide: content.Guide, model: type
) -> None:
    slugs = set(model.objects.filter(guide=small_guide).values_list("slug", flat=True))
    other = set(model.objects.filter(guide=other_guide).values_list("slug", flat=True))
    assert slugs
    assert slugs == other


def test_choice_slug_is_unique_within_its_question(small_guide: content.Guide) -> None:
    first, second = content.Question.objects.filter(guide=small_guide)[:2]
    choice = first.choices.first()
    # The same slug under another question is fine...
    content.Choice.objects.create(question=second, slug=choice.slug, label="Elsewhere", order=9)
    # ...but not twice under one question.
    with pytest.raises(IntegrityError), transaction.atomic():
        content.Choice.objects.create(question=first, slug=choice.slug, label="Twice", order=9)


def test_one_rating_per_criterion_and_outcome(small_guide: content.Guide) -> None:
    rating = content.Rating.objects.filter(criterion__guide=small_guide).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        content.Rating.objects.create(
            criterion=rating.criterion, outcome=rating.outcome, label="Second", level=1
        )


def test_one_points_row_per_choice_and_outcome(small_guide: content.Guide) -> None:
    points = content.ChoicePoints.objects.filter(choice__question__guide=small_guide).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        content.ChoicePoints.objects.create(choice=points.choice, outcome=points.outcome, points=1)


def test_one_scenario_answer_per_question(small_guide: content.Guide) -> None:
    answer = content.ScenarioAnswer.objects.filter(scenario__guide=small_guide).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        content.ScenarioAnswer.objects.create(
            scenario=answer.scenario, question=answer.question, choice=answer.choice
        )


def test_rating_level_is_at_most_three(small_guide: content.Guide) -> None:
    rating = content.Rating.objects.filter(criterion__guide=small_guide).first()
    rating.level = 4
    with pytest.raises(IntegrityError), transaction.atomic():
        rating.save()


def test_free_text_max_length_is_in_range(small_guide: content.Guide) -> None:
    question = content.Question.objects.filter(guide=small_guide).first()
    question.free_text_max_length = 0
    with pytest.raises(IntegrityError), transaction.atomic():
        question.save()


def test_clause_group_is_all_or_any(small_guide: content.Guide) -> None:
    clause = content.Clause.objects.filter(gate__guide=small_guide).first()
    clause.group = "one"
    with pytest.raises(IntegrityError), transaction.atomic():
        clause.save()


def test_default_outcome_must_belong_to_the_guide(
    small_guide: content.Guide, other_guide: content.Guide
) -> None:
    small_guide.default_outcome = other_guide.outcomes.first()
    with pytest.raises(ValidationError) as excinfo:
        small_guide.full_clean()
    assert "default_outcome" in excinfo.value.message_dict
    small_guide.default_outcome = small_guide.outcomes.first()
    small_guide.full_clean()


def test_outcome_used_by_a_scenario_cannot_be_deleted(small_guide: content.Guide) -> None:
    scenario = content.Scenario.objects.filter(guide=small_guide).first()
    with pytest.raises(RestrictedError), transaction.atomic():
        scenario.outcome.delete()


def test_question_looked_at_by_a_condition_cannot_be_deleted(small_guide: content.Guide) -> None:
    clause = content.Clause.objects.filter(shown__guide=small_guide).first()
    with pytest.raises(RestrictedError), transaction.atomic():
        clause.question.delete()


def test_deleting_a_guide_deletes_all_its_rows(
    small_guide: content.Guide, other_guide: content.Guide
) -> None:
    models = [
        content.Outcome,
        content.LinkedPage,
        content.Question,
        content.Gate,
        content.Note,
        content.GuideItem,
        content.GuideVersion,
    ]
    before = {model: model.objects.count() for model in models}
    own = {model: model.objects.filter(guide=small_guide).count() for model in models}
    small_guide.delete()
    for model in models:
        assert own[model] > 0
        assert model.objects.count() == before[model] - own[model]
    assert content.Choice.objects.filter(question__guide_id=small_guide.pk).count() == 0
    assert build_document(other_guide).slug == other_guide.slug  # the other guide is intact


# --- Manager and __str__ ---------------------------------------------------------


def test_published_lists_only_published_guides(
    small_document: GuideDocument, small_guide: content.Guide
) -> None:
    hidden, _ = apply_document(edited(small_document, slug="hidden-draft", published=False))
    assert not hidden.is_published
    assert hidden.published_version is None
    offline, _ = apply_document(edited(small_document, slug="taken-offline"))
    content.Guide.objects.filter(pk=offline.pk).update(is_published=False)
    assert list(content.Guide.objects.published()) == [small_guide]
    assert set(content.Guide.objects.all()) == {small_guide, hidden, offline}


def test_str_uses_the_names_visitors_see(small_guide: content.Guide, small_document) -> None:
    outcome = content.Outcome.objects.get(guide=small_guide, slug=small_document.outcomes[0].slug)
    question = content.Question.objects.get(
        guide=small_guide, slug=small_document.questions[0].slug
    )
    choice = question.choices.first()
    note = content.Note.objects.get(guide=small_guide, slug=small_document.notes[0].slug)
    page = content.LinkedPage.objects.get(
        guide=small_guide, slug=small_document.linked_pages[0].slug
    )
    assert str(small_guide) == small_document.title
    assert str(outcome) == small_document.outcomes[0].name
    assert str(question) == small_document.questions[0].prompt
    assert small_document.questions[0].choices[0].label in str(choice)
    assert str(note) == small_document.notes[0].title
    assert str(page) == small_document.linked_pages[0].title
    assert str(small_guide.versions.get()) == f"{small_guide.slug} v1"
    show_if = small_document.questions[1].show_if
    clause_text = str(content.Clause.objects.get(shown__slug=small_document.questions[1].slug))
    assert show_if.any_[0].question in clause_text
    assert all(slug in clause_text for slug in show_if.any_[0].in_)
    gate = content.Gate.objects.get(guide=small_guide)
    assert str(gate.outcome) in str(gate)


def test_every_row_has_a_readable_str(small_guide: content.Guide) -> None:
    import datetime

    from django.apps import apps

    from decisionguide.analytics.counting import bump

    question = small_guide.published_document().questions[0]
    bump(small_guide.pk, 1, question.slug, "", "shown", datetime.date(2026, 1, 5))
    for model in apps.get_app_config("guides").get_models():
        row = model.objects.first()
        assert row is not None, model
        text = str(row)
        assert text
        assert f"{model.__name__} object" not in text


# --- Frozen versions and document() -------------------------------------------------


def test_loading_freezes_version_one(
    small_guide: content.Guide, small_document: GuideDocument
) -> None:
    frozen = small_guide.versions.get()
    assert frozen.version == small_guide.version == 1
    assert frozen.as_document() == small_document


def test_guide_version_is_immutable(small_guide: content.Guide) -> None:
    frozen = small_guide.versions.get()
    frozen.document = {}
    with pytest.raises(ValueError, match="frozen"):
        frozen.save()


def test_document_is_cached_per_version(
    small_guide: content.Guide, small_document: GuideDocument, django_assert_num_queries
) -> None:
    small_guide = content.Guide.objects.get(pk=small_guide.pk)  # nothing cached on the instance
    with django_assert_num_queries(1):  # the published frozen version
        first = small_guide.published_document()
    with django_assert_num_queries(0):
        second = small_guide.published_document()
    assert first == second == small_document
    # The very same object: parsed once per worker, never re-validated.
    assert second is first
    assert content.Guide.objects.get(pk=small_guide.pk).published_document() is first


def test_version_bump_invalidates_the_cached_document(
    small_guide: content.Guide, small_document: GuideDocument, django_assert_num_queries
) -> None:
    old = small_guide.published_document()
    new_title = old.title + " (revised)"
    guide, changed = apply_document(edited(small_document, title=new_title))
    assert changed
    assert guide.version == 2
    guide = content.Guide.objects.get(pk=guide.pk)  # as the next request sees it
    with django_assert_num_queries(1):
        assert guide.published_document().title == new_title
    with django_assert_num_queries(0):
        assert guide.published_document().title == new_title
    # The old version stays frozen for results that point at it.
    assert guide.versions.get(version=1).as_document() == old


def test_draft_version_freezes_rows_written_by_hand(
    small_guide: content.Guide, small_document: GuideDocument
) -> None:
    # Rows written outside the admin and loadguide may have no frozen row for their version.
    content.Guide.objects.filter(pk=small_guide.pk).update(
        is_published=False, published_version=None
    )
    content.GuideVersion.objects.filter(guide=small_guide).delete()
    small_guide.refresh_from_db()
    unlisted = small_document.model_copy(update={"published": False})
    frozen = small_guide.draft_version()
    assert frozen.version == small_guide.version == 1
    assert frozen.document == unlisted.to_data()
    assert small_guide.versions.get() == frozen
    # Never published: only staff previews reach it, and they see the draft.
    assert small_guide.draft_document() == unlisted
    with pytest.raises(content.GuideVersion.DoesNotExist):
        small_guide.published_document()


def test_visitors_see_the_published_version_not_the_draft(
    small_guide: content.Guide, small_document: GuideDocument
) -> None:
    guide, changed = apply_document(edited(small_document, title="Draft title"), publish=False)
    assert changed
    guide = content.Guide.objects.get(pk=guide.pk)
    assert guide.version == 2
    assert guide.published_version.version == 1
    assert guide.published_document() == small_document
    assert guide.draft_document().title == "Draft title"
    assert guide.has_unpublished_changes()


def test_a_listed_guide_needs_a_published_version(small_guide: content.Guide) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        content.Guide.objects.filter(pk=small_guide.pk).update(published_version=None)
    # Unlisted, it may have none.
    content.Guide.objects.filter(pk=small_guide.pk).update(
        is_published=False, published_version=None
    )


def test_new_guides_start_unlisted() -> None:
    guide = content.Guide.objects.create(slug="fresh", title="Fresh", summary="Fresh")
    assert not guide.is_published
    assert guide.published_version is None
    assert not content.Guide.objects.published().exists()


def test_frozen_mappings_follow_outcome_and_question_order(
    small_guide: content.Guide, small_document: GuideDocument
) -> None:
    """Key order of stored JSON isn't kept by every database (jsonb): the frozen
    document puts ratings, points and answers in outcome / question order."""
    outcome_order = [o.slug for o in small_document.outcomes]
    question_order = [q.slug for q in small_document.questions]
    # The small guide lists some of these out of order, so the test can fail.
    assert any(list(c.ratings) != outcome_order for c in small_document.criteria)
    frozen = small_guide.versions.get()
    shuffled = json.loads(json.dumps(frozen.document))
    for criterion in shuffled["criteria"]:
        criterion["ratings"] = dict(reversed(criterion["ratings"].items()))
    content.GuideVersion.objects.filter(pk=frozen.pk).update(document=shuffled)

    doc = small_guide.published_document()

    assert doc == small_document
    for criterion in doc.criteria:
        assert list(criterion.ratings) == [o for o in outcome_order if o in criterion.ratings]
    for question in doc.questions:
        for choice in question.choices:
            assert list(choice.points) == [o for o in outcome_order if o in choice.points]
    for scenario in doc.scenarios:
        assert list(scenario.answers) == [q for q in question_order if q in scenario.answers]


def test_draft_version_returns_the_frozen_row(small_guide: content.Guide) -> None:
    assert small_guide.draft_version() == small_guide.versions.get(version=small_guide.version)


def test_build_document_query_count_does_not_grow_with_the_guide(
    small_guide: content.Guide, seed_guide: content.Guide, django_assert_num_queries
) -> None:
    # One query per table of the mapping (content/mapping.py), the two list-item kinds
    # sharing one, plus one for all clauses and one for their answers.
    with django_assert_num_queries(26):
        build_document(small_guide)
    with django_assert_num_queries(26):
        build_document(seed_guide)


def test_build_document_reads_back_what_was_applied(
    small_guide: content.Guide, small_document: GuideDocument
) -> None:
    built = build_document(small_guide)
    # Text comparison so that the order of every list and mapping counts.
    assert json.dumps(built.to_data()) == json.dumps(small_document.to_data())


def test_seed_guide_reads_back_what_was_applied(
    seed_guide: content.Guide, seed_document: GuideDocument
) -> None:
    assert json.dumps(build_document(seed_guide).to_data()) == json.dumps(seed_document.to_data())
    assert seed_guide.published_document() == seed_document


def test_get_absolute_url_is_the_guide_page(small_guide: content.Guide) -> None:
    assert small_guide.get_absolute_url() == f"/guides/{small_guide.slug}/"
