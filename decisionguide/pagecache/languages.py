"""A guide in the language of the URL (issue 24): which version that language's visitors
see, and the document they read.

A language other than the source shows the version it was last published complete in
(`Guide.language_versions`, set by every publish); its document is that version's with the
translations in place (`decision.translations.document_in`), made once per worker per
version and language. A language with no such version shows the source-language
version, and the page says so (`request.content_language`, read by base.html). The
pseudo-locale (settings.PSEUDO_LANGUAGE) reads the source texts pseudo-translated on the
fly, so any guide text a page shows without going through a document stands out.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from decisionguide.catalogues import pseudo
from decisionguide.checking.memo import Memo
from decisionguide.content.models import GuideVersion
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.translations import (
    document_in,
    language_status,
    text_limit,
    text_spots,
)

# Keys: a version's stamp and a language; None stands for "not complete in that language".
documents_in_language: Memo[tuple[GuideDocument | None]] = Memo(size=64)


def is_translated(language: str) -> bool:
    """Its guide texts come from translations: not the source, not the pseudo-locale."""
    return language not in (settings.LANGUAGE_CODE, settings.PSEUDO_LANGUAGE)


def language_version(request: HttpRequest, shown: Any) -> tuple[str, int | None]:
    """The request's language and the id of the version it shows (`Guide.language_versions`
    as the page query read it: JSON text or a dict). None: the language has none, or is the
    source or the pseudo-locale, which show the published version."""
    language = getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE
    return language, version_shown_in(language, shown)


def version_shown_in(language: str, shown: Any) -> int | None:
    """The id of the version `language` shows, from `Guide.language_versions` as the page
    query read it (JSON text or a dict); None as `language_version` says."""
    if not is_translated(language):
        return None
    if isinstance(shown, str):
        shown = json.loads(shown or "{}")
    version_id = shown.get(language) if isinstance(shown, dict) else None
    return version_id if isinstance(version_id, int) else None


def document_for(version: GuideVersion, language: str) -> GuideDocument | None:
    """`version`'s document as `language`'s visitors read it; None when the language is not
    complete in it (its visitors then read the source language, told so)."""
    source = version.as_document()
    if language == settings.LANGUAGE_CODE:
        return source
    key = f"{version.stamp}:{language}"
    found = documents_in_language.get(key)
    if found is None:
        found = documents_in_language.put(key, (_made(source, language),))
    return found[0]


def _made(source: GuideDocument, language: str) -> GuideDocument | None:
    if language == settings.PSEUDO_LANGUAGE:
        return pseudo_document(source)
    if not language_status(source.to_data(), language).complete:
        return None
    return document_in(source, language)


def document_in_language(version: GuideVersion, language: str) -> GuideDocument:
    """`version`'s document in `language`, or in the source language where not complete."""
    return document_for(version, language) or version.as_document()


def readable(request: HttpRequest, version: GuideVersion) -> GuideDocument:
    """`version`'s document in the request's language, or in the source language with
    `request.content_language` set, so the page says it is not translated."""
    language = getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE
    doc = document_for(version, language)
    if doc is None:
        request.content_language = settings.LANGUAGE_CODE
        return version.as_document()
    return doc


# ---------------------------------------------------------------------------
# The pseudo-locale's guide texts

# What must stay as written: link targets and references, autolinks, code, tags.
_MARKDOWN_KEEP = re.compile(r"\]\([^)]*\)|\]\[[^\]]*\]|<[^>]+>|`[^`]*`")
# A line's Markdown start: indentation, list markers, headings, quotes.
_LINE_START = re.compile(r"^(\s*(?:[-*+]|\d+[.)]|#{1,6}|>)?\s*)")


def pseudo_text(text: str, limit: int) -> str:
    """`text` pseudo-translated line by line (catalogues.pseudo), Markdown intact, at most
    `limit` characters (the padding gives way first)."""
    lines = []
    for line in text.split("\n"):
        start = _LINE_START.match(line)
        head = start.group(1) if start else ""
        body = line[len(head) :]
        if not body.strip():
            lines.append(line)
            continue
        pieces, position = [], 0
        for match in _MARKDOWN_KEEP.finditer(body):
            pieces.append(pseudo_words(body[position : match.start()]))
            pieces.append(match.group(0))
            position = match.end()
        pieces.append(pseudo_words(body[position:]))
        lines.append(head + "".join(pieces))
    out = "\n".join(lines)
    return out if len(out) <= limit else out[: limit - 1] + "⟧"


def pseudo_words(text: str) -> str:
    """Accented and marked like the interface's pseudo strings; spaces at the ends kept."""
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    tail = text[len(text.rstrip()) :]
    return lead + pseudo(core) + tail


def pseudo_document(doc: GuideDocument) -> GuideDocument:
    """`doc` with every text visitors read pseudo-translated; slugs and logic untouched."""
    data = doc.to_data()
    data.pop("translations", None)
    for spot in list(text_spots(data)):
        spot.holder[spot.key] = pseudo_text(spot.text, text_limit(spot.path))  # type: ignore[index]
    return GuideDocument.model_validate(data)


def listed_document(guide: Any, language: str) -> GuideDocument:
    """What a guide list shows of `guide` (with `published_version` loaded) in `language`."""
    shown = (guide.language_versions or {}).get(language) if is_translated(language) else None
    if shown is None or shown == guide.published_version_id:
        return document_in_language(guide.published_version, language)
    return document_in_language(GuideVersion.objects.get(pk=shown), language)
