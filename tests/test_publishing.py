"""Drafts, versions and publishing (decisionguide.publishing.drafts), without the admin pages."""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import transaction
from django.test import RequestFactory

from decisionguide.content.models import ChoicePoints, Guide, GuideVersion, Outcome, PublishEvent
from decisionguide.content.preview import PreviewRefused, asks_for_draft, may_see_draft
from decisionguide.content.rows import build_document
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.parsing import parse_document
from decisionguide.editor.roles import EDITORS_GROUP, editor_permissions
from decisionguide.guidefiles.loading import apply_document
from decisionguide.pagecache import find_guide_page
from decisionguide.publishing.drafts import (
    DraftMoved,
    GuideInvalid,
    PublishRefused,
    describe_problem,
    publish,
    record_edit,
    revert,
    unpublish,
    yaml_diff,
)

pytestmark = pytest.mark.django_db


def retitle(guide: Guide, title: str) -> None:
    Guide.objects.filter(pk=guide.pk).update(title=title)
    guide.refresh_from_db()


def break_first_scenario(guide: Guide, doc: GuideDocument) -> None:
    """Give the first scenario's first answer a huge weight for another outcome."""
    scenario = doc.scenarios[0]
    question_slug, choice_slug = next(iter(scenario.answers.items()))
    loser = guide.outcomes.exclude(slug=scenario.outcome).first()
    choice = guide.questions.get(slug=question_slug).choices.get(slug=choice_slug)
    ChoicePoints.objects.update_or_create(choice=choice, outcome=loser, defaults={"points": 99})


# --- record_edit ---------------------------------------------------------------------------


def test_record_edit_freezes_the_rows_as_the_next_version(
    small_guide: Guide, django_user_model
) -> None:
    user = django_user_model.objects.create_user("ed")
    retitle(small_guide, "Edited")
    version = record_edit(small_guide, user=user, note="Changed the title")
    assert version is not None
    assert (version.version, small_guide.version) == (2, 2)
    assert version.created_by == user
    assert version.note == "Changed the title"
    assert version.as_document() == build_document(small_guide)
    assert Guide.objects.get(pk=small_guide.pk).version == 2


def test_record_edit_without_a_change_records_nothing(small_guide: Guide) -> None:
    assert record_edit(small_guide) is None
    assert small_guide.versions.count() == 1
    assert small_guide.version == 1


def test_record_edit_refuses_rows_that_break_the_guide(small_guide: Guide) -> None:
    Guide.objects.filter(pk=small_guide.pk).update(default_outcome=None)
    small_guide.refresh_from_db()
    with pytest.raises(GuideInvalid) as excinfo:
        record_edit(small_guide)
    assert excinfo.value.messages == [
        "default_outcome: pick a default outcome: the guide can't be shown without one"
    ]
    assert small_guide.versions.count() == 1


