"""The page cache keeps a page only under the URL the site's own links use for it: crafted
query strings (unknown parameters, reordered or invalid answers, answers to questions that
are not shown) get the page, counted by analytics, but never make a new cache entry
(decisionguide/pagecache/, issue 21 item 4)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from decisionguide import pagecache
from decisionguide.analytics import counting as analytics
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument, Question
from tests.answers import HTMX, complete, free_text_question, routed_answers
from tests.questionnaire_pages import conditional_setup, question_url
from tests.redis_server import RedisServer, running_redis
from tests.servers import production_env, settings_under
from tests.stored_results import create, scenario_answers

pytestmark = pytest.mark.django_db

# The 2,000 junk requests for each backend, spread over the eight kinds of cached
# page: each kind gets every variety of junk many times over, and the suite stays quick.
JUNK_PER_PAGE = 250


@dataclass(frozen=True)
class Canonical:
    """A page's URL as the site links it: its path and query pairs."""

    path: str
    pairs: list[tuple[str, str]]

    @property
    def url(self) -> str:
        return f"{self.path}?{urlencode(self.pairs)}" if self.pairs else self.path


class BrowserForm(HTMLParser):
    """The question page's form as a browser submits it: its controls in page order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.action = ""
        self.controls: list[tuple[str, str, str]] = []  # (kind, name, value)
        self._in_form = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form" and "question-form" in attrs.get("class", "").split():
            self._in_form, self.action = True, attrs["action"]
        elif self._in_form and tag == "input" and attrs.get("name"):
            self.controls.append((attrs.get("type", "text"), attrs["name"], attrs.get("value", "")))
        elif self._in_form and tag == "textarea":
            self.controls.append(("textarea", attrs["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False

    def submission(self, choice: str) -> list[tuple[str, str]]:
        """The form data set with `choice` checked and nothing typed, in tree order."""
        return [
            (name, value)
            for kind, name, value in self.controls
            if kind != "radio" or value == choice
        ]


def answer_page(client: Client, doc: GuideDocument) -> Canonical:
    """The free-text question answered with a choice after the one that reveals the text box,
    through the question page's own form (the box then comes before the answer)."""
    question = free_text_question(doc)
    page = client.get(question_url(doc, question, before(doc, question, scenario_answers(doc))))
    form = BrowserForm(page.content.decode())
    later = [c.slug for c in question.choices][-1]
    assert later != question.free_text.choice
    return Canonical(form.action, form.submission(later))


def before(doc: GuideDocument, question: Question, answers: dict[str, str]) -> dict[str, str]:
    earlier = {q.slug for q in doc.questions[: doc.questions.index(question)]}
    return {k: v for k, v in answers.items() if k in earlier}


def question_page(client: Client, doc: GuideDocument) -> Canonical:
    third = doc.questions[2]
    answers = before(doc, third, scenario_answers(doc))
    return Canonical(
        reverse("questionnaire-question", args=[doc.slug, third.slug]), [*answers.items()]
    )


def named(name: str, answers: Callable[[GuideDocument], dict[str, str]]):
    def canonical(client: Client, doc: GuideDocument) -> Canonical:
        return Canonical(reverse(name, args=[doc.slug]), [*answers(doc).items()])

    return canonical


def permalink(client: Client, doc: GuideDocument) -> Canonical:
    return Canonical(create(client, doc, scenario_answers(doc)), [])


PAGES: dict[str, Callable[[Client, GuideDocument], Canonical]] = {
    "guide page": named("guide-detail", lambda doc: {}),
    "questionnaire start": named("questionnaire-start", lambda doc: {}),
    "question": question_page,
    "answer": answer_page,
    "check": named("questionnaire-check", scenario_answers),
    "route": named("questionnaire-route", routed_answers),
    "result": named("questionnaire-result", scenario_answers),
    "permalink": permalink,
}


def junk(doc: GuideDocument, page: Canonical, number: int) -> str:
    """A query string for the same page that no link of the site makes: one of four kinds."""
    pairs = list(page.pairs)
    conditional, controlling, _, hiding = conditional_setup(doc)
    kind = number % 4
    if kind == 0:  # an unknown parameter (a campaign tag, a cache buster)
        pairs.append(("utm_source", f"newsletter-{number}"))
    elif kind == 1:  # the same answers in another order, and a repeated one
        pairs = [*reversed(pairs), *pairs[:1], ("n", str(number))]
    elif kind == 2:  # an invalid answer to a real question
        pairs.append((doc.questions[-1].slug, f"no-such-choice-{number}"))
    else:  # an answer to a question that is not shown, and text for an unchosen box
        pairs += [(controlling.slug, hiding[controlling.slug]), (conditional.slug, "x")]
        pairs.append((f"{free_text_question(doc).slug}_text", f"words {number}"))
    return f"{page.path}?{urlencode(pairs)}"


