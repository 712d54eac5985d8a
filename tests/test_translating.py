"""The Translations page (issue 24, editors' side): a guide's English texts beside their
French translation, each one's status, saving only what changed through the merge-aware
save, out-of-date texts with the source's change and "still correct", filters, crafted
posts."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from decisionguide.content.models import Guide, Outcome
from decisionguide.decision.translations import language_status, source_texts
from decisionguide.publishing.drafts import record_edit
from decisionguide.translating.labels import label
from decisionguide.translating.sheet import Change, apply_changes
from tests.admin_forms import Form, read_form, save_fields, state

pytestmark = pytest.mark.django_db

TAGLINE = "outcomes.calendar.tagline"


def page_url(guide: Guide, language: str = "fr", **query: str) -> str:
    url = reverse("admin:guides_guide_translations", args=[guide.pk, language])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def draft(guide: Guide) -> dict:
    guide.refresh_from_db()
    return guide.draft_document().to_data()


def translate(guide: Guide, texts: dict[str, str], sources: dict[str, str] | None = None) -> None:
    """Translations written into the draft as a save would (a new version)."""
    data = draft(guide)
    current = source_texts(data)
    changes = [
        Change(path, text, (sources or {}).get(path, current[path])) for path, text in texts.items()
    ]
    new, _ = apply_changes(data, "fr", changes)
    Guide.objects.filter(pk=guide.pk).update(translations=new["translations"])
    record_edit(Guide.objects.get(pk=guide.pk), note="test translations")


def field_name(path: str) -> str:
    return f"t:{path}"


def the_form(client: Client, guide: Guide, **query: str) -> Form:
    return read_form(client, page_url(guide, **query), "translations-form")


def saved_message(client: Client, response) -> str:
    assert response.status_code == 302, re.findall(
        r'class="errornote".*?</div>', response.content.decode(), re.S
    )
    return client.get(response["Location"]).content.decode()


def test_labels_name_texts_in_words(small_guide: Guide) -> None:
    data = draft(small_guide)
    assert str(label(TAGLINE, data)) == "Outcome “Calendar-first” · tagline"
    best = str(label("outcomes.calendar.best_for.1", data))
    assert best == "Outcome “Calendar-first” · best for 2"
    assert str(label("title", data)) == "Guide · title"
    question = data["questions"][0]
    choice = question["choices"][0]
    words = str(label(f"questions.{question['slug']}.choices.{choice['slug']}.label", data))
    assert words == f"Question “{question['short']}” · answer “{choice['label']}” · label"
    with translation.override("fr"):  # put into words in the admin's language when shown
        assert str(label(TAGLINE, data)) == "Option «\u00a0Calendar-first\u00a0» · accroche"


def test_page_shows_every_text_side_by_side(superuser_client: Client, small_guide: Guide) -> None:
    translate(small_guide, {TAGLINE: "Chaque séance est un événement."})
    html = superuser_client.get(page_url(small_guide)).content.decode()
    total = len(source_texts(draft(small_guide)))
    assert f"{total} texts: 1 translated, {total - 1} missing, 0 out of date." in html
    assert "Outcome “Calendar-first” · tagline" in html
    assert "Every shoot is an event with the details in its notes." in html
    assert 'value="Chaque séance est un événement."' in html
    # A one-line field is an input with the field's limit; prose is a text area.
    assert re.search(
        r'<input type="text"[^>]*name="t:outcomes.calendar.tagline"[^>]*maxlength="', html
    )
    assert re.search(r'<textarea[^>]*name="t:intro"', html)
    form = the_form(superuser_client, small_guide)
    assert len([n for n in form.names() if n.startswith("t:")]) == total


def test_saving_writes_only_changed_texts(superuser_client: Client, small_guide: Guide) -> None:
    form = the_form(superuser_client, small_guide)
    form[field_name(TAGLINE)] = "Chaque séance est un événement."
    form[field_name("title")] = "Où un photographe garde-t-il ses réservations ?"
    before = small_guide.version
    html = saved_message(
        superuser_client, superuser_client.post(page_url(small_guide), form.data())
    )
    assert "Translated 2 texts into French" in html
    small_guide.refresh_from_db()
    assert small_guide.version == before + 1
    assert (
        small_guide.versions.get(version=small_guide.version).note
        == "Translated 2 texts into French"
    )
    status = language_status(draft(small_guide), "fr")
    assert status.translated == 2
    # Posting the same page again changes nothing: no new version.
    form = the_form(superuser_client, small_guide)
    response = superuser_client.post(page_url(small_guide), form.data())
    assert "Nothing changed" in saved_message(superuser_client, response)
    small_guide.refresh_from_db()
    assert small_guide.version == before + 1


def change_english_tagline(client: Client, guide: Guide, text: str) -> str:
    """An editor saves a new English tagline on the outcome's page; the message after."""
    outcome = Outcome.objects.get(guide=guide, slug="calendar")
    response = save_fields(client, outcome, tagline=text)
    return saved_message(client, response)


