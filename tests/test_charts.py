"""Editors' charts: bars that match their numbers, text alternatives, nothing inline to run."""

from __future__ import annotations

import base64
import datetime as dt
import xml.etree.ElementTree as ET

from decisionguide.publishing.charts import FunnelStep, data_uri, funnel_svg, weekly_svg

SVG = "{http://www.w3.org/2000/svg}"


def bars(root: ET.Element) -> list[ET.Element]:
    """The bars: rectangles with a tooltip (the white ground has none)."""
    return [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def words(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_funnel_bars_follow_the_counts():
    steps = [
        FunnelStep("Q1", 10, 8, "80% of shown"),
        FunnelStep("Q2", 8, 4),
        FunnelStep("Result", 4, note="40% of visits"),
    ]
    root = ET.fromstring(funnel_svg(steps, title="Funnel", summary="10 started, 4 finished"))
    found = bars(root)
    assert len(found) == 2 + 2 + 1  # an end of the walk is one bar
    widths = [float(r.get("width")) for r in found]
    # Proportional to the counts, the busiest step the widest.
    counts = [10, 8, 8, 4, 4]
    assert max(widths) == widths[0]
    for width, count in zip(widths, counts, strict=True):
        assert abs(width / widths[0] - count / 10) < 0.01
    titles = [r.find(f"{SVG}title").text for r in found]
    assert titles == [
        "Q1: 10 shown",
        "Q1: 8 answered (80% of shown)",
        "Q2: 8 shown",
        "Q2: 4 answered",
        "Result: 4 reached (40% of visits)",
    ]
    # Each number is written beside its bar with what it counts: colour is not the only cue.
    assert {"10 shown", "8 answered (80% of shown)", "4 reached (40% of visits)"} <= set(
        words(root)
    )


def test_funnel_has_a_text_alternative_and_no_inline_style_or_script():
    svg = funnel_svg(
        [FunnelStep('"><script>x()</script>', 1, 0)], title="T", summary="S", ident="f1"
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "f1-title"
    assert root.find(f"{SVG}desc").text == "S"
    assert "<script" not in svg and "<style" not in svg and " style=" not in svg
    assert '"><script>x()</script>' in words(root)[1]  # escaped, drawn as text


def test_an_empty_funnel_still_draws():
    root = ET.fromstring(funnel_svg([], title="Nothing yet", summary="No visits"))
    assert root.find(f"{SVG}title").text == "Nothing yet"
    assert bars(root) == []


def test_weekly_bars_share_one_scale_oldest_week_first():
    weeks = [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)]
    series = [("Calendar-first", [1, 0, 4]), ("Studio <app>", [2, 2, 0])]
    root = ET.fromstring(weekly_svg(weeks, series, title="Weekly", summary="9 results"))
    found = bars(root)
    heights = {r.find(f"{SVG}title").text: float(r.get("height")) for r in found}
    tallest = heights["Calendar-first, week of 2026-03-16: 4"]
    assert heights["Studio <app>, week of 2026-03-02: 2"] == tallest / 2
    assert heights["Calendar-first, week of 2026-03-09: 0"] == 0
    assert "5 in all" in words(root) and "4 in all" in words(root)
    lefts = [float(r.get("x")) for r in found[:3]]
    assert lefts == sorted(lefts)


def test_a_chart_as_an_image_source_decodes_to_the_same_svg():
    svg = funnel_svg([FunnelStep("Q1", 2, 1)], title="T", summary="S")
    uri = data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg
