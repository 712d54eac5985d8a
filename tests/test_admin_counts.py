"""Counts on the editors' pages: thousands separators, and no float on the way.

Django's `pluralize` compares `float(value)`; a guide at the content limits has
about 30^289 answer sets, and the change page answered 500 (OverflowError).
"""

from __future__ import annotations

import dataclasses

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from decisionguide.checking.checks import GuideReport, check_document
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument

HUGE = 30**289  # the answer sets of 300 questions of 30 choices, about 10^427


def test_the_count_filters_group_thousands_without_a_float() -> None:
    template = Template(
        '{% load counts %}{{ n|thousands }}|{{ many|thousands }}|{{ "x"|thousands }}'
    )
    text = template.render(Context({"n": HUGE, "many": 1234}))
    thousands, many, other = text.split("|")
    assert thousands == f"{HUGE:,}" and thousands.startswith("7,727,564,060,")
    assert (many, other) == ("1,234", "x")
    # French groups thousands with a no-break space.
    with translation.override("fr"):
        french = Template("{% load counts %}{{ n|thousands }}").render(Context({"n": 1234567}))
    assert french == "1\u00a0234\u00a0567"


@pytest.mark.django_db
def test_the_admin_pages_print_a_huge_count(
    superuser_client: Client,
    small_guide: Guide,
    small_document: GuideDocument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = check_document(small_document)
    coherence = dataclasses.replace(
        real.coherence, checked=HUGE, decisions_checked=HUGE, contradicting=HUGE
    )
    huge = dataclasses.replace(real, coherence=coherence)

    def report_of(doc: GuideDocument) -> GuideReport:
        return huge

    monkeypatch.setattr("decisionguide.publishing.drafts.report_of", report_of)
    monkeypatch.setattr("decisionguide.publishing.dashboard.report_of", report_of)
    grouped = f"{HUGE:,}"
    pages = [
        reverse("admin:guides_guide_change", args=[small_guide.pk]),
        reverse("admin:guides_guide_checks", args=[small_guide.pk]),
        reverse("admin:index"),
    ]
    for url in pages:
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        assert f"{grouped} answer sets" in response.content.decode(), url
