"""A guide in several languages: its texts, their translations and whether those are current.

Pure (no Django). One guide underneath: slugs, points, conditions and every other piece of
logic are the document's own, shared by all its languages; a language only has other
words for its texts. They live in the document itself (`GuideDocument.translations`:
language -> entries), so history, diffs, restores, YAML files and the versions results point
to carry them like any other field.

Each text visitors read has a path, from slugs where a part has one, so reordering
parts keeps their translations: `title`, `outcomes.crm-first.tagline`,
`outcomes.crm-first.best_for.0`, `questions.team-size.choices.solo.label`,
`criteria.cost.ratings.crm-first.label`, `gates.2.reason`, `edge_cases.0`.
A private scenario is an editors' test, never shown to visitors: it has no texts to
translate.

A translation keeps the source text it was made from (`source`). When the source
changes, the translation is **out of date**: never overwritten, shown beside the
source's old and new words until a translator updates it (or confirms it). A text
with no translation is **missing**. A language is complete when neither happens;
only a complete language is published (`language_status`).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from decisionguide.decision.document import (
    LINE_MAX_LENGTH,
    MARKDOWN_FIELDS,
    SUMMARY_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    GuideDocument,
)
from decisionguide.decision.verdict import Decision, Reason
from decisionguide.decision.words import Words, gettext_lazy, joined, ngettext_lazy

# Fields visitors read, per part, in document order (the order editors see them in).
GUIDE_TEXTS = ("title", "summary", *MARKDOWN_FIELDS)
OUTCOME_TEXTS = ("name", "tagline", "strengths", "tradeoffs", "failure_mode", "good_fit")
OUTCOME_TEXTS_AFTER_LIST = ("choose_if",)
CRITERION_TEXTS = ("name", "description")
LINKED_PAGE_TEXTS = ("title", "summary", "when", "body")
QUESTION_TEXTS = ("prompt", "short", "hint")
CHOICE_TEXTS = ("label", "hint", "reason")
FREE_TEXT_TEXTS = ("label", "hint")
SCENARIO_TEXTS = (
    "title",
    "description",
    "public_title",
    "public_description",
    "handoff_example",
    "handoff_rule",
)
NOTE_TEXTS = ("title", "text")

# Fields that are one line (`document.Line`); other texts are Markdown or longer prose.
LINE_FIELDS = frozenset({"title", "name", "tagline", "public_title", "prompt", "short", "label"})


@dataclass(frozen=True)
class Spot:
    """Where one text sits in document data: `holder[key]`, named `path`."""

    path: str
    holder: dict[str, Any] | list[Any]
    key: str | int

    @property
    def text(self) -> str:
        return self.holder[self.key]  # type: ignore[index]


def _fields(holder: dict[str, Any], prefix: str, names: tuple[str, ...]) -> Iterator[Spot]:
    for name in names:
        if isinstance(holder.get(name), str) and holder[name]:
            yield Spot(f"{prefix}{name}", holder, name)


def _items(holder: dict[str, Any], key: str, prefix: str) -> Iterator[Spot]:
    for i, item in enumerate(holder.get(key) or ()):
        if isinstance(item, str) and item:
            yield Spot(f"{prefix}{key}.{i}", holder[key], i)


def text_spots(data: dict[str, Any]) -> Iterator[Spot]:
    """Every text of document data (`GuideDocument.to_data()`) visitors may read."""
    yield from _fields(data, "", GUIDE_TEXTS)
    for page in data.get("linked_pages", ()):
        yield from _fields(page, f"linked_pages.{page['slug']}.", LINKED_PAGE_TEXTS)
    for outcome in data.get("outcomes", ()):
        prefix = f"outcomes.{outcome['slug']}."
        yield from _fields(outcome, prefix, OUTCOME_TEXTS)
        yield from _items(outcome, "best_for", prefix)
        yield from _fields(outcome, prefix, OUTCOME_TEXTS_AFTER_LIST)
    for criterion in data.get("criteria", ()):
        prefix = f"criteria.{criterion['slug']}."
        yield from _fields(criterion, prefix, CRITERION_TEXTS)
        for outcome, rating in (criterion.get("ratings") or {}).items():
            yield from _fields(rating, f"{prefix}ratings.{outcome}.", ("label",))
    for question in data.get("questions", ()):
        prefix = f"questions.{question['slug']}."
        yield from _fields(question, prefix, QUESTION_TEXTS)
        for choice in question.get("choices", ()):
            yield from _fields(choice, f"{prefix}choices.{choice['slug']}.", CHOICE_TEXTS)
        if isinstance(question.get("free_text"), dict):
            yield from _fields(question["free_text"], f"{prefix}free_text.", FREE_TEXT_TEXTS)
    for scenario in data.get("scenarios", ()):
        if scenario.get("public", True):  # a private one is an editors' test
            yield from _fields(scenario, f"scenarios.{scenario['slug']}.", SCENARIO_TEXTS)
    for i, tie_break in enumerate(data.get("tie_breaks", ())):
        yield from _fields(tie_break, f"tie_breaks.{i}.", ("explanation",))
    for i, gate in enumerate(data.get("gates", ())):
        yield from _fields(gate, f"gates.{i}.", ("reason",))
    for note in data.get("notes", ()):
        yield from _fields(note, f"notes.{note['slug']}.", NOTE_TEXTS)
    yield from _items(data, "edge_cases", "")
    yield from _items(data, "missteps", "")
    for i, check in enumerate(data.get("failure_checks", ())):
        # A check with nothing but its text is written as that text (FailureCheck).
        if isinstance(check, str) and check:
            yield Spot(f"failure_checks.{i}.text", data["failure_checks"], i)
        elif isinstance(check, dict):
            yield from _fields(check, f"failure_checks.{i}.", ("text",))


def text_limit(path: str) -> int:
    """The most characters the text at `path` may have, in any language."""
    if path == "summary":
        return SUMMARY_MAX_LENGTH
    name = path.rsplit(".", 1)[-1]
    if name in LINE_FIELDS or ".best_for." in path:
        return LINE_MAX_LENGTH
    return TEXT_MAX_LENGTH


def source_texts(data: dict[str, Any]) -> dict[str, str]:
    """Path -> source text, for every text of document data visitors may read."""
    return {spot.path: spot.text for spot in text_spots(data)}


# ---------------------------------------------------------------------------
# Status of one language


@dataclass(frozen=True)
class OutOfDate:
    """A translation made from other words than the source has now."""

    path: str
    text: str  # the translation, as it stands
    was: str  # the source it was made from
    now: str  # the source today

    def source_diff(self) -> list[tuple[str, str]]:
        """The source's change, word by word: (op, words) with op in "same", "gone", "new"."""
        return word_diff(self.was, self.now)


