"""The site's languages as pages offer them: hreflang alternates and the language switcher.

Only the public languages (settings.LANGUAGES without the pseudo-locale) are offered.
The same page in another language is the same path with the other prefix (English has
none), so no URL is resolved or reversed again to find it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix
from django.utils.formats import number_format
from django.utils.translation import (
    get_language_info,
    gettext,
    ngettext,
    npgettext,
    pgettext,
)

from decisionguide.decision.words import Words


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language (settings.LANGUAGES), whatever the page's language
    url: str  # absolute
    current: bool
    default: bool  # LANGUAGE_CODE: its pages have no prefix, and it is the x-default


def public_languages() -> list[tuple[str, str]]:
    pseudo = getattr(settings, "PSEUDO_LANGUAGE", None)
    return [(code, name) for code, name in settings.LANGUAGES if code != pseudo]


def language_name(code: str) -> str:
    """The language's name in the reader's language ("French", "français"); its code if
    Django knows no name for it."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def translated_languages() -> tuple[str, ...]:
    """The public languages a guide is translated into (all but the source, LANGUAGE_CODE)."""
    return tuple(code for code, _ in public_languages() if code != settings.LANGUAGE_CODE)


def path_in(path_info: str, current: str, target: str) -> str:
    """`path_info` (in language `current`) in language `target`."""
    default = settings.LANGUAGE_CODE
    rest = path_info if current == default else path_info[len(current) + 1 :]
    return rest if target == default else f"/{target}{rest}"


def language_links(request: HttpRequest) -> list[LanguageLink]:
    """This page in each public language (with its query: a questionnaire step's answers)."""
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    query = request.META.get("QUERY_STRING", "")
    # /embed/... pages keep their prefix (the script prefix while EmbedMiddleware runs).
    prefix = get_script_prefix().rstrip("/")
    links = []
    for code, name in public_languages():
        path = prefix + path_in(request.path_info, current, code)
        url = request.build_absolute_uri(f"{path}?{query}" if query else path)
        links.append(LanguageLink(code, name, url, code == current, code == settings.LANGUAGE_CODE))
    return links


# Wording every app builds sentences from: lists and quotes differ between languages
# ("A, B and C" / "A, B et C"; “x” / « x »), so they come from the catalogue as patterns.


def quoted(text: object) -> str:
    """`text` in the language's quotation marks."""
    return pgettext("quoted text", "“%(text)s”") % {"text": text}


def join_list(items: Sequence[str], last_word: str = "and") -> str:
    """ "A", "A and B", "A, B and C" (`last_word` "or": "A, B or C"), as the language
    writes a list."""
    if len(items) <= 1:
        return "".join(items)
    head = pgettext("list separator between items, not before the last", ", ").join(items[:-1])
    if last_word == "or":
        pattern = pgettext(
            "list: the first items and the last, one of them", "%(items)s or %(last)s"
        )
    else:
        pattern = pgettext("list: the first items and the last", "%(items)s and %(last)s")
    return pattern % {"items": head, "last": items[-1]}


# The engine's and the checks' sentences (decisionguide.decision.words), in the active language.


def translate_words(words: Words) -> str:
    if words.plural is None:
        template = pgettext(words.context, words.text) if words.context else gettext(words.text)
    elif words.context:
        template = npgettext(words.context, words.text, words.plural, words.count)
    else:
        template = ngettext(words.text, words.plural, words.count)
    return template % words.values() if words.params else template


def format_count(value: int) -> str:
    """A count as the active language groups its digits (1,234 / 1 234)."""
    return number_format(value, force_grouping=True)