def test_record_edit_lists_every_problem_by_name(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    from django.db.models import F

    from decisionguide.content.models import Clause

    default = small_guide.outcomes.get(slug=small_document.default_outcome)
    small_guide.gates.update(outcome=default)  # the default outcome can't be gated
    clauses = Clause.objects.filter(shown__guide=small_guide)
    clause = clauses.first()
    clauses.filter(pk=clause.pk).update(question_id=F("object_id"))  # a question looking at itself
    with pytest.raises(GuideInvalid) as excinfo:
        record_edit(small_guide)
    assert excinfo.value.messages == [
        f"Question '{clause.owner.slug}' > show_if > {clause.group} 1 > question: unknown or "
        f"later question '{clause.owner.slug}' (a condition may only look at questions asked "
        "before it)",
        "Gate 1 > outcome: the default outcome can't be gated: it is the answer when nothing "
        "else fits",
    ]


def test_describe_problem_names_parts_by_slug(small_document: GuideDocument) -> None:
    from decisionguide.decision.document import DocumentError

    data = small_document.to_data()
    question = small_document.questions[1]
    problem = DocumentError("questions[1].show_if.any[0].in[0]", "unknown choice 'x'")
    assert describe_problem(data, problem) == (
        f"Question '{question.slug}' > show_if > any 1 > in 1: unknown choice 'x'"
    )


# --- publish / unpublish ---------------------------------------------------------------------


def test_publish_makes_the_draft_what_visitors_see(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    retitle(small_guide, "Edited")
    record_edit(small_guide)
    old_version = small_guide.published_version_id
    assert small_guide.published_document() == small_document

    version = publish(small_guide)

    assert version.version == 2
    assert small_guide.published_version_id == version.pk != old_version
    assert small_guide.published_document().title == "Edited"
    assert Guide.objects.get(pk=small_guide.pk).published_version == version


def test_publish_freezes_rows_that_were_not_recorded(small_guide: Guide) -> None:
    retitle(small_guide, "Edited by a script")
    version = publish(small_guide)
    assert version.version == 2
    assert version.as_document().title == "Edited by a script"


def test_publish_is_refused_while_a_scenario_fails(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    break_first_scenario(small_guide, small_document)
    with pytest.raises(PublishRefused) as excinfo:
        publish(small_guide)
    scenario = small_document.scenarios[0]
    assert excinfo.value.report.failed_scenarios[0].slug == scenario.slug
    # Named in words, as the admin names them: the scenario's title, the outcomes' names.
    names = {outcome.slug: outcome.name for outcome in small_document.outcomes}
    assert f"Scenario “{scenario.title}”" in str(excinfo.value)
    assert f"expected “{names[scenario.outcome]}”" in str(excinfo.value)
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 1
    # Nothing half-done: the version frozen for the check was rolled back.
    assert small_guide.versions.count() == 1 and small_guide.version == 1


def test_publish_of_the_version_the_editor_saw(small_guide: Guide) -> None:
    retitle(small_guide, "Edited")
    record_edit(small_guide)
    version = publish(small_guide, expected_version=2)
    assert version.version == 2
    assert Guide.objects.get(pk=small_guide.pk).published_version == version


def test_publish_refuses_a_draft_that_moved_on_since_the_editor_saw_it(
    small_guide: Guide,
) -> None:
    retitle(small_guide, "Seen by the editor")
    record_edit(small_guide)
    retitle(small_guide, "Saved by someone else since")  # still passes every scenario
    record_edit(small_guide)

    with pytest.raises(DraftMoved) as excinfo:
        publish(small_guide, expected_version=2)

    assert (excinfo.value.expected, excinfo.value.current) == (2, 3)
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 1
    assert small_guide.published_document().title != "Saved by someone else since"
    assert small_guide.versions.count() == 3 and small_guide.version == 3


def test_publish_with_the_expected_version_still_refuses_a_failing_scenario(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    break_first_scenario(small_guide, small_document)
    record_edit(small_guide)
    with pytest.raises(PublishRefused):
        publish(small_guide, expected_version=2)
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 1


def test_publish_of_a_never_published_guide_expects_the_draft_before_listing(
    small_document: GuideDocument,
) -> None:
    """Publishing makes the version the editor saw live: no new version, one record."""
    draft_doc = parse_document({**small_document.to_data(), "slug": "new-one"})
    guide, _ = apply_document(draft_doc, publish=False)
    seen = guide.version
    version = publish(guide, expected_version=seen, note="First time live")
    assert version.version == seen and guide.version == seen
    assert guide.versions.count() == 1
    event = PublishEvent.objects.get(guide=guide)
    assert (event.action, event.version, event.note) == ("publish", version, "First time live")


def test_unpublish_hides_the_guide_and_publish_brings_it_back(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    unpublish(small_guide, note="Rewriting it")
    assert not Guide.objects.published().exists()
    assert small_guide.published_version.version == 1  # kept, ready to publish again
    assert small_guide.version == 1 and small_guide.versions.count() == 1  # not a content change
    publish(small_guide)
    assert Guide.objects.published().get() == small_guide
    assert small_guide.published_document() == small_document
    assert small_guide.versions.count() == 1
    actions = list(
        small_guide.publish_events.order_by("created", "id").values_list("action", "note")
    )
    assert actions == [
        ("publish", "Loaded from tests/data/small-guide.yaml"),
        ("unpublish", "Rewriting it"),
        ("publish", ""),
    ]


def test_publishing_a_never_published_guide_lists_it(small_document: GuideDocument) -> None:
    draft_doc = parse_document({**small_document.to_data(), "slug": "new-one"})
    guide, _ = apply_document(draft_doc, publish=False)
    assert not guide.is_published
    publish(guide)
    guide.refresh_from_db()
    assert guide.is_published
    assert guide.published_version.as_document().published
    assert Guide.objects.published().filter(pk=guide.pk).exists()


# --- revert -----------------------------------------------------------------------------------


def test_revert_restores_an_old_version_as_a_new_draft_version(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    retitle(small_guide, "Second")
    record_edit(small_guide)
    publish(small_guide)
    retitle(small_guide, "Third")
    record_edit(small_guide)

    revert(small_guide, 1)

    assert small_guide.version == 4
    assert build_document(small_guide) == small_document
    assert small_guide.versions.get(version=4).note == "Reverted to version 1"
    # Visitors keep version 2 until someone publishes; every version is still there.
    assert Guide.objects.get(pk=small_guide.pk).published_document().title == "Second"
    assert list(small_guide.versions.values_list("version", flat=True)) == [4, 3, 2, 1]


def test_revert_keeps_the_slug_and_listing(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    unpublish(small_guide)  # version 2 says "not published"
    revert(small_guide, 1)  # version 1 said "published"
    small_guide.refresh_from_db()
    assert not small_guide.is_published
    assert Guide.objects.count() == 1
    assert build_document(small_guide) == small_document.model_copy(update={"published": False})


def test_yaml_diff_shows_changed_lines(small_document: GuideDocument) -> None:
    changed = small_document.model_copy(update={"title": "Other"})
    diff = yaml_diff(small_document, changed, "version 1", "version 2").splitlines()
    assert diff[:2] == ["--- version 1", "+++ version 2"]
    assert f"-title: {small_document.title}" in diff
    assert "+title: Other" in diff
    assert yaml_diff(small_document, small_document, "a", "b") == ""


# --- Staff previews -----------------------------------------------------------------------------


@pytest.fixture
def drafted(small_guide: Guide) -> Guide:
    retitle(small_guide, "The draft title")
    record_edit(small_guide)
    return Guide.objects.get(pk=small_guide.pk)


def preview_request(user, query: str = "?preview=draft"):
    request = RequestFactory().get(f"/guides/x/{query}")
    request.user = user
    return request


def shown(request, guide: Guide):
    """What a public page shows this request: the page source the views get."""
    return find_guide_page(request, guide.slug, staff_see_unlisted=False)


def test_staff_see_the_draft_with_preview(drafted: Guide, django_user_model) -> None:
    staff = django_user_model.objects.create_user("ed", is_staff=True)
    staff.groups.add(Group.objects.get(name=EDITORS_GROUP))
    staff = django_user_model.objects.get(pk=staff.pk)  # fresh permission cache
    page = shown(preview_request(staff), drafted)
    assert page.document.title == "The draft title"
    assert page.version.version == 2
    assert page.cache_key is None  # never cached


def test_everyone_else_sees_the_published_version_or_is_refused_the_preview(
    drafted: Guide, small_document: GuideDocument, django_user_model
) -> None:
    staff_without_rights = django_user_model.objects.create_user("s", is_staff=True)
    ordinary = django_user_model.objects.create_user("o")
    editor = django_user_model.objects.create_user("e", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    editor = django_user_model.objects.get(pk=editor.pk)
    not_asking = [
        preview_request(AnonymousUser(), ""),
        preview_request(editor, ""),  # staff, but no preview asked for
        preview_request(editor, "?preview=yes"),
    ]
    for request in not_asking:
        page = shown(request, drafted)
        assert page.document == small_document
        assert page.version.version == 1
    # Asking without the right: told so, never the live guide passed off as the draft.
    for user in (AnonymousUser(), ordinary, staff_without_rights):
        with pytest.raises(PreviewRefused):
            shown(preview_request(user), drafted)


# --- Roles and the data migration -----------------------------------------------------------------


def test_editors_group_has_content_rights_and_no_user_management() -> None:
    group = Group.objects.get(name=EDITORS_GROUP)
    granted = {(p.content_type.app_label, p.codename) for p in group.permissions.all()}
    assert granted == set(editor_permissions())
    assert ("guides", "publish_guide") in granted
    assert ("results", "view_result") in granted
    assert not any(app == "auth" for app, _ in granted)
    assert ("guides", "delete_guide") not in granted


def test_ensure_editors_group_restores_missing_permissions() -> None:
    from decisionguide.editor.roles import ensure_editors_group

    group = Group.objects.get(name=EDITORS_GROUP)
    group.permissions.remove(Permission.objects.get(codename="publish_guide"))
    ensure_editors_group()
    assert group.permissions.filter(codename="publish_guide").exists()


def test_the_migration_publishes_what_visitors_saw(small_guide: Guide) -> None:
    from importlib import import_module

    migration = import_module("decisionguide.content.migrations.0003_publish_existing_and_editors")
    with transaction.atomic():
        Guide.objects.filter(pk=small_guide.pk).update(is_published=False, published_version=None)
        bare, _ = apply_document(
            parse_document({**small_guide.published_document().to_data(), "slug": "bare"}),
            publish=False,
        )
        GuideVersion.objects.filter(guide=bare).delete()
    migration.publish_existing(django_apps, None)
    small_guide.refresh_from_db()
    bare.refresh_from_db()
    assert small_guide.published_version == small_guide.versions.get(version=1)
    assert bare.published_version is None and not bare.is_published


def test_outcome_rows_are_untouched_by_a_refused_publish(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    break_first_scenario(small_guide, small_document)
    before = list(Outcome.objects.values_list("pk", "slug"))
    with pytest.raises(PublishRefused):
        publish(small_guide)
    assert list(Outcome.objects.values_list("pk", "slug")) == before


def test_visitors_urls_are_not_parsed_just_to_rule_out_a_preview(drafted: Guide) -> None:
    # Questionnaire URLs carry every answer; a page served from memory needs none of them.
    request = preview_request(AnonymousUser(), "?a=1&b=2&c=3")
    assert asks_for_draft(request) is False
    assert "GET" not in request.__dict__, "the query string was parsed"


def test_a_slug_that_merely_contains_preview_is_not_a_preview(
    drafted: Guide, django_user_model
) -> None:
    editor = django_user_model.objects.create_user("e2", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    editor = django_user_model.objects.get(pk=editor.pk)
    asked = preview_request(editor, "?previewed=draft&x=preview")
    assert may_see_draft(asked, drafted.pk, listed=True) is False
    assert may_see_draft(preview_request(editor, "?x=1&preview=draft"), drafted.pk, listed=True)