@dataclass(frozen=True)
class LanguageStatus:
    language: str
    total: int  # texts visitors may read
    translated: int  # of which translated from today's source
    missing: tuple[str, ...]  # paths with no translation
    out_of_date: tuple[OutOfDate, ...]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.out_of_date

    @property
    def share(self) -> float:
        return self.translated / self.total if self.total else 1.0


def entries_of(data: Mapping[str, Any], language: str) -> dict[str, dict[str, str]]:
    """Path -> {"text", "source"} of one language's translations in document data."""
    entries = (data.get("translations") or {}).get(language) or ()
    return {entry["path"]: entry for entry in entries}


def language_status(data: dict[str, Any], language: str) -> LanguageStatus:
    """Which texts of document data are translated into `language`, missing or out of date.

    A translation whose path names no text any more (its part was removed) is left out.
    """
    entries = entries_of(data, language)
    missing: list[str] = []
    stale: list[OutOfDate] = []
    sources = source_texts(data)
    for path, source in sources.items():
        entry = entries.get(path)
        if entry is None or not entry.get("text"):
            missing.append(path)
        elif entry.get("source") != source:
            stale.append(OutOfDate(path, entry["text"], entry.get("source", ""), source))
    translated = len(sources) - len(missing) - len(stale)
    return LanguageStatus(language, len(sources), translated, tuple(missing), tuple(stale))


