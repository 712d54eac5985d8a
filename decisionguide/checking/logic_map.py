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

Everything an editor typed is escaped: the SVG is inlined in admin pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from decisionguide.decision.document import Choice, Condition, GuideDocument, Note, Question

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


def short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


def condition_in_words(doc: GuideDocument, condition: Condition | None) -> str:
    """A condition as editors wrote it: question names and answer labels, not slugs."""
    if condition is None:
        return "always"

    def clause(question_slug: str, choices: tuple[str, ...]) -> str:
        question = doc.question(question_slug)
        if question is None:
            return f"{question_slug} is {' or '.join(choices)}"
        labels = [
            f"\N{LEFT DOUBLE QUOTATION MARK}{short(c.label, 40)}\N{RIGHT DOUBLE QUOTATION MARK}"
            for c in question.choices
            if c.slug in choices
        ]
        return f"{question.short} is {' or '.join(labels)}"

    parts = [clause(c.question, c.in_) for c in condition.all_]
    if condition.any_:
        either = [clause(c.question, c.in_) for c in condition.any_]
        parts.append(either[0] if len(either) == 1 else "either " + ", or ".join(either))
    return " and ".join(parts)


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

    def text(self, x: float, y: float, words: str, cls: str, full: str = "") -> str:
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


LEGEND = (
    "Bars: the points a choice gives an outcome (dashed: points it takes away). "
    "* the default outcome: ties and close calls go to it."
)


def _draw_header(canvas: _Canvas) -> None:
    doc = canvas.doc
    canvas.add(canvas.text(LEFT, canvas.y, LEGEND, "condition"))
    canvas.y += ROW + 6
    canvas.add(canvas.text(LEFT, canvas.y, "Questions, in the order they are asked", "heading"))
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
        words = f"Asked only when {condition_in_words(canvas.doc, question.show_if)}"
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
        words = f"\N{RIGHTWARDS ARROW} leaves the guide for {title}"
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
    title = escape(f"{label}: {points:+d} for {outcome}")
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
            canvas.text(LEFT, canvas.y, "Gates: an outcome is never recommended unless", "heading")
        )
        canvas.y += ROW
        for index, gate in enumerate(doc.gates):
            needs = condition_in_words(doc, gate.unless)
            words = f"{names.get(gate.outcome, gate.outcome)} needs {needs}"
            canvas.add(
                canvas.text(CHOICE_X, canvas.y, short(words, 130), "gate", words),
                "gate",
                str(index),
            )
            canvas.y += ROW
    if doc.notes:
        canvas.y += ROW // 2
        canvas.add(canvas.text(LEFT, canvas.y, "Notes shown on the result", "heading"))
        canvas.y += ROW
        for note in doc.notes:
            canvas.add(
                canvas.text(CHOICE_X, canvas.y, short(note.title, 140), "note"), "note", note.slug
            )
            canvas.y += ROW - 4
            words = f"when {condition_in_words(doc, note.when)}{_sides(note, names)}"
            canvas.add(canvas.text(CHOICE_X + 14, canvas.y, short(words, 130), "note-when", words))
            canvas.y += ROW


def _sides(note: Note, names: dict[str, str]) -> str:
    def named(slugs: tuple[str, ...]) -> str:
        return ", ".join(names.get(s, s) for s in slugs)

    parts = []
    if note.shown_with:
        parts.append(f"only beside {named(note.shown_with)}")
    if note.argues_against:
        parts.append(f"argues against {named(note.argues_against)}")
    if note.argues_for:
        parts.append(f"argues for {named(note.argues_for)}")
    return f"; {'; '.join(parts)}" if parts else ""


def render_svg(doc: GuideDocument, links: Links = no_links) -> str:
    """The guide's logic as one standalone SVG document (no scripts, every text escaped)."""
    canvas = _Canvas(doc, links)
    _draw_header(canvas)
    for number, question in enumerate(doc.questions, start=1):
        _draw_question(canvas, number, question)
    _draw_rules(canvas)
    height = canvas.y + ROW
    summary = "\n".join(text_alternative(doc))
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
        f'<title id="logic-map-title">How {escape(doc.title)} decides</title>'
        f'<desc id="logic-map-desc">{escape(summary)}</desc>'
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>' + "".join(canvas.parts) + "</svg>"
    )


@dataclass(frozen=True)
class Fact:
    """One line of the picture in words, with what it links to (as for `Links`) and its
    details (a question's choices)."""

    text: str
    kind: str = ""
    key: str = ""
    details: tuple[Fact, ...] = ()


def outline(doc: GuideDocument) -> list[Fact]:
    """The picture's facts: each question with its choices, then the gates and the notes."""
    names = {o.slug: o.name for o in doc.outcomes}
    facts = [_question_fact(doc, number, q, names) for number, q in enumerate(doc.questions, 1)]
    for index, gate in enumerate(doc.gates):
        needs = condition_in_words(doc, gate.unless)
        words = f"Gate: {names.get(gate.outcome, gate.outcome)} needs {needs}"
        facts.append(Fact(words, "gate", str(index)))
    for note in doc.notes:
        words = f"Note: {note.title}, when {condition_in_words(doc, note.when)}"
        facts.append(Fact(words + _sides(note, names), "note", note.slug))
    return facts


def _question_fact(doc: GuideDocument, number: int, question: Question, names: dict) -> Fact:
    shown = ""
    if question.show_if is not None:
        shown = f" (asked only when {condition_in_words(doc, question.show_if)})"
    choices = []
    for choice in question.choices:
        if choice.route is not None:
            page = doc.linked_page(choice.route)
            effect = f"leaves the guide for {page.title if page else choice.route}"
        else:
            pushes = [f"{p:+d} {names.get(o, o)}" for o, p in choice.points.items() if p]
            effect = ", ".join(pushes) or "no points"
        key = f"{question.slug}/{choice.slug}"
        choices.append(Fact(f"{choice.label}: {effect}", "choice", key))
    words = f"Question {number}: {question.prompt}{shown}"
    return Fact(words, "question", question.slug, tuple(choices))


def text_alternative(doc: GuideDocument) -> list[str]:
    """The picture's facts as plain lines: questions and choices, then gates and notes."""
    lines = []
    for fact in outline(doc):
        lines.append(fact.text)
        lines.extend(f"  {detail.text}" for detail in fact.details)
    return lines
