"""Editor accounts: `manage.py createeditor` and what an editor may do."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from decisionguide.editor.roles import EDITORS_GROUP

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "plum tractor evening 4711"


def createeditor(*args: str) -> str:
    out = io.StringIO()
    call_command("createeditor", *args, stdout=out)
    return out.getvalue()


def test_createeditor_makes_a_staff_editor_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("DECISIONGUIDE_EDITOR_PASSWORD", GOOD_PASSWORD)
    output = createeditor("maria", "--email", "maria@example.org")
    assert "maria" in output
    user = User.objects.get(username="maria")
    assert user.is_staff and not user.is_superuser
    assert [g.name for g in user.groups.all()] == [EDITORS_GROUP]
    assert user.email == "maria@example.org"
    assert user.check_password(GOOD_PASSWORD)
    assert user.has_perm("guides.change_question") and user.has_perm("guides.publish_guide")
    assert not user.has_perm("auth.change_user")


def test_the_new_editor_can_sign_in_to_the_admin(monkeypatch, small_guide) -> None:
    monkeypatch.setenv("DECISIONGUIDE_EDITOR_PASSWORD", GOOD_PASSWORD)
    createeditor("maria")
    client = Client()
    response = client.post(reverse("admin:login"), {"username": "maria", "password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("admin:guides_guide_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_createeditor_asks_for_the_password_twice(monkeypatch) -> None:
    monkeypatch.delenv("DECISIONGUIDE_EDITOR_PASSWORD", raising=False)
    with mock.patch("getpass.getpass", side_effect=[GOOD_PASSWORD, GOOD_PASSWORD]) as asked:
        createeditor("sam")
    assert asked.call_count == 2
    assert User.objects.get(username="sam").check_password(GOOD_PASSWORD)


def test_createeditor_refuses_passwords_that_differ(monkeypatch) -> None:
    monkeypatch.delenv("DECISIONGUIDE_EDITOR_PASSWORD", raising=False)
    with (
        mock.patch("getpass.getpass", side_effect=[GOOD_PASSWORD, "something else"]),
        pytest.raises(CommandError, match="don't match"),
    ):
        createeditor("sam")
    assert not User.objects.filter(username="sam").exists()


@pytest.mark.parametrize("weak", ["1234", "password", "123456789012345"])
def test_createeditor_refuses_a_weak_password(monkeypatch, weak: str) -> None:
    monkeypatch.setenv("DECISIONGUIDE_EDITOR_PASSWORD", weak)
    with pytest.raises(CommandError, match="weak password"):
        createeditor("sam")
    assert not User.objects.filter(username="sam").exists()


def test_createeditor_refuses_an_existing_user(monkeypatch, django_user_model) -> None:
    django_user_model.objects.create_user("maria")
    monkeypatch.setenv("DECISIONGUIDE_EDITOR_PASSWORD", GOOD_PASSWORD)
    with pytest.raises(CommandError, match="user 'maria' already exists"):
        createeditor("maria")
    assert not User.objects.get(username="maria").is_staff


def test_createeditor_without_input_needs_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("DECISIONGUIDE_EDITOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DECISIONGUIDE_EDITOR_PASSWORD"):
        createeditor("sam", "--no-input")