def languages_of(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The languages the document has translations for, in file order."""
    return tuple(data.get("translations") or ())


def in_language(data: dict[str, Any], language: str) -> dict[str, Any]:
    """A copy of document data with every up-to-date translation into `language` in place.

    A text missing or out of date keeps its source words: a page never shows a
    translation of something the source no longer says. Logic is untouched.
    """
    entries = entries_of(data, language)
    if not entries:
        return data
    data = copy.deepcopy(data)
    for spot in text_spots(data):
        entry = entries.get(spot.path)
        if entry is not None and entry.get("text") and entry.get("source") == spot.text:
            spot.holder[spot.key] = entry["text"]  # type: ignore[index]
    return data


def with_translation(
    data: dict[str, Any], language: str, path: str, text: str, source: str | None = None
) -> dict[str, Any]:
    """A copy of document data with one translation set (empty `text`: removed), made from
    `source` (default: the source text as it is now). Entries whose path names no text
    any more are dropped."""
    data = copy.deepcopy(data)
    entries = dict(entries_of(data, language))
    if text:
        made_from = source_texts(data)[path] if source is None else source
        entries[path] = {"path": path, "text": text, "source": made_from}
    else:
        entries.pop(path, None)
    return put_entries(data, language, entries)


def put_entries(
    data: dict[str, Any], language: str, entries: Mapping[str, dict[str, str]]
) -> dict[str, Any]:
    """`data` (changed in place, and returned) with `language`'s translations set to
    `entries` (path -> entry), in the order of the texts; entries whose path names no
    text any more are dropped, and a language (or `translations`) left empty goes."""
    translations = dict(data.get("translations") or {})
    ordered = [entries[path] for path in source_texts(data) if path in entries]
    if ordered:
        translations[language] = ordered
    else:
        translations.pop(language, None)
    if translations:
        data["translations"] = translations
    else:
        data.pop("translations", None)
    return data


def word_diff(was: str, now: str) -> list[tuple[str, str]]:
    """(op, words) runs turning `was` into `now`; op is "same", "gone" or "new"."""
    old, new = was.split(" "), now.split(" ")
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", " ".join(old[a1:a2])))
            continue
        if a2 > a1:
            runs.append(("gone", " ".join(old[a1:a2])))
        if b2 > b1:
            runs.append(("new", " ".join(new[b1:b2])))
    return runs


def document_in(doc: GuideDocument, language: str) -> GuideDocument:
    """`doc` as visitors of `language` read it: its up-to-date translations in place, no
    translations of its own (a rendering, not a source). The logic is `doc`'s own."""
    if language not in doc.translations:
        return doc
    data = in_language(doc.to_data(), language)
    data.pop("translations", None)
    return GuideDocument.model_validate(data)


# ---------------------------------------------------------------------------
# Publishing per language


def languages_going_live(
    data: dict[str, Any], languages: tuple[str, ...], shown: Mapping[str, int], version_id: int
) -> dict[str, int]:
    """Which version each of `languages` shows once version `version_id` (document data
    `data`) goes live, given the versions they showed before (`shown`, language -> id).

    A language complete in `data` moves to it; any other keeps the last version where it
    was complete (its readers keep a whole, correct guide), or still has none.
    """
    after = {language: shown[language] for language in languages if language in shown}
    for language in languages:
        if language_status(data, language).complete:
            after[language] = version_id
    return after


def status_words(status: LanguageStatus, name: str, listed: int = 3) -> Words:
    """What stops `status`'s language from going live, in words: "3 texts missing
    (title, …), 2 out of date (…)". Paths are named when there are at most `listed`."""
    parts: list[Words] = []
    missing = len(status.missing)
    if missing:
        parts.append(
            ngettext_lazy(
                "%(count)s text missing%(paths)s",
                "%(count)s texts missing%(paths)s",
                missing,
                count=missing,
                paths=f" ({', '.join(status.missing)})" if missing <= listed else "",
            )
        )
    old = len(status.out_of_date)
    if old:
        paths = ", ".join(o.path for o in status.out_of_date)
        parts.append(
            ngettext_lazy(
                "%(count)s text out of date%(paths)s",
                "%(count)s texts out of date%(paths)s",
                old,
                count=old,
                paths=f" ({paths})" if old <= listed else "",
            )
        )
    if not parts:
        return gettext_lazy("%(language)s published", language=name)
    return gettext_lazy(
        "%(language)s not published: %(problems)s", language=name, problems=joined(parts)
    )


# ---------------------------------------------------------------------------
# Content files: a translation's `source` only where it is out of date


def without_current_sources(data: dict[str, Any]) -> dict[str, Any]:
    """Document data as a content file writes it: an entry's `source` only when it differs
    from the source text today (out of date), so a file stays readable and short."""
    if not data.get("translations"):
        return data
    sources = source_texts(data)
    languages = {}
    for language, entries in data["translations"].items():
        languages[language] = [
            {k: v for k, v in e.items() if k != "source" or sources.get(e["path"]) != v}
            for e in entries
        ]
    return {**data, "translations": languages}


def with_current_sources(data: Any) -> Any:
    """Content-file data with each translation lacking `source` taken as translated from
    today's source text (what `without_current_sources` left out)."""
    translations = data.get("translations") if isinstance(data, dict) else None
    if not isinstance(translations, dict):
        return data
    sources: dict[str, str] | None = None
    languages: dict[Any, Any] = {}
    for language, entries in translations.items():
        if not isinstance(entries, list):
            languages[language] = entries
            continue
        filled = []
        for entry in entries:
            if isinstance(entry, dict) and "source" not in entry:
                if sources is None:
                    sources = _sources_of_raw(data)
                path = entry.get("path")
                entry = {**entry, "source": sources.get(path, "") if isinstance(path, str) else ""}
            filled.append(entry)
        languages[language] = filled
    return {**data, "translations": languages}


def _sources_of_raw(data: dict[str, Any]) -> dict[str, str]:
    """source_texts of data not validated yet: whatever cannot be read has no text."""
    try:
        return source_texts(data)
    except (AttributeError, KeyError, TypeError):
        return {}


# ---------------------------------------------------------------------------
# A stored decision in a language


def decision_in(decision: Decision, doc: GuideDocument, source: GuideDocument) -> Decision:
    """A decision worked out on `source` (stored with its words), with the words of `doc`,
    the same version in another language: the reasons' texts, the gates' reasons. The
    verdict itself (outcomes, points, slugs) is the same in every language."""
    if doc is source:
        return decision
    gates = {g.reason: t.reason for g, t in zip(source.gates, doc.gates, strict=False)}

    def worded(reason: Reason) -> Reason:
        question = doc.question(reason.question)
        choice = question.choice(reason.choice) if question is not None else None
        if question is None or choice is None:
            return reason
        text = choice.reason or f"{question.short}: {choice.label}"
        return dataclasses.replace(reason, text=text)

    return dataclasses.replace(
        decision,
        reasons=tuple(worded(r) for r in decision.reasons),
        counter_reasons=tuple(worded(r) for r in decision.counter_reasons),
        excluded={slug: gates.get(text, text) for slug, text in decision.excluded.items()},
    )
