"""A picture of a guide's logic, drawn as SVG on the server (no JavaScript library).

Pure: a `GuideDocument` in, SVG text out. It shows the questions in order
with the conditions that show them, each choice with the outcomes it pushes
(a bar in each outcome's column, longer for more points) or the page it routes
to, then the gates and the notes with the outcomes they concern. Every element can link to
the page where an editor changes it (`links`). A drawing without links is an
image carrying its own text alternative (`<title>`, `<desc>`); one with links
is a group named by its title, so its links stay reachable. `outline` gives
the same facts as structured lines for the page around it (with what each
links to), `text_alternative` as plain lines.

Everything an editor typed is escaped: the SVG is inlined in admin pages. Its words
(`decision.words`) are in the language active when it is drawn; the facts of `outline`
stay `Words` until shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from decisionguide.decision.document import Choice, Condition, GuideDocument, Note, Question
from decisionguide.decision.words import Joined, Words, gettext_lazy, joined, listing

# Where an element links to: ("question", slug), ("choice", "question/choice"),
# ("outcome", slug), ("gate", index), ("note", slug), ("page", slug) -> URL or "".
Links = Callable[[str, str], str]

WIDTH = 1000
ROW = 22
LEFT = 16
CHOICE_X = 36
COLUMNS_X = 560  # the first outcome column
COLUMN_WIDTH = 145
BASELINE = 40  # where a bar starts inside its column: negative points go left of it
POINT_WIDTH = 18
LABEL_CHARS = 62
# Outcome colours by position, as on the site (static/css/site.css --outcome-N).
COLOURS = ("#1f5fae", "#a14d06", "#6a3d9f")
MUTED = "#505a5f"

# Presentation attributes, not a <style> element: the SVG is inlined in pages whose
# Content-Security-Policy refuses inline styles.
FONT = 'font-family="system-ui, sans-serif" font-size="13"'
LOOKS = {
    "heading": f'{FONT} font-weight="700" fill="#0b0c0c"',
    "question": f'{FONT} font-weight="700" fill="#0b0c0c"',
    "outcome": f'{FONT} font-weight="700" fill="#0b0c0c"',
    "choice": f'{FONT} fill="#0b0c0c"',
    "note": f'{FONT} fill="#0b0c0c"',
    "condition": f'{FONT} font-style="italic" fill="{MUTED}"',
    "gate": f'{FONT} font-style="italic" fill="{MUTED}"',
    "note-when": f'{FONT} font-style="italic" fill="{MUTED}"',
    "route": f'{FONT} fill="{MUTED}"',
    "points": 'font-family="system-ui, sans-serif" font-size="11" fill="#0b0c0c"',
}


def no_links(kind: str, key: str) -> str:
    return ""


def short(text: object, limit: int = LABEL_CHARS) -> str:
    """`text` on one line (Words put into words now), cut at `limit` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


def condition_in_words(doc: GuideDocument, condition: Condition | None) -> Words | Joined:
    """A condition as editors wrote it: question names and answer labels, not slugs."""
    if condition is None:
        return gettext_lazy("always")

    def clause(question_slug: str, choices: tuple[str, ...]) -> Words:
        question = doc.question(question_slug)
        if question is None:
            answers = listing(choices, "or")
            return gettext_lazy(
                "%(question)s is %(answers)s", question=question_slug, answers=answers
            )
        labels = [
            gettext_lazy("“%(label)s”", label=short(c.label, 40))
            for c in question.choices
            if c.slug in choices
        ]
        answers = listing(labels, "or")
        return gettext_lazy("%(question)s is %(answers)s", question=question.short, answers=answers)

    parts: list[object] = [clause(c.question, c.in_) for c in condition.all_]
    if condition.any_:
        either = [clause(c.question, c.in_) for c in condition.any_]
        if len(either) == 1:
            parts.append(either[0])
        else:
            clauses = joined(either, gettext_lazy(", or "))
            parts.append(gettext_lazy("either %(clauses)s", clauses=clauses))
    return joined(parts, gettext_lazy(" and "))


class _Canvas:
    def __init__(self, doc: GuideDocument, links: Links) -> None:
        self.doc = doc
        self.links = links
        self.parts: list[str] = []
        self.linked = False  # any element drawn as a link
        self.y = 24
        self.columns = {o.slug: COLUMNS_X + i * COLUMN_WIDTH for i, o in enumerate(doc.outcomes)}

    def colour(self, outcome: str) -> str:
        slugs = [o.slug for o in self.doc.outcomes]
        return COLOURS[slugs.index(outcome) % len(COLOURS)] if outcome in slugs else MUTED

    def text(self, x: float, y: float, words: str, cls: str, full: object = "") -> str:
        full = str(full)
        title = f"<title>{escape(full)}</title>" if full and full != words else ""
        looks = LOOKS[cls]
        return f'<text x="{x:g}" y="{y:g}" class="{cls}" {looks}>{title}{escape(words)}</text>'

    def add(self, inner: str, kind: str = "", key: str = "") -> None:
        url = self.links(kind, key) if kind else ""
        if url:
            # Underlined as well as clickable: a link is never told apart by colour alone.
            inner = inner.replace("<text ", '<text text-decoration="underline" ', 1)
            inner = f"<a href={quoteattr(url)}>{inner}</a>"
            self.linked = True
        self.parts.append(inner)


