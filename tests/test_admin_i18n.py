"""The editors' admin in the editor's language (issue 24): the switcher, and every string
an editor reads through gettext, shown by walking the admin in the pseudo-locale."""

from __future__ import annotations

import re
from collections import defaultdict
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import django
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from decisionguide.catalogues import CLOSE, OPEN, read_po
from decisionguide.content.models import GuideVersion, PublishEvent
from decisionguide.guides.markdown import render_markdown
from tests.test_i18n import Page, document_texts, outside_markers, pseudo_locale, words

__all__ = ["pseudo_locale"]  # a fixture, used by name below

ADMIN = f"/{django_settings.ADMIN_PATH}/"
LANGUAGE_NAMES = {name for _, name in django_settings.LANGUAGES}
# The usernames, and the alt text of Django's boolean icons (which Django leaves English).
NOT_OURS = {"admin", "editor", "True", "False", "None"}
DJANGO_LOCALES = Path(django.__file__).parent


def test_an_editor_switches_the_admin_to_french_and_back(editor_client, seed_guide):
    english = editor_client.get(ADMIN).content.decode()
    assert '<html lang="en"' in english
    assert 'name="language"' in english and 'action="/i18n/setlang/"' in english
    response = editor_client.post("/i18n/setlang/", {"language": "fr", "next": ADMIN})
    assert response.status_code == 302 and response["Location"] == ADMIN
    french = editor_client.get(ADMIN)
    html = french.content.decode()
    assert '<html lang="fr"' in html
    assert "Accept-Language" in french["Vary"] and "Cookie" in french["Vary"]
    with translation.override("fr"):
        switch = translation.gettext("Change language")
    assert switch != "Change language" and escape(switch) in html
    editor_client.post("/i18n/setlang/", {"language": "en", "next": ADMIN})
    assert '<html lang="en"' in editor_client.get(ADMIN).content.decode()


