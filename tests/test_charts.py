"""Editors' charts: bars that match their numbers, text alternatives, nothing inline to run."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from decisionguide.editor.charts import FunnelStep, funnel_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_funnel_bars_follow_the_counts():
    steps = [FunnelStep("Q1", 10, 8), FunnelStep("Q2", 8, 4), FunnelStep("Result", 4, 4)]
    root = ET.fromstring(funnel_svg(steps, title="Funnel", summary="10 started, 4 finished"))
    bars = [r for r in root.iter(f"{SVG}rect")]
    assert len(bars) == 2 * len(steps)
    widths = [float(r.get("width")) for r in bars]
    # Proportional to the counts, the busiest step the widest.
    counts = [v for s in steps for v in (s.shown, s.answered)]
    assert max(widths) == widths[0]
    for width, count in zip(widths, counts, strict=True):
        assert abs(width / widths[0] - count / 10) < 0.01
    titles = [r.find(f"{SVG}title").text for r in bars]
    assert titles[:2] == ["Q1: 10 shown", "Q1: 8 answered"]


def test_funnel_has_a_text_alternative_and_no_inline_style_or_script():
    svg = funnel_svg(
        [FunnelStep('"><script>x()</script>', 1, 0)], title="T", summary="S", ident="f1"
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "f1-title"
    assert root.find(f"{SVG}desc").text == "S"
    assert "<script" not in svg and "<style" not in svg and " style=" not in svg


def test_an_empty_funnel_still_draws():
    root = ET.fromstring(funnel_svg([], title="Nothing yet", summary="No visits"))
    assert root.find(f"{SVG}title").text == "Nothing yet"