LEGEND = gettext_lazy(
    "Bars: the points a choice gives an outcome (dashed: points it takes away). "
    "* the default outcome: ties and close calls go to it."
)


def _draw_header(canvas: _Canvas) -> None:
    doc = canvas.doc
    canvas.add(canvas.text(LEFT, canvas.y, str(LEGEND), "condition"))
    canvas.y += ROW + 6
    heading = str(gettext_lazy("Questions, in the order they are asked"))
    canvas.add(canvas.text(LEFT, canvas.y, heading, "heading"))
    for outcome in doc.outcomes:
        x = canvas.columns[outcome.slug]
        name = short(outcome.name, 16) + (" *" if outcome.slug == doc.default_outcome else "")
        canvas.add(canvas.text(x, canvas.y, name, "outcome", outcome.name), "outcome", outcome.slug)
        canvas.parts.append(
            f'<rect x="{x}" y="{canvas.y + 6}" width="{COLUMN_WIDTH - 12}" height="4" '
            f'fill="{canvas.colour(outcome.slug)}"/>'
        )
    canvas.y += ROW + 12


def _draw_question(canvas: _Canvas, number: int, question: Question) -> None:
    heading = f"{number}. {short(question.prompt, 75)}"
    canvas.add(
        canvas.text(LEFT, canvas.y, heading, "question", question.prompt), "question", question.slug
    )
    canvas.y += ROW
    if question.show_if is not None:
        words = gettext_lazy(
            "Asked only when %(condition)s",
            condition=condition_in_words(canvas.doc, question.show_if),
        )
        canvas.add(canvas.text(CHOICE_X, canvas.y, short(words, 75), "condition", words))
        canvas.y += ROW
    for choice in question.choices:
        _draw_choice(canvas, question, choice)
    canvas.y += ROW // 2


def _draw_choice(canvas: _Canvas, question: Question, choice: Choice) -> None:
    y = canvas.y
    label = f"\N{BULLET} {short(choice.label)}"
    key = f"{question.slug}/{choice.slug}"
    canvas.add(canvas.text(CHOICE_X, y, label, "choice", choice.label), "choice", key)
    if choice.route is not None:
        page = canvas.doc.linked_page(choice.route)
        title = page.title if page else choice.route
        words = gettext_lazy("→ leaves the guide for %(title)s", title=title)
        canvas.add(
            canvas.text(COLUMNS_X, y, short(words, 60), "route", words), "page", choice.route
        )
    for outcome, points in choice.points.items():
        if points and outcome in canvas.columns:
            _draw_bar(canvas, canvas.columns[outcome], y, outcome, points, choice.label)
    canvas.y += ROW


def _draw_bar(canvas: _Canvas, x: int, y: int, outcome: str, points: int, label: str) -> None:
    """How hard a choice pushes an outcome: a bar, longer for more points, hollow if negative."""
    length = min(abs(points), 5) * POINT_WIDTH
    start = x + BASELINE - (length if points < 0 else 0)
    colour = canvas.colour(outcome)
    fill = (
        f'fill="{colour}"'
        if points > 0
        else f'fill="none" stroke="{colour}" stroke-dasharray="3 2"'
    )
    name = next((o.name for o in canvas.doc.outcomes if o.slug == outcome), outcome)
    title = escape(
        str(
            gettext_lazy(
                "%(label)s: %(points)s for %(outcome)s",
                label=label,
                points=f"{points:+d}",
                outcome=name,
            )
        )
    )
    canvas.parts.append(
        f'<rect x="{start}" y="{y - 11}" width="{length}" height="12" {fill}>'
        f"<title>{title}</title></rect>"
    )
    number_x = x + BASELINE + (length + 4 if points > 0 else 4)
    canvas.parts.append(canvas.text(number_x, y, f"{points:+d}", "points"))


def _draw_rules(canvas: _Canvas) -> None:
    doc = canvas.doc
    names = {o.slug: o.name for o in doc.outcomes}
    if doc.gates:
        canvas.y += ROW // 2
        canvas.add(
            canvas.text(
                LEFT,
                canvas.y,
                str(gettext_lazy("Gates: an outcome is never recommended unless")),
                "heading",
            )
        )
        canvas.y += ROW
        for index, gate in enumerate(doc.gates):
            needs = condition_in_words(doc, gate.unless)
            words = gettext_lazy(
                "%(outcome)s needs %(condition)s",
                outcome=names.get(gate.outcome, gate.outcome),
                condition=needs,
            )
            canvas.add(
                canvas.text(CHOICE_X, canvas.y, short(words, 130), "gate", words),
                "gate",
                str(index),
            )
            canvas.y += ROW
    if doc.notes:
        canvas.y += ROW // 2
        heading = str(gettext_lazy("Notes shown on the result"))
        canvas.add(canvas.text(LEFT, canvas.y, heading, "heading"))
        canvas.y += ROW
        for note in doc.notes:
            canvas.add(
                canvas.text(CHOICE_X, canvas.y, short(note.title, 140), "note"), "note", note.slug
            )
            canvas.y += ROW - 4
            words = _when(doc, note, names)
            canvas.add(canvas.text(CHOICE_X + 14, canvas.y, short(words, 130), "note-when", words))
            canvas.y += ROW