def test_the_browser_language_picks_the_admin_language_until_the_editor_chooses(
    editor_user, seed_guide
):
    browser = Client(headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    browser.force_login(editor_user)
    assert '<html lang="fr"' in browser.get(ADMIN).content.decode()
    browser.post("/i18n/setlang/", {"language": "en", "next": ADMIN})
    assert '<html lang="en"' in browser.get(ADMIN).content.decode()


def test_the_public_pages_ignore_the_admin_language(editor_client, seed_guide):
    editor_client.post("/i18n/setlang/", {"language": "fr", "next": ADMIN})
    page = editor_client.get(f"/guides/{seed_guide.slug}/").content.decode()
    assert '<html lang="en"' in page


# ---------------------------------------------------------------------------
# Every admin page in the pseudo-locale: nothing left outside its markers but the guide's
# own content and Django's own admin strings (which Django translates).


def django_strings() -> tuple[set[str], list[re.Pattern[str]]]:
    """The msgids of Django's and its admin's French catalogues: exact ones, and patterns
    for those with placeholders."""
    exact: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for po in DJANGO_LOCALES.glob("**/locale/fr/LC_MESSAGES/django*.po"):
        for entry in read_po(po):
            for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
                text = words(msgid)
                if re.search(r"%(\(\w+\))?[sd]|\{\w*\}", text):
                    pieces = re.split(r"%(?:\(\w+\))?[sd]|\{\w*\}", text)
                    if not re.search(r"[^\W\d_]{2,}", "".join(pieces)):
                        continue  # "%(name)s" alone would match anything
                    body = r"\s*.*?\s*".join(re.escape(p.strip()) for p in pieces)
                    patterns.append(re.compile(body))
                exact.add(text)
    return exact, patterns


class AdminPage(Page):
    SKIP = {*Page.SKIP, "textarea", "pre", "code"}


DATE = re.compile(
    r"^[\s,.:\-\u20130-9]*((a\.m\.|p\.m\.|midnight|noon|\w{3,4}\.?|UTC)[\s,.:\-\u20130-9]*)*$", re.I
)
ADDRESS = re.compile(r"^(https?://|/)\S*$|^[\w.-]+\.(ya?ml|po|csv|json)$")


def admin_links(html: str) -> list[str]:
    # Not the pages of Django's own apps (users, groups) or django-axes: theirs to translate.
    return [
        unescape(href)
        for href in re.findall(r'href="([^"#]*)"', html)
        if href.startswith(ADMIN) and not re.match(f"{ADMIN}(auth|axes)/|{ADMIN}logout/", href)
    ]


def shape(url: str) -> str:
    """One page per shape: /admin/guides/question/12/change/ and /…/13/… are one."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


def allowed(rest: str, exact: set[str], patterns: list, content: set[str]) -> bool:
    """Whether `rest`, a text outside every marker, may be there: no words, the guide's
    content, a string Django translates, a date, an address or a username."""
    bare = rest.strip(" .:,;()!?/|-\u201c\u201d\u00ab\u00bb\u2013\u203a")
    lower = bare[:1].lower() + bare[1:]  # a verbose name, shown with capfirst
    # The logic map numbers the prompts, bullets the choices and stars the default outcome,
    # and cuts long labels short with "…".
    core = re.sub(r"^(\d+\.|\u2022)\s*|\s*\*$", "", rest)
    if core.endswith("\u2026") and any(t.startswith(core[:-1].strip()) for t in content):
        return True
    return bool(
        not re.search(r"[^\W\d_]{2,}", rest)
        or {rest, bare, lower, core} & (exact | content | LANGUAGE_NAMES | NOT_OURS)
        or (len(bare) > 30 and bare in " ".join(content))
        or DATE.match(rest)
        or re.search(r"\w object \(\d+\)$", rest)  # Model.__str__ of Django's m2m rows
        or ADDRESS.match(bare)
        or any(p.fullmatch(rest) or p.fullmatch(bare) for p in patterns)
    )


def admin_leaks(client: Client, content: set[str], start: str, limit: int = 250) -> dict[str, list]:
    exact, patterns = django_strings()
    leaks: dict[str, list[str]] = defaultdict(list)
    queue, seen = [start], {shape(start)}
    while queue and len(seen) <= limit:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for link in admin_links(html):
            if shape(link) not in seen:
                seen.add(shape(link))
                queue.append(link)
        assert OPEN in html, url
        for text in outside_markers("\n".join(AdminPage(html).texts)).split("\n"):
            # A <title> joins the page's title and the site's with " | ".
            # A long name the admin cuts short ("… »  After kickoff, once the…") loses its ⟧.
            text = re.sub(f"{OPEN}[^{CLOSE}]*\u2026$", " ", text)
            for piece in words(text).split(" | "):
                if not allowed(piece, exact, patterns, content):
                    leaks[shape(url)].append(piece)
    return leaks


def test_no_admin_string_escapes_gettext(superuser_client, seed_guide, pseudo_locale):
    doc = seed_guide.published_document()
    texts = document_texts(doc.to_data(), [])
    # The guide's texts, and the pieces of its Markdown as the page splits them.
    content = {words(line) for t in texts for line in [t, *t.splitlines()]} | {
        words(piece)
        for t in texts
        for piece in re.sub(r"<[^>]+>", "\n", render_markdown(t, doc)).split("\n")
    }
    # Notes stored with each version ("Loaded from content/…yaml") are records, kept in the
    # language they were written in, like the guide's own texts.
    content |= {words(n) for n in GuideVersion.objects.values_list("note", flat=True)}
    content |= {words(n) for n in PublishEvent.objects.values_list("note", flat=True)}
    superuser_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en-xa"
    leaks = admin_leaks(superuser_client, content, ADMIN)
    report = "\n".join(f"{url}: {sorted(set(texts))}" for url, texts in sorted(leaks.items()))
    assert not leaks, f"strings outside gettext, by page:\n{report}"
