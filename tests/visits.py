"""Visitors walking a questionnaire page by page, as a browser without HTMX does: the
analytics tests count what such walks leave behind.

A `Visit` says which choice the visitor picks at each question it is asked, and where
it stops: after some answers (it closes the tab on the next page), at the check page
without saving, or at the end (the result is stored, as "See my recommendation" does).
A routing choice ends the walk on its route page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.test import Client
from django.urls import reverse

from decisionguide.decision.document import GuideDocument
from tests.answers import result_form


@dataclass(frozen=True)
class Visit:
    picks: dict[str, str] = field(default_factory=dict)  # question slug -> choice slug
    leaves_after: int | None = None  # answers given, then gone; None: to the end
    saves: bool = True  # presses "See my recommendation" on the check page


@dataclass
class Walked:
    answered: list[str]  # the questions answered, in order
    ended: str  # "left", "checked" (left on the check page), "result" or "routed"


def take(client: Client, doc: GuideDocument, visit: Visit) -> Walked:
    """Walk `visit` through the guide's pages with `client`: what it answered, how it ended."""
    check = reverse("questionnaire-check", args=[doc.slug])
    route = reverse("questionnaire-route", args=[doc.slug])
    response = client.get(reverse("questionnaire-start", args=[doc.slug]))
    answered: list[str] = []
    for _ in range(len(doc.questions) + 1):
        assert response.status_code in (302, 303), response.status_code
        location = response["Location"]
        page = client.get(location)
        assert page.status_code == 200, location
        path, query = urlsplit(location).path, parse_qsl(urlsplit(location).query)
        if path == route:
            return Walked(answered, "routed")
        if path == check:
            if not visit.saves or visit.leaves_after is not None:
                return Walked(answered, "checked")
            form = result_form(page.content.decode())
            assert client.post(form.action, dict(form.fields)).status_code == 303
            return Walked(answered, "result")
        slug = path.rstrip("/").rsplit("/", 1)[-1]
        if visit.leaves_after is not None and len(answered) == visit.leaves_after:
            return Walked(answered, "left")
        answered.append(slug)
        answer = reverse("questionnaire-answer", args=[doc.slug, slug])
        response = client.get(f"{answer}?{urlencode([*query, (slug, visit.picks[slug])])}")
    raise AssertionError("the walk never ended")
