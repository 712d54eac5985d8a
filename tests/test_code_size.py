"""The code stays in pieces a newcomer can read: no module over 500 lines, no app over
3,000 (migrations, written by Django, not counted). CI fails the day one grows past."""

from __future__ import annotations

from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "decisionguide"
MODULE_MAX_LINES = 500
APP_MAX_LINES = 3_000


def lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def sources(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.py") if "migrations" not in p.relative_to(PACKAGE).parts]


APPS = sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists())


def test_no_module_is_over_500_lines() -> None:
    too_long = {
        str(path.relative_to(PACKAGE)): lines(path)
        for path in sources(PACKAGE)
        if lines(path) > MODULE_MAX_LINES
    }
    assert too_long == {}


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.name)
def test_no_app_is_over_3000_lines(app: Path) -> None:
    assert sum(lines(path) for path in sources(app)) <= APP_MAX_LINES