def test_out_of_date_shows_the_source_change_word_by_word(
    superuser_client: Client, small_guide: Guide
) -> None:
    translate(small_guide, {TAGLINE: "Chaque séance est un événement."})
    change_english_tagline(
        superuser_client, small_guide, "Every booking is an event with the details in its notes."
    )
    html = superuser_client.get(page_url(small_guide, show="out_of_date")).content.decode()
    assert "1 out of date" in html
    assert '<del><span class="visually-hidden">deleted: </span>shoot</del>' in html
    assert '<ins><span class="visually-hidden">added: </span>booking</ins>' in html
    # The kept translation is beside it, never overwritten, with "still correct".
    assert 'value="Chaque séance est un événement."' in html
    assert 'name="still_correct" value="outcomes.calendar.tagline"' in html
    assert "<strong>Out of date</strong>" in html


def test_still_correct_confirms_without_changing_the_words(
    superuser_client: Client, small_guide: Guide
) -> None:
    translate(small_guide, {TAGLINE: "Chaque séance est un événement."})
    change_english_tagline(superuser_client, small_guide, "Every shoot is one event.")
    form = the_form(superuser_client, small_guide, show="out_of_date")
    form["still_correct"] = TAGLINE
    html = saved_message(
        superuser_client, superuser_client.post(page_url(small_guide), form.data())
    )
    assert "Confirmed 1 text as still correct" in html
    entry = next(e for e in draft(small_guide)["translations"]["fr"] if e["path"] == TAGLINE)
    assert entry == {
        "path": TAGLINE,
        "text": "Chaque séance est un événement.",
        "source": "Every shoot is one event.",
    }
    assert language_status(draft(small_guide), "fr").out_of_date == ()


def test_filters_list_missing_or_out_of_date(superuser_client: Client, small_guide: Guide) -> None:
    translate(small_guide, {TAGLINE: "Une séance, un événement.", "title": "Réservations"})
    change_english_tagline(superuser_client, small_guide, "Every shoot is one event.")
    total = len(source_texts(draft(small_guide)))
    stale = the_form(superuser_client, small_guide, show="out_of_date")
    assert [n for n in stale.names() if n.startswith("t:")] == [field_name(TAGLINE)]
    missing = the_form(superuser_client, small_guide, show="missing")
    names = [n for n in missing.names() if n.startswith("t:")]
    assert len(names) == total - 2 and field_name("title") not in names
    html = superuser_client.get(page_url(small_guide, show="missing")).content.decode()
    assert 'aria-current="page">Missing' in html
    # Saving from a filtered page keeps the others as they are and returns to the filter.
    missing[field_name("summary")] = "Un calendrier ou une application."
    response = superuser_client.post(page_url(small_guide), missing.data())
    assert response["Location"].endswith("?show=missing")
    status = language_status(draft(small_guide), "fr")
    assert status.translated == 2 and len(status.out_of_date) == 1


@pytest.fixture
def second_client(db: None, django_user_model) -> Client:
    user = django_user_model.objects.create_superuser("second", "second@example.org", None)
    client = Client()
    client.force_login(user)
    return client


