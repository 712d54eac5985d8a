"""Raw guide data (from YAML, JSON or the rows) in, a checked `GuideDocument` out.

`parse_document` checks the size first (before anything is validated or
rendered), then the types (pydantic), then every link between the parts of
the guide (`check_references`): an outcome, page, question or choice named
anywhere must exist, conditions may only look at earlier questions, and so
on. Each problem is one `DocumentError` naming its key path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from decisionguide.decision.document import (
    DOCUMENT_MAX_CHARACTERS,
    DOCUMENT_MAX_ITEMS,
    KEY_MAX_LENGTH,
    MARKDOWN_FIELDS,
    PAGE_LINK,
    RESERVED_QUESTION_SLUGS,
    TEXT_PARAM_SUFFIX,
    Condition,
    DocumentError,
    FailureCheck,
    Gate,
    GuideDocument,
    Note,
    Question,
    format_path,
)
from decisionguide.decision.translations import text_limit, with_current_sources
from decisionguide.decision.words import (
    Words,
    gettext_lazy,
    joined,
    ngettext_lazy,
    number,
    pgettext_lazy,
)

# Problems are `Words`: editors read them on an import or a refused save, in their language.
# A pydantic message this module has no words for stays pydantic's English.


def parse_document(data: Any) -> GuideDocument:
    """Validate raw data (from YAML or JSON) into a GuideDocument.

    Raises DocumentError for the first problem found: size first, then types,
    then references between parts.
    """
    if not isinstance(data, dict):
        raise DocumentError(
            "", gettext_lazy("the file must hold a mapping of guide fields at the top level")
        )
    too_large = size_problem(data)
    if too_large is not None:
        raise too_large
    try:
        # A content file's translation without `source` was made from today's source text.
        document = GuideDocument.model_validate(with_current_sources(data))
    except ValidationError as exc:
        raise type_problem(exc.errors()[0]) from None
    problems = list(check_references(document))
    if problems:
        raise problems[0]
    return document


def size_problem(data: Any) -> DocumentError | None:
    """The document over its size limits, checked on the raw data before validating (or
    rendering) any of it: its text values over DOCUMENT_MAX_CHARACTERS, a key longer than
    any field name or slug, or more than DOCUMENT_MAX_ITEMS entries. YAML aliases count
    each time they are used. Each language of `translations` has a text limit of its own,
    twice the guide's (a translation keeps the source words it was made from)."""
    if not isinstance(data, dict) or not isinstance(data.get("translations"), dict):
        return _size_problem(data, DOCUMENT_MAX_CHARACTERS, gettext_lazy("the guide"))
    guide = {key: value for key, value in data.items() if key != "translations"}
    problem = _size_problem(guide, DOCUMENT_MAX_CHARACTERS, gettext_lazy("the guide"))
    for language, entries in data["translations"].items():
        if problem is None:
            problem = _size_problem(
                entries,
                2 * DOCUMENT_MAX_CHARACTERS,
                gettext_lazy("the translation %(language)s", language=repr(str(language)[:16])),
            )
    return problem


def _size_problem(data: Any, max_characters: int, what: Words) -> DocumentError | None:
    total = 0
    items = 0
    stack = [data]
    while stack:
        item = stack.pop()
        items += 1
        if items > DOCUMENT_MAX_ITEMS:
            return DocumentError(
                "",
                gettext_lazy(
                    "the guide has over %(count)s entries", count=number(DOCUMENT_MAX_ITEMS)
                ),
            )
        if isinstance(item, str):
            total += len(item)
            if total > max_characters:
                return DocumentError(
                    "",
                    gettext_lazy(
                        "%(what)s is too large: over %(count)s characters of text, the most "
                        "it may have",
                        what=what,
                        count=number(max_characters),
                    ),
                )
        elif isinstance(item, dict):
            for key in item:
                if len(str(key)) > KEY_MAX_LENGTH:
                    shown = str(key)[:40]
                    return DocumentError(
                        "",
                        gettext_lazy(
                            "the key %(key)s… is too long: no field name or slug is over "
                            "%(count)s characters",
                            key=repr(shown),
                            count=KEY_MAX_LENGTH,
                        ),
                    )
            stack.extend(item.values())
            items += len(item)
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return None


