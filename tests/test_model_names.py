"""The editors' admin in French (issue 24): the parts' names, labels and help texts, and
the errors of an imported guide file, come from the catalogue; the names Django derives
from classes and fields are looked up there too (decisionguide/model_names.py)."""

from __future__ import annotations

from html import unescape
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, override, pgettext

from decisionguide.catalogues import read_po
from decisionguide.content.models import Question
from decisionguide.guidefiles.yaml_io import check_guide_text
from tests.admin_forms import change_url

FR_PO = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
NAMED_APPS = ("guides", "analytics", "results")


def derived_names() -> set[tuple[str | None, str]]:
    """(context, English) of every model and field name Django derives in those apps."""
    names: set[tuple[str | None, str]] = set()
    for label in NAMED_APPS:
        for model in apps.get_app_config(label).get_models():
            opts = model._meta
            for option in ("verbose_name", "verbose_name_plural"):
                if option not in opts.original_attrs:
                    with override(None):
                        names.add(("model", str(getattr(opts, option))))
            for field in opts.get_fields():
                if getattr(field, "_verbose_name", "") is None:
                    with override(None):
                        names.add((None, str(field.verbose_name)))
    return names


def test_every_derived_name_is_in_the_french_catalogue() -> None:
    translated = {(e.msgctxt, e.msgid) for e in read_po(FR_PO) if e.translated}
    assert derived_names() - translated == set()


def test_every_name_of_those_apps_goes_through_gettext() -> None:
    plain = [
        f"{model.__name__}.{name}"
        for label in NAMED_APPS
        for model in apps.get_app_config(label).get_models()
        for name, value in [
            ("verbose_name", model._meta.verbose_name),
            ("verbose_name_plural", model._meta.verbose_name_plural),
            *(
                (field.name, field.verbose_name)
                for field in model._meta.get_fields()
                if hasattr(field, "verbose_name") and not field.auto_created
            ),
        ]
        if not isinstance(value, Promise)
    ]
    assert plain == []


def test_derived_names_follow_the_language_but_permissions_and_migrations_stay(db: None) -> None:
    opts = Question._meta
    with override("fr"):
        assert str(apps.get_model("guides", "Note")._meta.verbose_name) == pgettext("model", "note")
        assert str(opts.get_field("free_text_label").verbose_name) == gettext("free text label")
        assert gettext("free text label") != "free text label"
    with override("en"):
        assert str(opts.get_field("free_text_label").verbose_name) == "free text label"
    # Django names permissions with translation off; migrations record no names at all.
    assert opts.verbose_name_raw == "question"
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def french_page(client, url: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.content.decode())


def test_a_part_shows_its_names_and_help_texts_in_french(editor_client, seed_guide) -> None:
    question = Question.objects.filter(guide=seed_guide).first()
    html = french_page(editor_client, change_url(question))
    english = "The question, as the page heading."
    with override("fr"):
        french = gettext(english)
        label = gettext("free text label")
        plural = pgettext("model", "linked pages")
    assert french != english and french in html and english not in html
    assert label.capitalize() in html and "Free text label" not in html
    # The sidebar names every part in French too.
    assert plural.capitalize() in html and "Linked pages" not in html


def test_an_imported_file_s_errors_come_in_french(editor_client, seed_guide) -> None:
    text = "slug: a\ntitle: b\ntitle: c\n"
    upload = SimpleUploadedFile("broken.yaml", text.encode(), content_type="application/yaml")
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = editor_client.post(reverse("admin:guides_guide_import"), {"file": upload})
    html = unescape(response.content.decode())
    with override("fr"):
        (error,) = check_guide_text(text, "broken.yaml")[1]
        message = str(error)
    assert message.startswith("broken.yaml\N{NO-BREAK SPACE}: ligne 3, colonne 1")
    assert message in html and "YAML non valide" in message and "line 3" not in html
