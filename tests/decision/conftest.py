"""The engine's tests share one small guide built in code (tests.builders)."""

from __future__ import annotations

import pytest

from decisionguide.decision.document import GuideDocument
from tests.builders import tiny_document


@pytest.fixture(scope="session")
def tiny() -> GuideDocument:
    return tiny_document()
