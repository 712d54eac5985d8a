"""The editors' admin in French (issue 24): the parts' names, labels and help texts, and
the errors of an imported guide file, come from the catalogue. Every model and field is
named in its definition with gettext_lazy, the Django way (the names are in migrations)."""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, override, pgettext

from decisionguide.catalogues import read_po
from decisionguide.content.models import GuideVersion, Note, Question
from decisionguide.guidefiles.yaml_io import check_guide_text
from tests.admin_forms import change_url

FR_PO = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
NAMED_APPS = ("guides", "analytics", "results")


def names() -> Iterator[tuple[str, object]]:
    """(where, name) of every model (singular, plural) and field of those apps.

    Not a GenericForeignKey: it takes no name, and no page shows it (its two columns do).
    """
    for label in NAMED_APPS:
        for model in apps.get_app_config(label).get_models():
            opts = model._meta
            yield f"{model.__name__}", opts.verbose_name
            yield f"{model.__name__} (plural)", opts.verbose_name_plural
            for field in opts.get_fields():
                if field.auto_created or isinstance(field, GenericForeignKey):
                    continue
                yield f"{model.__name__}.{field.name}", field.verbose_name


def test_every_name_of_those_apps_goes_through_gettext() -> None:
    plain = [where for where, name in names() if not isinstance(name, Promise)]
    assert plain == []


def test_every_name_of_those_apps_is_translated_in_the_french_catalogue() -> None:
    msgstrs: dict[str, set[str]] = {}
    for entry in read_po(FR_PO):
        if entry.translated:
            msgstrs.setdefault(entry.msgid, set()).add(entry.msgstr[0])
    untranslated = []
    for where, name in names():
        with override(None):
            english = str(name)
        with override("fr"):
            french = str(name)
        if french not in msgstrs.get(english, set()):
            untranslated.append(f"{where}: {english}")
    assert untranslated == []


def test_names_follow_the_language_but_permissions_stay_english(db: None) -> None:
    label = Question._meta.get_field("free_text_label").verbose_name
    # One English word, two French ones: a Note is a « remarque », a version's note a
    # « commentaire » (the model's name has the context "model").
    note, comment = Note._meta.verbose_name, GuideVersion._meta.get_field("note").verbose_name
    with override("fr"):
        assert str(label) == gettext("free text label") != "free text label"
        assert str(note) == pgettext("model", "note") != gettext("note") == str(comment)
    with override("en"):
        assert (str(label), str(note), str(comment)) == ("free text label", "note", "note")
    # Django names permissions with translation off; the migrations hold every name.
    assert Question._meta.verbose_name_raw == "question"
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
        plural = gettext("linked pages")
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
