"""`manage.py createeditor USERNAME`: an admin account for a content editor.

The account is staff (it can sign in to the admin) and in the Editors group:
it edits, checks and publishes guides and reads results and analytics, but
can't manage users, groups or permissions. The password is asked for twice,
or read from DECISIONGUIDE_EDITOR_PASSWORD (for scripts), and must pass the
site's password validators.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from decisionguide.editor.roles import EDITORS_GROUP, ensure_editors_group

PASSWORD_ENV = "DECISIONGUIDE_EDITOR_PASSWORD"
# Django's standard checks, used when the settings configure none: an admin
# password must never be "1234" just because the list was left empty.
DEFAULT_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


def password_validators() -> list[Any]:
    configured = getattr(settings, "AUTH_PASSWORD_VALIDATORS", None)
    return password_validation.get_password_validators(configured or DEFAULT_VALIDATORS)


class Command(BaseCommand):
    help = (
        f"Create a staff account in the {EDITORS_GROUP} group. The password is prompted for, "
        f"or read from {PASSWORD_ENV}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="The editor's email address.")
        parser.add_argument(
            "--no-input",
            action="store_true",
            help=f"Never prompt: fail unless {PASSWORD_ENV} is set.",
        )

    def handle(self, *args: Any, username: str, email: str, no_input: bool, **options: Any):
        User = get_user_model()
        username = username.strip()
        if not username:
            raise CommandError("the username can't be empty")
        if User._default_manager.filter(**{User.USERNAME_FIELD: username}).exists():
            raise CommandError(f"user {username!r} already exists")
        user = User(**{User.USERNAME_FIELD: username}, email=email, is_staff=True)
        password = self.read_password(no_input)
        try:
            password_validation.validate_password(password, user, password_validators())
        except ValidationError as exc:
            raise CommandError("weak password: " + " ".join(exc.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(ensure_editors_group())
        self.stdout.write(f"Created editor {username!r} (staff, in the {EDITORS_GROUP} group).")

    def read_password(self, no_input: bool) -> str:
        password = os.environ.get(PASSWORD_ENV)
        if password:
            return password
        if no_input:
            raise CommandError(f"set {PASSWORD_ENV} or run without --no-input to be asked")
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("no password given") from None
        if first != second:
            raise CommandError("the passwords don't match")
        if not first:
            raise CommandError("the password can't be empty")
        return first
