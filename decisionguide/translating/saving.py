"""Saving a language's translations into the draft, merged like every admin save.

A save writes only the texts the translator changed (`sheet.Change`) over the draft as
it is now, inside the same merge-aware transaction as the other admin pages
(`publishing.merging`: `claim_for_merge`, then `record_merged_edit`), so a translator
and an editor, or two translators, keep each other's work; both changing one text is a
refusal that shows the two. A translation the guide refuses refuses the whole save,
with a message per text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from decisionguide.content.models import Guide, GuideVersion
from decisionguide.content.rows import build_document, guide_values
from decisionguide.decision.document import DocumentError
from decisionguide.decision.parsing import parse_document
from decisionguide.languages import language_name
from decisionguide.publishing.concurrency import DRAFT_VERSION_FIELD, posted_number
from decisionguide.publishing.drafts import GuideInvalid, record_edit
from decisionguide.publishing.feedback import translation_languages
from decisionguide.publishing.merging import claim_for_merge, record_merged_edit
from decisionguide.translating.po import PoProblem, read_po
from decisionguide.translating.sheet import Change, apply_changes, problems_of


class TranslationRefused(Exception):
    """Translations the guide refuses: path -> why ("" for a problem elsewhere)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{p}: {m}" if p else m for p, m in problems.items()))
        self.problems = problems


def target_languages() -> list[str]:
    """The languages a guide may be translated into: every public one but the source."""
    return [code for code, _ in translation_languages()]


def language_in_sentence(language: str) -> str:
    """The language's name as the admin's language writes it mid-sentence: "into French",
    "en français" (the catalogue says which: a language name is not always capitalized)."""
    name = language_name(language)
    case = pgettext(
        "How a language's name is written mid-sentence in this language: Capitalized "
        "(as in English) or lowercase (as in French). Translate with one of those two words.",
        "Capitalized",
    )
    return name.lower() if case == "lowercase" else name


def draft_data(guide: Guide) -> dict[str, Any]:
    """The draft as document data (raises DocumentError when its rows make no guide)."""
    return guide.draft_document().to_data()


def page_data(request: HttpRequest, guide: Guide) -> dict[str, Any]:
    """The draft version a posted page showed (`_draft_version`), else the draft now."""
    number = posted_number(request, DRAFT_VERSION_FIELD)
    if number is not None and number != guide.version:
        version = GuideVersion.objects.filter(guide=guide, version=number).first()
        if version is not None:
            try:
                return version.as_document().to_data()
            except DocumentError:
                pass  # an old version this schema can't read: the draft now
    return draft_data(guide)


def change_note(changes: Iterable[Change], language: str) -> str:
    """ "Translated 3 texts into French; confirmed 1 as still correct"."""
    changes = list(changes)
    name = language_in_sentence(language)
    translated = sum(1 for c in changes if c.text and not c.confirmed)
    confirmed = sum(1 for c in changes if c.confirmed)
    removed = sum(1 for c in changes if not c.text)
    parts = [
        ngettext(
            "translated %(count)s text into %(language)s",
            "translated %(count)s texts into %(language)s",
            translated,
        )
        % {"count": translated, "language": name}
        if translated
        else "",
        ngettext(
            "confirmed %(count)s text as still correct",
            "confirmed %(count)s texts as still correct",
            confirmed,
        )
        % {"count": confirmed}
        if confirmed
        else "",
        ngettext("removed %(count)s text", "removed %(count)s texts", removed) % {"count": removed}
        if removed
        else "",
    ]
    # Clauses of one note, each a whole phrase in the reader's language.
    note = _("; ").join(part for part in parts if part)
    note = note or _("no change to the %(language)s texts") % {"language": name}
    return note[0].upper() + note[1:]


def save_changes(
    request: HttpRequest | None, guide: Guide, language: str, changes: list[Change]
) -> list[Change]:
    """Write the changes as a new draft version; returns those that changed anything
    (none: no version). Raises StaleDraft, GuideInvalid or TranslationRefused, with
    nothing saved. Without a request (a command), over the draft as it is."""
    if not changes:
        return []
    with transaction.atomic():
        if request is not None:
            claim_for_merge(request, guide)
        fresh = Guide.objects.select_for_update().get(pk=guide.pk)
        try:
            data = build_document(fresh).to_data()
        except DocumentError as exc:
            raise GuideInvalid([str(exc)]) from exc
        new, applied = apply_changes(data, language, changes)
        if not applied:
            return []
        if problems := problems_of(new, language):
            raise TranslationRefused(problems)
        fresh.translations = guide_values(parse_document(new))["translations"]
        fresh.save(update_fields=["translations"])
        note = change_note(applied, language)
        if request is not None:
            record_merged_edit(request, fresh, note)
        else:
            record_edit(fresh, note=note)
    return applied


class PoRefused(Exception):
    """A PO file not used: every problem, each with its line in the file."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def import_file(
    request: HttpRequest | None, guide: Guide, language: str, text: str
) -> list[Change]:
    """Read a PO file against the draft and save what it changes; PoRefused lists every
    problem with its line (nothing saved)."""
    try:
        data = draft_data(guide)
    except DocumentError as exc:
        raise PoRefused(
            [_("The draft isn't a whole guide: %(problem)s") % {"problem": exc}]
        ) from exc
    reading = read_po(text, data, language)
    if reading.problems:
        raise PoRefused([str(p) for p in reading.problems])
    try:
        return save_changes(request, guide, language, reading.changes)
    except TranslationRefused as exc:
        raise PoRefused(
            [str(PoProblem(reading.lines.get(p), m)) for p, m in exc.problems.items()]
        ) from exc
    except GuideInvalid as exc:
        raise PoRefused(list(exc.messages)) from exc
