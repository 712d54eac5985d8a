"""Shared fixtures: the seed guide and a small second guide, as documents and in the DB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import Client

from decisionguide.analytics import counting as analytics
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.parsing import parse_document
from decisionguide.guidefiles.loading import load_guide_file
from decisionguide.pagecache import fastpath

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED_FILE = Path(settings.BASE_DIR) / "content" / "crm-pm-hybrid.yaml"
SMALL_FILE = DATA_DIR / "small-guide.yaml"


def empties_the_database(item: pytest.Item) -> bool:
    """Whether the test runs on a transactional database, which is emptied after it (the
    Editors group and the rest of what migrations wrote included)."""
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or marker.args[:1]))
    fixtures = getattr(item, "fixturenames", ())
    return transactional or "transactional_db" in fixtures or "live_server" in fixtures


# Chromium's tests, marked `browser`: CI runs them once, on SQLite (see .ci/run).
BROWSER_TESTS = Path(__file__).parent / "e2e"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest-django runs transactional tests last, as Django does, but pytest then groups
    # the tests that share Playwright's parametrized browser, which put browser tests
    # before database tests that read what migrations wrote. Sorting again, last of all,
    # keeps every database test ahead of the tests that empty the database.
    items.sort(key=empties_the_database)


def pytest_itemcollected(item: pytest.Item) -> None:
    # Marked as each is collected: `-m` deselects before the hook above runs.
    if BROWSER_TESTS in item.path.parents:
        item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _no_fast_path_records() -> None:
    # Unlike the caches, the fast path's records are keyed by URL: one a test left behind
    # is only checked and dropped, but that check is a query the next test would count.
    fastpath.forget()


@pytest.fixture(autouse=True)
def _no_buffered_events() -> Iterator[None]:
    # No cache is emptied here: every key names a frozen version (its id and creation
    # time) or a stored result, which no other test's rows share, so nothing a test
    # left behind can be served to the next one.
    # Events buffered by a test that raised the flush threshold never reach the next
    # test, nor the flush at exit (when the test database is gone).
    analytics.buffer.discard()
    yield
    analytics.buffer.discard()


def read_document(path: Path) -> GuideDocument:
    return parse_document(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def seed_file() -> Path:
    return SEED_FILE


@pytest.fixture(scope="session")
def small_file() -> Path:
    return SMALL_FILE


@pytest.fixture(scope="session")
def seed_document() -> GuideDocument:
    """The real guide content (content/crm-pm-hybrid.yaml), parsed; no database."""
    return read_document(SEED_FILE)


@pytest.fixture(scope="session")
def small_document() -> GuideDocument:
    """tests/data/small-guide.yaml, parsed; no database."""
    return read_document(SMALL_FILE)


@pytest.fixture
def seed_guide(db: None) -> Guide:
    """The real guide content loaded into the test database."""
    return load_guide_file(SEED_FILE).guide


@pytest.fixture
def small_guide(db: None) -> Guide:
    """The small test guide loaded into the test database."""
    return load_guide_file(SMALL_FILE).guide


@pytest.fixture
def half_made_guide(db: None) -> Guide:
    """A guide row written outside the admin: no outcome, no part, no frozen version.
    Pages that list or draw guides must still load for it."""
    required_texts = {name: "Words." for name in ("summary", "intro", "right_page", "wrong_page")}
    return Guide.objects.create(
        slug="half-made", title="Half made", shortcut="S.", **required_texts
    )


@pytest.fixture
def editor_user(db: None, django_user_model):
    """A staff user in the Editors group (created by the guides data migration).

    No password (nothing to hash, so the fixture is fast): sign in with force_login.
    """
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("editor", "editor@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(editor_user, client):
    """A test client signed in as an editor."""
    client.force_login(editor_user)
    return client


@pytest.fixture
def superuser_client(db: None, django_user_model, client):
    """A test client signed in as a superuser named "admin" (like `admin_client`, without
    hashing a password)."""
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", None)
    client.force_login(user)
    return client


@pytest.fixture
def second_client(db: None, django_user_model) -> Client:
    """Another editor, in a browser of their own."""
    user = django_user_model.objects.create_superuser("second", "second@example.org", None)
    client = Client()
    client.force_login(user)
    return client
