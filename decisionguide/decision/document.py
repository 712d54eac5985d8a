"""The guide document: one guide's whole content as plain, immutable data.

The same shape is read from `content/*.yaml`, written by `dumpguide`, frozen
into each published version (the snapshot results point to) and fed to the
engine. `decisionguide.decision.parsing.parse_document` turns raw data into
one, checking sizes, types and every link between parts, so a bad file is
reported as one line naming the key path and what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
)

from decisionguide.decision.origins import Origin
from decisionguide.decision.words import Words

SLUG_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
# Question slugs name query parameters in the questionnaire's URLs, beside these.
RESERVED_QUESTION_SLUGS = frozenset({"return", "preview"})
TEXT_PARAM_SUFFIX = "_text"

# Limits on content, far above any real guide (the seed guide's longest text has about
# 1,700 characters; the benchmark guide has 200 questions). They keep one guide from
# making its pages slow to render or its file slow to load; a document over one is
# refused with its key path and the limit, before anything is stored.
LINE_MAX_LENGTH = 300
SUMMARY_MAX_LENGTH = 320
TEXT_MAX_LENGTH = 10_000  # one Markdown text or hint
URL_MAX_LENGTH = 500
# All the text of one guide together (its text values, in characters): a guide page at
# this size renders well under a second (tests/test_content_limits.py). Keys don't count,
# so a guide measures the same from its file and from the admin's rows, which spell out
# every empty field; they are bounded by KEY_MAX_LENGTH and DOCUMENT_MAX_ITEMS instead.
DOCUMENT_MAX_CHARACTERS = 200_000
KEY_MAX_LENGTH = 64  # the longest slug; field names are shorter
DOCUMENT_MAX_ITEMS = 500_000  # keys, values and list entries together
MAX_OUTCOMES = 20
MAX_CRITERIA = 30
MAX_SCENARIOS = 50
MAX_LINKED_PAGES = 100
MAX_LIST_ITEMS = 50  # edge cases, missteps, failure checks; best-for lines, next pages
MAX_QUESTIONS = 300
MAX_CHOICES = 30  # per question
MAX_GATES = 100
MAX_NOTES = 100
MAX_CLAUSES = 50  # per `all` or `any` of a condition

MAX_EMBED_ORIGINS = 20
MAX_LANGUAGES = 10  # besides the source: translations a guide may carry
PATH_MAX_LENGTH = 300  # a translated text's path (`decision.translations`)

# A linked page's address: absolute http(s) with a host, or a path on this site that
# starts with exactly one slash. No whitespace, control characters or backslashes
# anywhere (browsers read `/\host` as `//host`, another site), so neither
# `//elsewhere.example/x` nor `javascript:` ever passes.
_URL_CHAR = r"[^\s\x00-\x1f\x7f-\x9f\\]"
_HOST_START = r"[^\s\x00-\x1f\x7f-\x9f\\/?#@]"
_PATH_START = r"[^\s\x00-\x1f\x7f-\x9f\\/]"
LINKED_PAGE_URL_PATTERN = (
    rf"^(?:https?://{_HOST_START}{_URL_CHAR}*|/(?:{_PATH_START}{_URL_CHAR}*)?)$"
)


def tidy_text(value: str) -> str:
    """Text written one way however it arrived: LF line breaks, no spaces at line ends.

    Browsers post text areas with CRLF and editors leave trailing spaces; kept,
    they would show as changes in the history and as escapes in the YAML.
    """
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


Tidy = AfterValidator(tidy_text)
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
Line = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=LINE_MAX_LENGTH),
    Tidy,
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=TEXT_MAX_LENGTH), Tidy]
RequiredText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX_LENGTH),
    Tidy,
]
LinkedPageUrl = Annotated[
    str, StringConstraints(pattern=LINKED_PAGE_URL_PATTERN, max_length=URL_MAX_LENGTH)
]

# Markdown links to a linked page are written `[words](page:slug)`.
PAGE_LINK = re.compile(r"\]\(page:([^)\s]*)\)")


class Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Clause(Part):
    """True when the answer to `question` is one of `in`."""

    question: Slug
    in_: tuple[Slug, ...] = Field(alias="in", min_length=1, max_length=MAX_CHOICES)


class Condition(Part):
    """Every `all` clause holds and, if there are `any` clauses, at least one does."""

    all_: tuple[Clause, ...] = Field(default=(), alias="all", max_length=MAX_CLAUSES)
    any_: tuple[Clause, ...] = Field(default=(), alias="any", max_length=MAX_CLAUSES)

    def clauses(self) -> Iterator[tuple[str, int, Clause]]:
        for group, items in (("all", self.all_), ("any", self.any_)):
            for index, clause in enumerate(items):
                yield group, index, clause


class Rating(Part):
    label: Line
    level: int = Field(ge=0, le=3, description="0 weakest .. 3 strongest, for highlighting")


class Outcome(Part):
    slug: Slug
    name: Line
    tagline: Line
    symbol: Annotated[str, StringConstraints(max_length=4)] = ""
    best_for: tuple[Line, ...] = Field(min_length=1, max_length=MAX_LIST_ITEMS)
    strengths: RequiredText
    tradeoffs: RequiredText
    failure_mode: RequiredText
    good_fit: RequiredText
    choose_if: RequiredText
    next_pages: tuple[Slug, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)


class Criterion(Part):
    slug: Slug
    name: Line
    description: Text = ""
    ratings: dict[Slug, Rating] = Field(max_length=MAX_OUTCOMES)


class Scenario(Part):
    """A set of answers and the outcome they must get: a test of the guide.

    Only a `public` one is an example visitors see (the guide page's Examples,
    a result's closest example), under `public_title` and `public_description`
    when given, else its own title and description. Guides written (and versions
    frozen) before the flag showed every scenario, so a missing `public` reads as
    true; the admin makes new scenarios private, and files always say which.
    """

    slug: Slug
    title: Line
    description: RequiredText
    public: bool = True
    public_title: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=LINE_MAX_LENGTH), Tidy
    ] = ""
    public_description: Text = ""
    outcome: Slug
    handoff_example: Text = ""
    answers: dict[Slug, Slug] = Field(default_factory=dict, max_length=MAX_QUESTIONS)
    handoff_rule: Text = ""

    @property
    def shown_title(self) -> str:
        """The example's heading for visitors."""
        return self.public_title or self.title

    @property
    def shown_description(self) -> str:
        """The example's Markdown text for visitors."""
        return self.public_description or self.description

    @model_serializer(mode="wrap")
    def _always_say_public(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Written even when true (the default only old documents rely on), so every
        # file and dump says which scenarios visitors see.
        data = handler(self)
        if not isinstance(data, dict) or "public" in data:
            return data
        ordered: dict[str, Any] = {}
        for name, value in data.items():
            ordered[name] = value
            if name == "description":
                ordered["public"] = self.public
        return ordered


class LinkedPage(Part):
    slug: Slug
    title: Line
    summary: RequiredText
    when: RequiredText
    # The page's own text on this site, when it has no `url` elsewhere.
    body: Text = ""
    url: LinkedPageUrl | None = None


class FreeText(Part):
    """A short text the visitor may type when they pick `choice`."""

    choice: Slug
    label: Line
    hint: Text = ""
    max_length: int = Field(default=280, ge=1, le=1000)


class Choice(Part):
    slug: Slug
    label: Line
    hint: Text = ""
    # Plain words for "why": how this answer reads in the recommendation.
    reason: Text = ""
    points: dict[Slug, int] = Field(default_factory=dict, max_length=MAX_OUTCOMES)
    route: Slug | None = None
    unsure: bool = False


class Question(Part):
    slug: Slug
    prompt: Line
    short: Line
    hint: Text = ""
    show_if: Condition | None = None
    choices: tuple[Choice, ...] = Field(min_length=2, max_length=MAX_CHOICES)
    free_text: FreeText | None = None

    def choice(self, slug: str) -> Choice | None:
        return next((c for c in self.choices if c.slug == slug), None)


class Claims:
    """What a sentence shown on a result says, so the checks can hold it to the answers.

    Notes, gates (their reasons) and failure checks carry these fields:
    `asserts`, a condition the sentence states about the visitor's answers ("you
    work alone"), which must hold wherever the sentence is shown; `argues_for` and
    `argues_against`, outcomes it speaks for (and so against every other) or
    against: no two sentences on one page may disagree, and none may argue against
    the recommendation; `counted`, answers the sentence says counted towards the
    recommendation, each of which must be among the reasons the page lists for it.
    (A plain mixin, not a model, so each part keeps its own field order in files.)
    """

    # No annotations here: pydantic would take them for fields and put them first.
    def argues_against_outcome(self, outcome: str) -> bool:
        argues_for: tuple[str, ...] = getattr(self, "argues_for", ())
        if outcome in getattr(self, "argues_against", ()):
            return True
        return bool(argues_for) and outcome not in argues_for


Asserts = Condition | None
Outcomes = tuple[Slug, ...]
Counted = Annotated[tuple[Clause, ...], Field(max_length=MAX_CLAUSES)]


class Gate(Part, Claims):
    """`outcome` can't be recommended unless `unless` holds; `reason` says why.

    The reason argues against `outcome` by its nature; its `asserts` (if any)
    must hold wherever the gate rules the outcome out.
    """

    outcome: Slug
    unless: Condition
    reason: RequiredText
    asserts: Asserts = None
    argues_for: Outcomes = ()
    argues_against: Outcomes = ()
    counted: Counted = ()

    def argues_against_outcome(self, outcome: str) -> bool:
        return outcome == self.outcome or Claims.argues_against_outcome(self, outcome)


class FailureCheck(Part, Claims):
    """A line of "check again in a month", shown beside the recommendations in
    `shown_with` (empty: any)."""

    text: RequiredText
    shown_with: Outcomes = ()
    asserts: Asserts = None
    argues_for: Outcomes = ()
    argues_against: Outcomes = ()
    counted: Counted = ()

    def shows_with(self, outcome: str | None) -> bool:
        return not self.shown_with or (outcome is not None and outcome in self.shown_with)

    @model_serializer(mode="wrap")
    def _plain_when_only_text(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A check with nothing but its text is written as that text, as before checks
        # had fields: files stay short and frozen versions keep their size.
        data = handler(self)
        if isinstance(data, dict) and set(data) == {"text"}:
            return data["text"]
        return data


def _check_from_text(value: Any) -> Any:
    # Guides written (and versions frozen) before checks had fields list them as plain text.
    return {"text": value} if isinstance(value, str) else value


class TieBreak(Part):
    """In a close call, the answer to `question` settles it before the default does.

    `settles` maps some of the question's choices to the outcome each settles a
    close call for; `explanation` tells the visitor, in the editor's words, why
    that answer decides ("When the scores are close, where money slips away
    decides.").
    """

    question: Slug
    settles: dict[Slug, Slug] = Field(min_length=1, max_length=MAX_CHOICES)
    explanation: RequiredText


class Note(Part, Claims):
    """A remark shown on the result when `when` holds.

    `shown_with` limits it to those recommendations (empty: any). A note that
    speaks against outcomes lists them in `argues_against`; one that speaks for
    some lists them in `argues_for`, and so speaks against every other. The
    checks refuse a guide where some answers show a note beside a
    recommendation it argues against.
    """

    slug: Slug
    title: Line
    text: RequiredText
    when: Condition
    shown_with: Outcomes = ()
    argues_against: Outcomes = ()
    argues_for: Outcomes = ()
    asserts: Asserts = None
    counted: Counted = ()

    def shows_with(self, outcome: str | None) -> bool:
        """Whether the note may appear beside this recommendation (None: a route)."""
        if not self.shown_with:
            return True
        return outcome is not None and outcome in self.shown_with


Language = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$", max_length=16)
]


class Translation(Part):
    """One text in another language (`decision.translations`): where it goes, its words,
    and the source words it was translated from (when those change, it is out of date)."""

    path: Annotated[str, StringConstraints(min_length=1, max_length=PATH_MAX_LENGTH)]
    text: RequiredText
    source: Text


class GuideDocument(Part):
    # Not content (never stored or written out): a query string every link to this
    # guide's own pages keeps, e.g. a staff member's `?preview=draft` (`with_link_query`).
    _link_query: str = PrivateAttr(default="")

    slug: Slug
    title: Line
    summary: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=SUMMARY_MAX_LENGTH),
        Tidy,
    ]
    published: bool = True
    default_outcome: Slug
    # A lead of at most this many points is a close call, and a close call goes
    # to the default outcome when the default is that close too (0: only ties).
    close_call_margin: int = Field(default=0, ge=0, le=100)
    # Which answers settle a close call before the default does, first that applies wins.
    tie_breaks: tuple[TieBreak, ...] = Field(default=(), max_length=MAX_QUESTIONS)
    intro: RequiredText
    right_page: RequiredText
    wrong_page: RequiredText
    start_elsewhere: Text = ""
    shortcut: RequiredText
    decision_criteria: Text = ""
    snapshot: Text = ""
    outcomes: tuple[Outcome, ...] = Field(min_length=1, max_length=MAX_OUTCOMES)
    criteria: tuple[Criterion, ...] = Field(default=(), max_length=MAX_CRITERIA)
    scenarios: tuple[Scenario, ...] = Field(default=(), max_length=MAX_SCENARIOS)
    linked_pages: tuple[LinkedPage, ...] = Field(default=(), max_length=MAX_LINKED_PAGES)
    edge_cases: tuple[RequiredText, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)
    missteps: tuple[RequiredText, ...] = Field(default=(), max_length=MAX_LIST_ITEMS)
    failure_checks: tuple[Annotated[FailureCheck, BeforeValidator(_check_from_text)], ...] = Field(
        default=(), max_length=MAX_LIST_ITEMS
    )
    questions: tuple[Question, ...] = Field(default=(), max_length=MAX_QUESTIONS)
    gates: tuple[Gate, ...] = Field(default=(), max_length=MAX_GATES)
    notes: tuple[Note, ...] = Field(default=(), max_length=MAX_NOTES)
    # The sites that may show this guide in a frame (its /embed/ pages); none: no site may.
    embed_origins: tuple[Origin, ...] = Field(default=(), max_length=MAX_EMBED_ORIGINS)
    # Language -> its texts (`decision.translations`); the document's own are the source.
    translations: dict[Language, tuple[Translation, ...]] = Field(
        default_factory=dict, max_length=MAX_LANGUAGES
    )

    # Lookups used by the engine and templates.
    def with_link_query(self, query: str) -> GuideDocument:
        """The same document, whose links to the guide's own pages carry `query`."""
        copy = self.model_copy()
        copy._link_query = query
        return copy

    @property
    def link_query(self) -> str:
        return self._link_query

    def outcome(self, slug: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.slug == slug), None)

    def question(self, slug: str) -> Question | None:
        return next((q for q in self.questions if q.slug == slug), None)

    @property
    def examples(self) -> tuple[Scenario, ...]:
        """The scenarios visitors see: the public ones, in file order."""
        return tuple(s for s in self.scenarios if s.public)

    def linked_page(self, slug: str) -> LinkedPage | None:
        return next((p for p in self.linked_pages if p.slug == slug), None)

    def to_data(self) -> dict[str, Any]:
        """Plain JSON/YAML-ready data; `parse_document(doc.to_data()) == doc`."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)


MARKDOWN_FIELDS = (
    "intro",
    "right_page",
    "wrong_page",
    "start_elsewhere",
    "shortcut",
    "decision_criteria",
    "snapshot",
)


class DocumentError(Exception):
    """One problem in a guide document: where it is and what is wrong.

    `words` is what is wrong as `Words`; `message` says it in the language active when it is
    read, so an error kept (a cached parse, a report) reads right in every language.
    """

    def __init__(self, path: str, words: Words | str) -> None:
        super().__init__(path, words)
        self.path = path
        self.words = words

    @property
    def message(self) -> str:
        return str(self.words)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DocumentError):
            return NotImplemented
        return (self.path, self.words) == (other.path, other.words)

    def __hash__(self) -> int:
        return hash((self.path, self.words))

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def format_path(location: Iterable[str | int]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path
