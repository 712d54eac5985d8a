"""Charts for editors, drawn as SVG on the server (no JavaScript library).

Numbers in, SVG text out (its words in the editor's language). Each chart is a
picture beside a data table the page shows anyway, so the SVG is marked up as an
image with a short text alternative, and every label an editor typed is escaped. Bars are told
apart by their place and the words beside them as well as by colour.

Pages show a chart as an <img> (`data_uri`): its words are then part of a picture
with an alt text, not page text whose contrast checkers can't work out over an
SVG, and it draws its own white ground, so it reads the same in the dark theme.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WIDTH = 760
LABEL_WIDTH = 280
VALUE_ROOM = 215  # right of the longest bar: "1,234 answered (100% of shown)"
BAR_HEIGHT = 12
ROW = 40
# At least 3:1 against white (WCAG's non-text contrast), and unlike each other.
SHOWN = "#5f6b73"
ANSWERED = "#1f5fae"
ENDED = "#00703c"
TEXT = "#0b0c0c"
# Presentation attributes, not a <style> element: the Content-Security-Policy refuses
# inline styles, and an SVG shown inline or on its own must look the same.
FONT = f'font-family="system-ui, sans-serif" font-size="13" fill="{TEXT}"'


@dataclass(frozen=True)
class FunnelStep:
    """One step of the questionnaire: how many saw it and how many went on.

    `answered` None: an end of the walk (a recommendation, a route page), one bar.
    `note` follows the last bar's number, e.g. "75% of shown".
    """

    label: str
    shown: int
    answered: int | None = None
    note: str = ""


def _short(text: str, limit: int = 36) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


def _svg(ident: str, title: str, summary: str, height: int, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" class="chart" aria-labelledby="{ident}-title">'
        f'<title id="{ident}-title">{escape(title)}</title><desc>{escape(summary)}</desc>'
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>' + "".join(parts) + "</svg>"
    )


def _bar(x: float, y: float, width: float, height: float, colour: str, tip: str) -> str:
    return (
        f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{colour}">'
        f"<title>{escape(tip)}</title></rect>"
    )


def data_uri(svg: str) -> str:
    """The chart as an <img src>: the page's Content-Security-Policy allows data: images."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def funnel_svg(
    steps: Sequence[FunnelStep], *, title: str, summary: str, ident: str = "funnel"
) -> str:
    """Shown and answered bars per question, then one bar per end, scaled to the busiest step.

    `ident` names the chart's title element, for aria-labelledby (unique on its page).
    """
    top = max([max(s.shown, s.answered or 0) for s in steps] or [0]) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    parts = [
        f'<text x="{LABEL_WIDTH}" y="16" {FONT}>'
        f'<tspan fill="{SHOWN}">\N{BLACK SQUARE}</tspan> {escape(_("shown"))}  '
        f'<tspan fill="{ANSWERED}">\N{BLACK SQUARE}</tspan> {escape(_("answered"))}  '
        f'<tspan fill="{ENDED}">\N{BLACK SQUARE}</tspan> {escape(_("reached"))}</text>'
    ]
    for index, step in enumerate(steps):
        y = 30 + index * ROW
        parts.append(
            f'<text x="8" y="{y + BAR_HEIGHT}" {FONT}><title>{escape(step.label)}</title>'
            f"{escape(_short(step.label))}</text>"
        )
        if step.answered is None:
            bars = [(step.shown, ENDED, ngettext("%(n)s reached", "%(n)s reached", step.shown))]
        else:
            shown = ngettext("%(n)s shown", "%(n)s shown", step.shown)
            answered = ngettext("%(n)s answered", "%(n)s answered", step.answered)
            bars = [(step.shown, SHOWN, shown), (step.answered, ANSWERED, answered)]
        for offset, (value, colour, words) in enumerate(bars):
            top_y = y + offset * (BAR_HEIGHT + 2)
            width = round(room * value / top, 1)
            text = words % {"n": value}
            if step.note and offset == len(bars) - 1:
                text += f" ({step.note})"
            parts.append(
                _bar(LABEL_WIDTH, top_y, width, BAR_HEIGHT, colour, f"{step.label}: {text}")
                + f'<text {FONT} x="{LABEL_WIDTH + width + 6}" '
                f'y="{top_y + BAR_HEIGHT - 2}">{escape(text)}</text>'
            )
    return _svg(ident, title, summary, 30 + ROW * len(steps), parts)


def weekly_svg(
    weeks: Sequence[dt.date],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    summary: str,
    ident: str = "weekly",
) -> str:
    """One row of weekly bars per series (oldest week on the left), all on one scale."""
    top = max([max(counts, default=0) for _, counts in series] or [0]) or 1
    room = WIDTH - LABEL_WIDTH - 100
    step = min(24.0, room / max(len(weeks), 1))
    high, row = 32, 52
    parts = []
    for index, (name, counts) in enumerate(series):
        base = 8 + index * row + high
        parts.append(
            f'<text x="8" y="{base}" {FONT}><title>{escape(name)}</title>'
            f"{escape(_short(name))}</text>"
            f'<line x1="{LABEL_WIDTH}" x2="{LABEL_WIDTH + step * len(weeks)}" y1="{base}" '
            f'y2="{base}" stroke="{TEXT}" stroke-width="1"/>'
        )
        for position, (week, count) in enumerate(zip(weeks, counts, strict=True)):
            height = round(high * count / top, 1)
            parts.append(
                _bar(
                    round(LABEL_WIDTH + position * step + 1, 1),
                    base - height,
                    round(step - 2, 1),
                    height,
                    ANSWERED,
                    _("%(name)s, week of %(week)s: %(count)s")
                    % {"name": name, "week": f"{week:%Y-%m-%d}", "count": count},
                )
            )
        parts.append(
            f'<text {FONT} x="{LABEL_WIDTH + step * len(weeks) + 8}" y="{base}">'
            f"{escape(_('%(count)s in all') % {'count': sum(counts)})}</text>"
        )
    return _svg(ident, title, summary, 16 + row * len(series), parts)