def type_problem(error: ErrorDetails) -> DocumentError:
    """One pydantic error as a DocumentError: its key path and what is wrong, in words."""
    kind, context, value = error["type"], error.get("ctx", {}), error.get("input")
    last = str(error["loc"][-1:])
    message: Words | str = error["msg"]
    limit = context.get("max_length")
    if kind == "missing":
        message = gettext_lazy("required field is missing")
    elif kind == "extra_forbidden":
        message = gettext_lazy("unknown field")
    elif kind == "string_pattern_mismatch" and "slug" in last:
        message = gettext_lazy(
            "%(value)s is not a valid slug (lowercase letters, digits, - or _)", value=repr(value)
        )
    elif kind == "string_pattern_mismatch" and "url" in last:
        message = gettext_lazy(
            "%(value)s is not an address a linked page may have: use https://… or http://… "
            "with a host name, or a path on this site starting with a single /",
            value=repr(value),
        )
    elif kind == "string_too_long" and isinstance(value, str):
        # Texts are measured without their surrounding whitespace, as they are stored.
        message = too_long(limit, len(value.strip()))
    elif kind == "string_too_long":
        message = ngettext_lazy(
            "at most %(count)s character allowed",
            "at most %(count)s characters allowed",
            limit,
            count=limit,
        )
    elif kind == "too_long" and context.get("actual_length") is not None:
        message = ngettext_lazy(
            "at most %(count)s item allowed (this one has %(found)s)",
            "at most %(count)s items allowed (this one has %(found)s)",
            limit,
            count=limit,
            found=context["actual_length"],
        )
    elif kind == "too_long":
        message = ngettext_lazy(
            "at most %(count)s item allowed", "at most %(count)s items allowed", limit, count=limit
        )
    return DocumentError(format_path(error["loc"]), message)


def too_long(limit: int, length: int) -> Words:
    return ngettext_lazy(
        "at most %(count)s character allowed (this one has %(length)s)",
        "at most %(count)s characters allowed (this one has %(length)s)",
        limit,
        count=limit,
        length=length,
    )


def unknown_choice(path: str, slug: object, allowed: Iterable[str]) -> DocumentError:
    return DocumentError(
        path,
        gettext_lazy(
            "unknown choice %(slug)s (allowed: %(allowed)s)",
            slug=repr(slug),
            allowed=joined(allowed),
        ),
    )


def unknown_question(path: str, slug: str) -> DocumentError:
    return DocumentError(path, gettext_lazy("unknown question %(slug)s", slug=repr(slug)))


def _duplicates(items: Iterable[Any], path: str) -> Iterator[DocumentError]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.slug in seen:
            yield DocumentError(
                f"{path}[{index}].slug",
                gettext_lazy("duplicate slug %(slug)s", slug=repr(item.slug)),
            )
        seen.add(item.slug)


def check_references(doc: GuideDocument) -> Iterator[DocumentError]:
    """Every problem with the links between parts of a guide, in file order."""
    for name in ("outcomes", "criteria", "scenarios", "linked_pages", "questions", "notes"):
        yield from _duplicates(getattr(doc, name), name)
    links = _Links(doc)
    yield from links.pages_and_outcomes()
    yield from links.criteria()
    yield from links.questions()
    yield from links.gates()
    yield from links.notes()
    yield from links.scenario_answers()
    yield from links.claims()
    yield from links.tie_breaks()
    yield from links.translations()