def _when(doc: GuideDocument, note: Note, names: dict[str, str]) -> Words:
    """When a note is shown, and the outcomes it concerns: "when …; argues for …"."""
    return gettext_lazy(
        "when %(condition)s",
        condition=joined([condition_in_words(doc, note.when), *_sides(note, names)], "; "),
    )


def _sides(note: Note, names: dict[str, str]) -> list[Words]:
    def named(slugs: tuple[str, ...]) -> object:
        return listing(names.get(s, s) for s in slugs)

    parts = []
    if note.shown_with:
        parts.append(gettext_lazy("only beside %(outcomes)s", outcomes=named(note.shown_with)))
    if note.argues_against:
        parts.append(
            gettext_lazy("argues against %(outcomes)s", outcomes=named(note.argues_against))
        )
    if note.argues_for:
        parts.append(gettext_lazy("argues for %(outcomes)s", outcomes=named(note.argues_for)))
    return parts


def render_svg(doc: GuideDocument, links: Links = no_links) -> str:
    """The guide's logic as one standalone SVG document (no scripts, every text escaped)."""
    canvas = _Canvas(doc, links)
    _draw_header(canvas)
    for number, question in enumerate(doc.questions, start=1):
        _draw_question(canvas, number, question)
    _draw_rules(canvas)
    height = canvas.y + ROW
    summary = "\n".join(text_alternative(doc))
    title = str(gettext_lazy("How %(title)s decides", title=doc.title))
    # An image's content is presentational, links and all: a map with links is a group,
    # named by its title, whose links a screen reader reaches one by one.
    role = (
        'role="group" aria-labelledby="logic-map-title"'
        if canvas.linked
        else 'role="img" aria-labelledby="logic-map-title logic-map-desc"'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" {role} class="logic-map" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">'
        f'<title id="logic-map-title">{escape(title)}</title>'
        f'<desc id="logic-map-desc">{escape(summary)}</desc>'
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>' + "".join(canvas.parts) + "</svg>"
    )


@dataclass(frozen=True)
class Fact:
    """One line of the picture in words, with what it links to (as for `Links`) and its
    details (a question's choices)."""

    text: Words  # put into the reader's language when shown
    kind: str = ""
    key: str = ""
    details: tuple[Fact, ...] = ()


def outline(doc: GuideDocument) -> list[Fact]:
    """The picture's facts: each question with its choices, then the gates and the notes."""
    names = {o.slug: o.name for o in doc.outcomes}
    facts = [_question_fact(doc, number, q, names) for number, q in enumerate(doc.questions, 1)]
    for index, gate in enumerate(doc.gates):
        needs = condition_in_words(doc, gate.unless)
        words = gettext_lazy(
            "Gate: %(outcome)s needs %(condition)s",
            outcome=names.get(gate.outcome, gate.outcome),
            condition=needs,
        )
        facts.append(Fact(words, "gate", str(index)))
    for note in doc.notes:
        words = gettext_lazy(
            "Note: %(title)s, %(when)s", title=note.title, when=_when(doc, note, names)
        )
        facts.append(Fact(words, "note", note.slug))
    return facts


def _question_fact(doc: GuideDocument, number: int, question: Question, names: dict) -> Fact:
    choices = []
    for choice in question.choices:
        effect: object
        if choice.route is not None:
            page = doc.linked_page(choice.route)
            title = page.title if page else choice.route
            effect = gettext_lazy("leaves the guide for %(title)s", title=title)
        else:
            pushes = [f"{p:+d} {names.get(o, o)}" for o, p in choice.points.items() if p]
            effect = joined(pushes) if pushes else gettext_lazy("no points")
        key = f"{question.slug}/{choice.slug}"
        text = gettext_lazy("%(label)s: %(effect)s", label=choice.label, effect=effect)
        choices.append(Fact(text, "choice", key))
    if question.show_if is None:
        words = gettext_lazy(
            "Question %(number)s: %(prompt)s", number=number, prompt=question.prompt
        )
    else:
        words = gettext_lazy(
            "Question %(number)s: %(prompt)s (asked only when %(condition)s)",
            number=number,
            prompt=question.prompt,
            condition=condition_in_words(doc, question.show_if),
        )
    return Fact(words, "question", question.slug, tuple(choices))


def text_alternative(doc: GuideDocument) -> list[str]:
    """The picture's facts as plain lines: questions and choices, then gates and notes."""
    lines = []
    for fact in outline(doc):
        lines.append(str(fact.text))
        lines.extend(f"  {detail.text}" for detail in fact.details)
    return lines