@pytest.fixture
def replays(monkeypatch) -> list[str]:
    """The paths of the pages served from the cache."""
    served: list[str] = []
    replay = pagecache.CachedPage.replay

    def counting(entry, request):
        served.append(request.path)
        return replay(entry, request)

    monkeypatch.setattr(pagecache.CachedPage, "replay", counting)
    return served


@pytest.fixture
def fresh_guard(monkeypatch) -> None:
    monkeypatch.setattr(pagecache, "PAGES", pagecache.CacheGuard(pagecache.PAGE_CACHE))


def visit(client: Client, url: str, htmx: bool) -> int:
    """Get `url`; the number of analytics events the visit counted."""
    before = analytics.buffer.pending()
    response = client.get(url, **(HTMX if htmx else {}))
    assert response.status_code in (200, 302, 303), (url, response.status_code)
    return analytics.buffer.pending() - before


def assert_junk_makes_no_entries(
    client: Client, doc: GuideDocument, page: Canonical, entries: Callable[[], int], replays
) -> None:
    # The canonical URL, as a full page and as an HTMX panel: stored, then served again.
    earlier = entries()  # a page read to find the canonical URL
    counted = {htmx: visit(client, page.url, htmx) for htmx in (False, True)}
    kept = entries()
    assert kept == earlier + 2, "each canonical page is stored once"
    for htmx in (False, True):
        assert visit(client, page.url, htmx) == counted[htmx], "a cache hit counts again"
    assert len(replays) == 2
    for number in range(JUNK_PER_PAGE):
        htmx = number % 8 >= 4
        events = visit(client, junk(doc, page, number), htmx)
        if number % 4 == 0:  # the same page as the canonical one: the same events
            assert events == counted[htmx]
    assert entries() == kept, "no junk query string made a cache entry"
    assert len(replays) == 2, "nor was one served a canonical page's entry"


@pytest.mark.parametrize("kind", PAGES)
def test_junk_query_strings_make_no_local_cache_entries(
    kind, client, seed_guide: Guide, settings, replays, fresh_guard
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"junk-{kind}",
        }
    }
    doc = seed_guide.published_document()
    page = PAGES[kind](client, doc)
    assert_junk_makes_no_entries(client, doc, page, lambda: len(caches["default"]._cache), replays)


@pytest.fixture(scope="module")
def redis_and_caches(tmp_path_factory) -> Iterator[tuple[RedisServer, dict]]:
    """One redis-server for the module, and CACHES as production's settings make them for it."""
    directory = tmp_path_factory.mktemp("redis")
    with running_redis(directory) as redis:
        env = production_env(directory, REDIS_URL=redis.url)
        yield redis, settings_under(env, ["CACHES"])["CACHES"]


@pytest.mark.parametrize("kind", PAGES)
def test_junk_query_strings_make_no_redis_keys(
    kind, client, seed_guide: Guide, settings, replays, fresh_guard, redis_and_caches
):
    redis, settings.CACHES = redis_and_caches
    doc = seed_guide.published_document()
    page = PAGES[kind](client, doc)
    assert_junk_makes_no_entries(client, doc, page, redis.dbsize, replays)


def test_the_answer_is_kept_under_the_query_the_browser_sends(
    client, seed_guide: Guide, settings, fresh_guard
):
    """The answer page is kept under its form's own query: hidden answers, then the text box
    and the chosen radio in page order (the box follows the choice that reveals it)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "a"}
    }
    doc = seed_guide.published_document()
    page = answer_page(client, doc)
    caches["default"].clear()  # the question page itself, read for its form
    names = [name for name, _ in page.pairs]
    question = free_text_question(doc)
    assert names[-2:] == [f"{question.slug}_text", question.slug]
    assert client.get(page.url).status_code == 303
    assert client.get(page.url).status_code == 303
    assert len(caches["default"]._cache) == 1, "stored under the form's own query"


def test_pages_with_typed_text_are_never_kept(client, seed_guide: Guide, settings, fresh_guard):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    doc = seed_guide.published_document()
    question = free_text_question(doc)
    answers = complete(doc, {**scenario_answers(doc), question.slug: question.free_text.choice})
    text = {f"{question.slug}_text": "Our own words"}
    pairs = []
    for slug, choice in answers.items():
        pairs.append((slug, choice))
        if slug == question.slug:
            pairs += text.items()
    for name in ("questionnaire-check", "questionnaire-result"):
        response = client.get(f"{reverse(name, args=[doc.slug])}?{urlencode(pairs)}")
        assert response.status_code == 200
        assert "Our own words" in response.content.decode()
    assert len(caches["default"]._cache) == 0
