"""The interface in French and in the pseudo-locale (issue 24): language in the URL, English
addresses unchanged, every interface string through gettext, catalogues complete."""

from __future__ import annotations

import gettext
import re
import shutil
from dataclasses import fields, is_dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

from decisionguide.catalogues import (
    CLOSE,
    MAKEMESSAGES_OPTIONS,
    OPEN,
    messages,
    read_po,
    write_pseudo_locale,
)
from decisionguide.decision.engine import evaluate
from decisionguide.decision.translations import document_in
from decisionguide.guidefiles.loading import load_guide_file
from decisionguide.guides.markdown import render_markdown
from decisionguide.results.models import Result
from tests.conftest import SEED_FILE
from tests.questionnaire_pages import question_url
from tests.stored_results import create, create_url, scenario_answers

ROOT = Path(__file__).resolve().parent.parent
FR_PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"


class Page(HTMLParser):
    """The <html> lang and dir, the alternates, and the text a visitor reads or hears."""

    SKIP = {"script", "style"}
    SPOKEN = ("aria-label", "title", "alt", "placeholder")

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html_attrs: dict[str, str | None] = {}
        self.alternates: dict[str, str] = {}
        self.texts: list[str] = []
        self._skipping = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.html_attrs = found
        if tag == "link" and found.get("rel") == "alternate" and found.get("hreflang"):
            self.alternates[found["hreflang"] or ""] = found.get("href") or ""
        if tag in self.SKIP:
            self._skipping += 1
        for name in self.SPOKEN:
            if found.get(name):
                self.texts.append(found[name] or "")
        if tag == "meta" and found.get("name") == "description":
            self.texts.append(found.get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.texts.append(data)


def page(client: Client, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return Page(response.content.decode())


def french_result(client: Client, doc, answers: dict[str, str]) -> str:
    response = client.post(f"/fr{create_url(doc)}", answers)
    assert response.status_code == 303, response.content.decode()[:300]
    return response["Location"]


# ---------------------------------------------------------------------------
# The language in the URL


def public_urls(client: Client, doc, prefix: str) -> dict[str, str]:
    """The pages a visitor goes through, under `prefix` ("", "/fr", "/en-xa")."""
    answers = scenario_answers(doc, 2)
    first = doc.questions[0]
    permalink = create(client, doc, answers)
    whatif = re.search(r'href="(/r/[^"]+/what-if/\?[^"]+)"', client.get(permalink).content.decode())
    assert whatif is not None
    return {
        "guide": f"{prefix}/guides/{doc.slug}/",
        "question": prefix + question_url(doc, first),
        "check": prefix
        + f"/guides/{doc.slug}/check/?"
        + "&".join(f"{k}={v}" for k, v in answers.items()),
        "permalink": prefix + permalink,
        "what-if": prefix + unescape(whatif.group(1)),
    }


def test_every_public_page_in_french_says_so_and_links_its_other_languages(client, seed_guide):
    doc = seed_guide.published_document()
    for name, url in public_urls(client, doc, "/fr").items():
        # The English page first, so a French page served from its cache entry would show.
        english = page(client, url.removeprefix("/fr"))
        french = page(client, url)
        assert english.html_attrs["lang"] == "en", name
        assert french.html_attrs == {"lang": "fr", "dir": "ltr"}, name
        absolute = "http://testserver" + url
        assert french.alternates == {
            "en": absolute.replace("/fr/", "/", 1),
            "fr": absolute,
            "x-default": absolute.replace("/fr/", "/", 1),
        }, name
        assert english.alternates == french.alternates, name
        assert "Guide de décision" in " ".join(french.texts), name
        assert "Guide de décision" not in " ".join(english.texts), name
    missing = page(client, f"/fr/guides/{doc.slug}/nothing-here/", status=404)
    assert missing.html_attrs["lang"] == "fr"
    assert "Page introuvable" in missing.texts


def test_the_language_switcher_is_plain_links_marking_the_current_one(client, seed_guide):
    doc = seed_guide.published_document()
    html = client.get(f"/fr/guides/{doc.slug}/").content.decode()
    switcher = re.search(
        r'<nav class="language-switcher" aria-label="Langue">(.*?)</nav>', html, re.S
    )
    assert switcher is not None
    links = re.findall(r"<a ([^>]*)>([^<]*)</a>", switcher.group(1))
    assert [text for _, text in links] == ["English", "Français"]
    english, french = (attrs for attrs, _ in links)
    assert f'href="http://testserver/guides/{doc.slug}/"' in english
    assert 'lang="en" hreflang="en"' in english and "aria-current" not in english
    assert 'lang="fr" hreflang="fr"' in french and 'aria-current="true"' in french


def test_english_addresses_and_permalinks_stay_as_they_were(client, seed_guide):
    doc = seed_guide.published_document()
    permalink = create(client, doc, scenario_answers(doc))
    assert re.fullmatch(r"/r/[\w-]+/", permalink)
    english = client.get(permalink)
    assert english.status_code == 200 and english["Content-Language"] == "en"
    assert Page(english.content.decode()).html_attrs["lang"] == "en"
    # The same result in French, at the same address with the prefix; Accept-Language and
    # a language cookie change nothing on the English address.
    assert client.get(f"/fr{permalink}")["Content-Language"] == "fr"
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    again = client.get(permalink, HTTP_ACCEPT_LANGUAGE="fr")
    assert again["Content-Language"] == "en" and "Accept-Language" not in again.get("Vary", "")
    assert client.get(f"/en{permalink}").status_code == 404
    assert client.get(f"/fr/{django_settings.ADMIN_PATH}/").status_code == 404


def test_the_same_answers_give_the_same_verdict_in_both_languages(client, seed_guide):
    doc = seed_guide.published_document()
    for index in range(len(doc.scenarios)):
        answers = scenario_answers(doc, index)
        english, french = create(client, doc, answers), french_result(client, doc, answers)
        assert french.startswith("/fr/r/")
        stored = [
            Result.objects.get(pk=path.rstrip("/").rsplit("/", 1)[-1]) for path in (english, french)
        ]
        outcome = evaluate(doc, answers).outcome
        assert stored[0].decision["outcome"] == stored[1].decision["outcome"] == outcome
        name = document_in(doc, "fr").outcome(outcome).name  # the seed guide's French
        assert name != doc.outcome(outcome).name
        assert f"Votre recommandation\u00a0: {name}" in unescape(
            client.get(french).content.decode()
        )


def test_an_embed_page_follows_the_language(client, seed_guide):
    doc = seed_guide.published_document()
    response = client.get(f"/embed/fr/guides/{doc.slug}/questions/")
    assert response.status_code == 403  # the seed guide allows no site: the refusal, in French
    body = Page(response.content.decode())
    assert body.html_attrs["lang"] == "fr"
    assert "Ce guide ne peut pas s\N{RIGHT SINGLE QUOTATION MARK}afficher ici" in body.texts


@pytest.fixture
def embeddable(db: None, tmp_path: Path):
    """The seed guide, allowed on a publisher's site (as in tests/test_embed.py)."""
    data = yaml.safe_load(SEED_FILE.read_text())
    data["embed_origins"] = ["https://publisher.example"]
    path = tmp_path / "embeddable.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return load_guide_file(path).guide


def test_a_french_embed_keeps_its_steps_in_the_frame(client, embeddable):
    doc = embeddable.published_document()
    response = client.get(f"/embed/fr/guides/{doc.slug}/questions/", follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and Page(html).html_attrs["lang"] == "fr"
    back = re.search(r'<a class="back-link" href="([^"]+)"([^>]*)>', html)
    assert back is not None and back.group(1).startswith(f"/embed/fr/guides/{doc.slug}/")
    assert "target=" not in back.group(2)  # a step of the guide: stays in the frame
    french_page = f"http://testserver/fr/guides/{doc.slug}/"
    assert client.get("/oembed", {"url": french_page}).status_code == 200


# ---------------------------------------------------------------------------
# Every interface string through gettext (the pseudo-locale shows any that is not)


def document_texts(value, found: list[str]) -> list[str]:
    """Every string in the guide's document (the content, which this slice leaves English)."""
    if isinstance(value, str):
        found.append(value)
    elif is_dataclass(value):
        for item in fields(value):
            document_texts(getattr(value, item.name), found)
    elif isinstance(value, dict):
        for key, item in value.items():
            document_texts(key, found)
            document_texts(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            document_texts(item, found)
    return found


def words(text: str) -> str:
    return " ".join(unescape(text).split())


def outside_markers(text: str) -> str:
    """What is left of `text` once every ⟦…⟧ (nested ones too) is taken out."""
    pattern = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")  # innermost first
    while True:
        shorter = pattern.sub(" ", text)
        if shorter == text:
            return text
        text = shorter


@pytest.fixture
def pseudo_locale(tmp_path, settings):
    write_pseudo_locale(FR_PO, tmp_path)
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    return tmp_path


def test_no_interface_string_escapes_gettext(client, seed_guide, pseudo_locale):
    doc = seed_guide.published_document()
    texts = document_texts(doc.to_data(), [])
    content = " \n ".join(words(t) for t in texts)
    # Markdown's text as the page shows it (tags split it into text nodes).
    content += " \n ".join(
        words(re.sub(r"<[^>]+>", " \n ", render_markdown(t, doc))) for t in texts
    )
    # The switcher names each language in its own words, on every page.
    language_names = {name for _, name in django_settings.LANGUAGES}
    urls = public_urls(client, doc, "/en-xa")
    urls["404"] = "/en-xa/guides/nothing-here/"
    urls["answer error"] = (
        "/en-xa"
        + question_url(doc, doc.questions[0]).replace("/questions/", "/questions/", 1).rstrip("/")
        + "/answer/"
    )
    for name, url in urls.items():
        response = client.get(url)
        html = response.content.decode()
        assert OPEN in html, name
        # A translated sentence with a link in it spans several text nodes: markers are
        # matched across the page's text, then what is left is checked piece by piece.
        left = outside_markers("\n".join(Page(html).texts))
        for text in left.split("\n"):
            rest = words(text)
            # Left: numbers, punctuation and the guide's own content, nothing else.
            if not re.search(r"[^\W\d_]{2,}", rest) or rest in language_names:
                continue
            assert rest in content or rest.strip(" .:,;()“”«»") in content, (name, text)


# ---------------------------------------------------------------------------
# The catalogues: exactly the code's strings, all translated, compiled


TRANSLATED = [
    code
    for code, _ in django_settings.LANGUAGES
    if code not in (django_settings.LANGUAGE_CODE, django_settings.PSEUDO_LANGUAGE)
]


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalogue_is_current_complete_and_compiled(language, tmp_path, settings, monkeypatch):
    for folder in ("decisionguide", "templates"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copytree(ROOT / "locale", tmp_path / "locale", ignore=shutil.ignore_patterns("en_XA"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=[language], verbosity=0, **MAKEMESSAGES_OPTIONS)
    po = Path("locale") / language / "LC_MESSAGES" / "django.po"
    extracted = messages(read_po(tmp_path / po))
    committed = messages(read_po(ROOT / po))
    # Run bin/makemessages when this fails: the code has strings the catalogue lacks, or
    # the catalogue keeps some the code no longer has.
    assert {e.key for e in extracted} == {e.key for e in committed}
    untranslated = [e.msgid for e in committed if not e.translated]
    assert untranslated == [], f"translate these (and drop any fuzzy flag) in {po}"
    with (ROOT / po).with_suffix(".mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    for entry in committed:
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            got = [catalogue.get(key)]
        else:
            got = [catalogue.get((key, form)) for form in range(len(entry.msgstr))]
        assert got == entry.msgstr, f"{entry.msgid!r}: run bin/makemessages to compile {po}"
