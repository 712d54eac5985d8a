"""axe-core, run in the page, limited to the WCAG 2.0/2.1/2.2 A and AA rules."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE = Axe()


def axe_report(page: Page) -> tuple[int, str]:
    """(number of violations, readable report) for the page as it is now."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = AXE.run(page, options=options)
    return results.violations_count, results.generate_report()


def contrast_unknown(page: Page) -> list[str]:
    """Elements whose text contrast axe can't work out (a gradient or image behind them).

    axe files them under "incomplete", not violations; pa11y and other checkers report
    them as errors, so a page with any fails a visitor's tools all the same.
    """
    results = AXE.run(page, options={"runOnly": ["color-contrast"]})
    incomplete = results.response.get("incomplete", [])
    return [" ".join(node["target"]) for rule in incomplete for node in rule["nodes"]]
