"""Charts for editors, drawn as SVG on the server (no JavaScript library).

Pure: numbers in, SVG text out. Each chart is a picture beside a data table
the page shows anyway, so the SVG is marked up as an image with a short
text alternative, and every label an editor typed is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH = 760
LABEL_WIDTH = 300
BAR_HEIGHT = 12
ROW = 40
SHOWN = "#b1b4b6"
ANSWERED = "#1f5fae"
TEXT = "#0b0c0c"
# Presentation attributes, not a <style> element: the Content-Security-Policy refuses
# inline styles in the pages that show these charts.
FONT = f'font-family="system-ui, sans-serif" font-size="13" fill="{TEXT}"'


@dataclass(frozen=True)
class FunnelStep:
    """One step of the questionnaire: how many visitors saw it, and how many went on."""

    label: str
    shown: int
    answered: int


def _short(text: str, limit: int = 42) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


def funnel_svg(
    steps: Sequence[FunnelStep], *, title: str, summary: str, ident: str = "funnel"
) -> str:
    """Shown (grey) and answered (blue) bars per step, scaled to the busiest step.

    `ident` names the chart's title element, for aria-labelledby (unique on its page).
    """
    top = max([max(s.shown, s.answered) for s in steps] or [0]) or 1
    room = WIDTH - LABEL_WIDTH - 60
    height = 30 + ROW * len(steps)
    parts = [
        f'<text x="{LABEL_WIDTH}" y="16" {FONT}>'
        f'<tspan fill="{SHOWN}">\N{BLACK SQUARE}</tspan> shown  '
        f'<tspan fill="{ANSWERED}">\N{BLACK SQUARE}</tspan> answered (went on)</text>'
    ]
    for index, step in enumerate(steps):
        y = 30 + index * ROW
        parts.append(
            f'<text x="0" y="{y + BAR_HEIGHT}" {FONT}><title>{escape(step.label)}</title>'
            f"{escape(_short(step.label))}</text>"
        )
        for offset, value, colour, kind in (
            (0, step.shown, SHOWN, "shown"),
            (BAR_HEIGHT + 2, step.answered, ANSWERED, "answered"),
        ):
            width = round(room * value / top, 1)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + offset}" width="{width}" height="{BAR_HEIGHT}" '
                f'fill="{colour}"><title>{escape(f"{step.label}: {value} {kind}")}</title></rect>'
                f'<text {FONT} x="{LABEL_WIDTH + width + 6}" '
                f'y="{y + offset + BAR_HEIGHT - 2}">{value}</text>'
            )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" class="chart" aria-labelledby="{ident}-title">'
        f'<title id="{ident}-title">{escape(title)}</title><desc>{escape(summary)}</desc>'
        + "".join(parts)
        + "</svg>"
    )