@dataclass
class _Links:
    """The references of one document, checked part by part."""

    doc: GuideDocument
    # Questions checked so far: a condition may only look at these.
    earlier: dict[str, Question] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.outcome_slugs = [o.slug for o in self.doc.outcomes]
        self.page_slugs = {p.slug for p in self.doc.linked_pages}

    def unknown_outcome(self, path: str, slug: str) -> DocumentError:
        known = ", ".join(self.outcome_slugs)
        return DocumentError(
            path,
            gettext_lazy(
                "unknown outcome %(slug)s (known: %(known)s)", slug=repr(slug), known=known
            ),
        )

    def unknown_page(self, path: str, slug: str) -> DocumentError:
        known = ", ".join(sorted(self.page_slugs)) or pgettext_lazy("no linked pages", "none")
        return DocumentError(
            path,
            gettext_lazy(
                "unknown linked page %(slug)s (known: %(known)s)", slug=repr(slug), known=known
            ),
        )

    def outcomes_named(self, path: str, slugs: Iterable[str]) -> Iterator[DocumentError]:
        for index, slug in enumerate(slugs):
            if slug not in self.outcome_slugs:
                yield self.unknown_outcome(f"{path}[{index}]", slug)

    def pages_and_outcomes(self) -> Iterator[DocumentError]:
        doc = self.doc
        if doc.default_outcome not in self.outcome_slugs:
            yield self.unknown_outcome("default_outcome", doc.default_outcome)
        for name in MARKDOWN_FIELDS:
            for slug in PAGE_LINK.findall(getattr(doc, name)):
                if slug not in self.page_slugs:
                    yield self.unknown_page(name, slug)
        for i, outcome in enumerate(doc.outcomes):
            for j, slug in enumerate(outcome.next_pages):
                if slug not in self.page_slugs:
                    yield self.unknown_page(f"outcomes[{i}].next_pages[{j}]", slug)
        for i, scenario in enumerate(doc.scenarios):
            if scenario.outcome not in self.outcome_slugs:
                yield self.unknown_outcome(f"scenarios[{i}].outcome", scenario.outcome)

    def criteria(self) -> Iterator[DocumentError]:
        for i, criterion in enumerate(self.doc.criteria):
            for slug in criterion.ratings:
                if slug not in self.outcome_slugs:
                    yield self.unknown_outcome(f"criteria[{i}].ratings.{slug}", slug)
            for slug in self.outcome_slugs:
                if slug not in criterion.ratings:
                    yield DocumentError(
                        f"criteria[{i}].ratings",
                        gettext_lazy("no rating for outcome %(slug)s", slug=repr(slug)),
                    )

    def questions(self) -> Iterator[DocumentError]:
        with_free_text = {q.slug for q in self.doc.questions if q.free_text is not None}
        for i, question in enumerate(self.doc.questions):
            yield from self.question(f"questions[{i}]", question, with_free_text)
            self.earlier[question.slug] = question

    def question(
        self, path: str, question: Question, with_free_text: set[str]
    ) -> Iterator[DocumentError]:
        if question.slug in RESERVED_QUESTION_SLUGS:
            yield DocumentError(
                f"{path}.slug",
                gettext_lazy(
                    "%(slug)s is reserved by the questionnaire's URLs; pick another slug",
                    slug=repr(question.slug),
                ),
            )
        written_to = question.slug.removesuffix(TEXT_PARAM_SUFFIX)
        if written_to != question.slug and written_to in with_free_text:
            yield DocumentError(
                f"{path}.slug",
                gettext_lazy(
                    "%(slug)s clashes with the written answer to question %(question)s; pick "
                    "another slug",
                    slug=repr(question.slug),
                    question=repr(written_to),
                ),
            )
        if question.show_if is not None:
            yield from condition_problems(question.show_if, f"{path}.show_if", self.earlier)
        yield from _duplicates(question.choices, f"{path}.choices")
        for j, choice in enumerate(question.choices):
            for slug in choice.points:
                if slug not in self.outcome_slugs:
                    yield self.unknown_outcome(f"{path}.choices[{j}].points.{slug}", slug)
            if choice.route is not None and choice.route not in self.page_slugs:
                yield self.unknown_page(f"{path}.choices[{j}].route", choice.route)
        choice_slugs = [c.slug for c in question.choices]
        if question.free_text is not None and question.free_text.choice not in choice_slugs:
            yield unknown_choice(
                f"{path}.free_text.choice", question.free_text.choice, choice_slugs
            )

    def gates(self) -> Iterator[DocumentError]:
        gates = self.doc.gates
        for i, gate in enumerate(gates):
            if gate.outcome not in self.outcome_slugs:
                yield self.unknown_outcome(f"gates[{i}].outcome", gate.outcome)
            yield from condition_problems(gate.unless, f"gates[{i}].unless", self.earlier)
        for i, gate in enumerate(gates):
            if gate.outcome == self.doc.default_outcome:
                yield DocumentError(
                    f"gates[{i}].outcome",
                    gettext_lazy(
                        "the default outcome can't be gated: it is the answer when nothing else "
                        "fits"
                    ),
                )

    def notes(self) -> Iterator[DocumentError]:
        for i, note in enumerate(self.doc.notes):
            path = f"notes[{i}]"
            yield from condition_problems(note.when, f"{path}.when", self.earlier)
            yield from self.outcomes_named(f"{path}.shown_with", note.shown_with)
            for slug in PAGE_LINK.findall(note.text):
                if slug not in self.page_slugs:
                    yield self.unknown_page(f"{path}.text", slug)

    def claims(self) -> Iterator[DocumentError]:
        """What notes, gate reasons and failure checks claim: known outcomes and answers."""
        parts: list[tuple[str, Note | Gate | FailureCheck]] = [
            *((f"notes[{i}]", note) for i, note in enumerate(self.doc.notes)),
            *((f"gates[{i}]", gate) for i, gate in enumerate(self.doc.gates)),
            *((f"failure_checks[{i}]", c) for i, c in enumerate(self.doc.failure_checks)),
        ]
        for path, part in parts:
            for name in ("argues_against", "argues_for"):
                yield from self.outcomes_named(f"{path}.{name}", getattr(part, name))
            if isinstance(part, FailureCheck):
                yield from self.outcomes_named(f"{path}.shown_with", part.shown_with)
            both = set(part.argues_against) & set(part.argues_for)
            if both:
                yield DocumentError(
                    f"{path}.argues_against",
                    gettext_lazy(
                        "a text can't argue both for and against %(outcomes)s",
                        outcomes=", ".join(sorted(both)),
                    ),
                )
            # A claim may look at any question: it speaks of the whole set of answers.
            if part.asserts is not None:
                yield from condition_problems(part.asserts, f"{path}.asserts", self.earlier)
            if part.counted:
                counted = Condition.model_validate({"all": part.counted})
                yield from condition_problems(counted, f"{path}.counted", self.earlier)

    def tie_breaks(self) -> Iterator[DocumentError]:
        for i, tie_break in enumerate(self.doc.tie_breaks):
            path = f"tie_breaks[{i}]"
            question = self.earlier.get(tie_break.question)
            if question is None:
                yield unknown_question(f"{path}.question", tie_break.question)
                continue
            for choice_slug, outcome_slug in tie_break.settles.items():
                if question.choice(choice_slug) is None:
                    allowed = [c.slug for c in question.choices]
                    yield unknown_choice(f"{path}.settles.{choice_slug}", choice_slug, allowed)
                if outcome_slug not in self.outcome_slugs:
                    yield self.unknown_outcome(f"{path}.settles.{choice_slug}", outcome_slug)

    def scenario_answers(self) -> Iterator[DocumentError]:
        for i, scenario in enumerate(self.doc.scenarios):
            for question_slug, choice_slug in scenario.answers.items():
                path = f"scenarios[{i}].answers.{question_slug}"
                question = self.earlier.get(question_slug)
                if question is None:
                    yield unknown_question(path, question_slug)
                elif question.choice(choice_slug) is None:
                    yield unknown_choice(path, choice_slug, [c.slug for c in question.choices])

    def translations(self) -> Iterator[DocumentError]:
        """Each language names a text once, within its length, and links to known pages.

        A path that names no text (its part was removed since) is allowed: it is never
        shown, and the next save of that language drops it.
        """
        for language, entries in self.doc.translations.items():
            seen: set[str] = set()
            for i, entry in enumerate(entries):
                path = f"translations.{language}[{i}]"
                if entry.path in seen:
                    yield DocumentError(
                        f"{path}.path",
                        gettext_lazy("%(path)s is translated twice", path=repr(entry.path)),
                    )
                seen.add(entry.path)
                limit = text_limit(entry.path)
                if len(entry.text) > limit:
                    yield DocumentError(f"{path}.text", too_long(limit, len(entry.text)))
                for slug in PAGE_LINK.findall(entry.text):
                    if slug not in self.page_slugs:
                        yield self.unknown_page(f"{path}.text", slug)


def condition_problems(
    condition: Condition, path: str, earlier: dict[str, Question]
) -> Iterator[DocumentError]:
    if not condition.all_ and not condition.any_:
        yield DocumentError(
            path, gettext_lazy("a condition needs at least one clause under 'all' or 'any'")
        )
    for group, index, clause in condition.clauses():
        clause_path = f"{path}.{group}[{index}]"
        question = earlier.get(clause.question)
        if question is None:
            yield DocumentError(
                f"{clause_path}.question",
                gettext_lazy(
                    "unknown or later question %(slug)s (a condition may only look at "
                    "questions asked before it)",
                    slug=repr(clause.question),
                ),
            )
            continue
        for j, slug in enumerate(clause.in_):
            if question.choice(slug) is None:
                allowed = [c.slug for c in question.choices]
                yield unknown_choice(f"{clause_path}.in[{j}]", slug, allowed)