def test_two_translators_keep_each_others_work(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    mine = the_form(superuser_client, small_guide)
    theirs = the_form(second_client, small_guide)
    theirs[field_name("title")] = "Réservations d'un photographe"
    saved_message(second_client, second_client.post(page_url(small_guide), theirs.data()))
    mine[field_name(TAGLINE)] = "Une séance, un événement."
    html = saved_message(
        superuser_client, superuser_client.post(page_url(small_guide), mine.data())
    )
    assert "Merged with version" in html
    texts = {e["path"]: e["text"] for e in draft(small_guide)["translations"]["fr"]}
    assert texts == {"title": "Réservations d'un photographe", TAGLINE: "Une séance, un événement."}


def test_translator_and_editor_keep_each_others_work(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    mine = the_form(superuser_client, small_guide)
    change_english_tagline(second_client, small_guide, "Every shoot is one event.")
    mine[field_name("title")] = "Réservations"
    saved_message(superuser_client, superuser_client.post(page_url(small_guide), mine.data()))
    data = draft(small_guide)
    assert data["outcomes"][0]["tagline"] == "Every shoot is one event."
    assert data["translations"]["fr"] == [
        {"path": "title", "text": "Réservations", "source": small_guide.title}
    ]


def test_a_text_translated_from_words_since_changed_is_out_of_date_at_once(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    """The translator translated the English the page showed, not what it says now."""
    mine = the_form(superuser_client, small_guide)
    change_english_tagline(second_client, small_guide, "Every shoot is one event.")
    mine[field_name(TAGLINE)] = "Chaque séance est un événement."
    saved_message(superuser_client, superuser_client.post(page_url(small_guide), mine.data()))
    (stale,) = language_status(draft(small_guide), "fr").out_of_date
    assert stale.was == "Every shoot is an event with the details in its notes."


def test_the_same_text_translated_twice_is_refused(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    mine = the_form(superuser_client, small_guide)
    theirs = the_form(second_client, small_guide)
    theirs[field_name(TAGLINE)] = "Leur traduction"
    saved_message(second_client, second_client.post(page_url(small_guide), theirs.data()))
    before = state(small_guide)
    mine[field_name(TAGLINE)] = "Ma traduction"
    response = superuser_client.post(page_url(small_guide), mine.data())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not saved: someone else changed the same field" in html
    assert "Leur traduction" in html and "Ma traduction" in html
    assert state(small_guide) == before


def test_bad_translations_answered_per_field_and_nothing_saved(
    superuser_client: Client, small_guide: Guide
) -> None:
    form = the_form(superuser_client, small_guide)
    form[field_name(TAGLINE)] = "x" * 500
    form[field_name("intro")] = "Lisez [ceci](page:nowhere) d'abord."
    form[field_name("title")] = "Un bon titre"
    before = state(small_guide)
    response = superuser_client.post(page_url(small_guide), form.data())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved: 2 translations have a problem" in html
    problems = re.findall(r'<p class="errorlist tr-problem"[^>]*>(.*?)</p>', html)
    assert len(problems) == 2
    assert any("at most" in p and "(this one has 500)" in p for p in problems)
    assert any("nowhere" in p for p in problems)
    assert state(small_guide) == before
    # What was typed is still there.
    assert 'value="Un bon titre"' in html


@pytest.mark.parametrize(
    "data",
    [
        {"t:nowhere.at.all": "x"},
        {"t:": "x", "t:outcomes": "y", "t:outcomes.calendar": "z"},
        {"t:title": "\x00\x01"},
        {"t:title": "x", "_draft_version": "99999"},
        {"t:title": "x", "_draft_version": "-1"},
        {"still_correct": ["title", "nowhere", ""], "show": "<script>", "page": "9" * 40},
        {"t:translations.fr": "x", "t:title": "y" * 100_000},
    ],
)
def test_crafted_posts_never_500(superuser_client: Client, small_guide: Guide, data) -> None:
    data = {"_draft_version": str(small_guide.version), **data}
    response = superuser_client.post(page_url(small_guide), data)
    assert response.status_code in (200, 302)
    assert Guide.objects.get(pk=small_guide.pk).draft_document() is not None


def test_unknown_languages_and_permissions(
    client: Client, superuser_client: Client, small_guide: Guide, django_user_model
) -> None:
    assert superuser_client.get(page_url(small_guide, "en")).status_code == 404
    assert superuser_client.get(page_url(small_guide, "xx")).status_code == 404
    assert superuser_client.get(page_url(small_guide, "en-xa")).status_code == 404
    missing = reverse("admin:guides_guide_translations", args=[99999, "fr"])
    assert superuser_client.get(missing).status_code == 404
    # A staff member who may only view guides reads the page but can't save.
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_guide"))
    client.force_login(viewer)
    html = client.get(page_url(small_guide)).content.decode()
    assert "Save translations" not in html and "readonly" in html
    response = client.post(page_url(small_guide), {"t:title": "x"})
    assert response.status_code == 403
    assert language_status(draft(small_guide), "fr").translated == 0


def test_saving_english_says_which_translations_went_out_of_date(
    superuser_client: Client, small_guide: Guide
) -> None:
    translate(small_guide, {TAGLINE: "Chaque séance est un événement.", "title": "Réservations"})
    html = change_english_tagline(superuser_client, small_guide, "Every shoot is one event.")
    assert "1 French text is now out of date" in html
    url = page_url(small_guide) + "?show=out_of_date"
    assert f'<a href="{url}">1 French text is now out of date</a>' in html
    # The next English save that changes no translated text says nothing of them.
    html = change_english_tagline(superuser_client, small_guide, "Every shoot is one event!")
    assert "now out of date" not in html


def test_dashboard_shows_each_language_and_links_its_page(
    superuser_client: Client, small_guide: Guide
) -> None:
    total = len(source_texts(draft(small_guide)))
    home = reverse("admin:index")
    html = superuser_client.get(home).content.decode()
    assert f'<a href="{page_url(small_guide)}">Français: not started ({total} texts)</a>' in html
    translate(small_guide, {TAGLINE: "Une séance, un événement.", "title": "Réservations"})
    change_english_tagline(superuser_client, small_guide, "Every shoot is one event.")
    html = superuser_client.get(home).content.decode()
    assert f"Français: {total - 2} missing, 1 out of date</a>" in html
    data = draft(small_guide)
    translate(small_guide, {path: f"«{path}»" for path in source_texts(data)})
    html = superuser_client.get(home).content.decode()
    assert "Français: complete</a>" in html


def test_guide_pages_link_to_the_translations(superuser_client: Client, small_guide: Guide) -> None:
    link = f'<a href="{page_url(small_guide)}">French translation</a>'
    change = reverse("admin:guides_guide_change", args=[small_guide.pk])
    assert link in superuser_client.get(change).content.decode()
    checks = reverse("admin:guides_guide_checks", args=[small_guide.pk])
    assert link in superuser_client.get(checks).content.decode()


def test_a_null_character_is_refused_on_its_field(
    superuser_client: Client, small_guide: Guide
) -> None:
    """PostgreSQL can't store NUL, even inside JSON: refused like Django's own fields."""
    form = the_form(superuser_client, small_guide)
    form[field_name("title")] = "Réserv\x00ations"
    before = state(small_guide)
    html = superuser_client.post(page_url(small_guide), form.data()).content.decode()
    assert "null characters are not allowed" in html
    assert state(small_guide) == before


def test_merge_matches_translations_by_path() -> None:
    """decision.docmerge: two translators' different texts merge; the same text collides."""
    from decisionguide.decision.docmerge import merge_documents

    def entry(path: str, text: str) -> dict:
        return {"path": path, "text": text, "source": "S"}

    base = {"translations": {}}
    theirs = {"translations": {"fr": [entry("title", "A")]}}
    mine = {"translations": {"fr": [entry("summary", "B")]}}
    merged, conflicts = merge_documents(base, theirs, mine)
    assert conflicts == []
    assert merged["translations"]["fr"] == [entry("title", "A"), entry("summary", "B")]
    clash = {"translations": {"fr": [entry("title", "C")]}}
    _, conflicts = merge_documents(base, theirs, clash)
    assert [path for path, _, _ in conflicts] == [("translations", "fr", "title")]


def test_long_guides_are_paged(superuser_client: Client, small_guide: Guide, monkeypatch) -> None:
    """Two fields a text: a page holds few enough for Django's 1,000 fields a post."""
    from decisionguide.translating import views

    monkeypatch.setattr(views, "PER_PAGE", 5)
    total = len(source_texts(draft(small_guide)))
    first = the_form(superuser_client, small_guide)
    assert len([n for n in first.names() if n.startswith("t:")]) == 5
    html = superuser_client.get(page_url(small_guide)).content.decode()
    assert f'href="{page_url(small_guide)}?page=2">Next texts</a>' in html
    last = -(-total // 5)
    second = the_form(superuser_client, small_guide, page=str(last))
    names = [n for n in second.names() if n.startswith("t:")]
    assert len(names) == total - 5 * (last - 1)
    second[names[0]] = "Traduit"
    response = superuser_client.post(page_url(small_guide), second.data())
    assert response["Location"].endswith(f"?page={last}")
    assert language_status(draft(small_guide), "fr").translated == 1
    # A page number out of range shows a page of texts, never an empty one.
    for crafted in ("0", str(last + 3)):
        form = the_form(superuser_client, small_guide, page=crafted)
        assert [n for n in form.names() if n.startswith("t:")]
