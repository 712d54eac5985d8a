"""axe-core, run in the page, limited to the WCAG 2.0/2.1/2.2 A and AA rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Off by default in axe-core: a tag run includes them, but naming them keeps them on
# whatever axe's defaults become. Targets of at least 24 x 24 CSS px (WCAG 2.5.8) and
# links in a block of text told apart by more than colour (1.4.1).
NAMED_RULES = ("target-size", "link-in-text-block")
OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {rule: {"enabled": True} for rule in NAMED_RULES},
    "resultTypes": ["violations"],
}
AXE = Axe()


def axe_report(page: Page) -> tuple[int, str]:
    """(number of violations, readable report) for the page as it is now."""
    results = AXE.run(page, options=OPTIONS)
    return results.violations_count, results.generate_report()


@dataclass(frozen=True)
class AxeFindings:
    """What axe found on a page: failing elements per rule, and which rules it ran."""

    elements: dict[str, int]
    rules_run: frozenset[str]
    report: str

    @property
    def count(self) -> int:
        """Failing elements, all rules together (one element can fail several rules)."""
        return sum(self.elements.values())

    def summary(self) -> str:
        return ", ".join(f"{rule} {n}" for rule, n in sorted(self.elements.items())) or "-"


def axe_findings(page: Page) -> AxeFindings:
    """Like `axe_report`, for pages whose stylesheets @import others (the admin's forms.css).

    axe would read an imported sheet by adding a <style> element, which the CSP refuses
    (and the browser reports); without preloading, axe reads styles from the page as is.
    """
    results = AXE.run(page, options={**OPTIONS, "preload": False})
    response: dict[str, Any] = results.response
    ran = {
        rule["id"]
        for kind in ("violations", "passes", "incomplete", "inapplicable")
        for rule in response.get(kind, [])
    }
    elements = {rule["id"]: len(rule["nodes"]) for rule in response["violations"]}
    return AxeFindings(elements, frozenset(ran), results.generate_report())


def contrast_unknown(page: Page) -> list[str]:
    """Elements whose text contrast axe can't work out (a gradient or image behind them).

    axe files them under "incomplete", not violations; pa11y and other checkers report
    them as errors, so a page with any fails a visitor's tools all the same.
    """
    results = AXE.run(page, options={"runOnly": ["color-contrast"]})
    incomplete = results.response.get("incomplete", [])
    return [" ".join(node["target"]) for rule in incomplete for node in rule["nodes"]]
