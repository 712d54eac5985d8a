"""Browser tests: Debian's Chromium, driven by Playwright, against Django's live server.

The live server runs in a thread of this process on a transactional test
database, so every browser test loads the seed guide itself (`guide`).
Playwright's sync API keeps an event loop in the main thread, which would
make Django refuse ORM calls from the test body; hence DJANGO_ALLOW_ASYNC_UNSAFE.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response, expect

from decisionguide.decision.document import GuideDocument
from decisionguide.editor.roles import ensure_editors_group
from decisionguide.guidefiles.loading import load_guide_file
from tests.conftest import SEED_FILE

# Process-wide, not per test: Playwright's loop keeps running until the session
# ends, so database tests collected after these would trip over it too.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("DECISIONGUIDE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1280, "height": 800}


def pytest_configure(config: pytest.Config) -> None:
    # Lets a quick local run leave the browser out: pytest -m "not e2e".
    config.addinivalue_line("markers", "e2e: drives a real browser against the live server")
    # pytest-base-url (a pytest-playwright dependency) still defines a fixture this way.
    old_style_fixture = "Session-scoped fixtures defined as instance methods"
    config.addinivalue_line(
        "filterwarnings", f"ignore:{old_style_fixture}:pytest.PytestRemovedIn10Warning"
    )


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_tool(path: Path | None, what: str, install: str) -> None:
    """Skip locally when a tool is missing, but fail in CI, where it must be present."""
    if path is not None and path.exists():
        return
    message = f"{what} not found; install it with: {install}"
    if in_ci():
        pytest.fail(f"CI must run the browser tests: {message}", pytrace=False)
    pytest.skip(message)


def java_path() -> Path | None:
    found = shutil.which("java")
    return Path(found) if found else None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments, pointed at Debian's Chromium.

    Playwright cannot download its own browsers here; the system one is enough.
    """
    require_tool(CHROMIUM, "Chromium", "apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], live_server: Any) -> dict[str, Any]:
    return {**browser_context_args, "base_url": live_server.url, "viewport": LAPTOP}


@pytest.fixture
def guide(transactional_db: None, live_server: Any) -> GuideDocument:
    """The seed guide, loaded into the database the live server reads; returns its document."""
    return load_guide_file(SEED_FILE).guide.published_document()


def watch_for_problems(page: Page) -> list[str]:
    """Collect what should never happen on our pages while a test runs.

    A stylesheet, script or icon that fails to load, a script error, or a
    console error such as a Content-Security-Policy refusal.
    """
    problems: list[str] = []

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.status} for {response.url}")

    def on_console(message: ConsoleMessage) -> None:
        # Failed loads are reported (with their type) by on_response.
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(f"console error: {message.text}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return problems


def assert_no_problems(problems: list[str]) -> None:
    assert not problems, "the browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def page(page: Page) -> Iterator[Page]:
    """pytest-playwright's page, failing the test on load, script or CSP errors."""
    problems = watch_for_problems(page)
    yield page
    assert_no_problems(problems)


def new_page(browser: Browser, live_server: Any, **options: Any) -> Iterator[Page]:
    """A page in a fresh browser context with these options, watched like `page`."""
    context: BrowserContext = browser.new_context(base_url=live_server.url, **options)
    try:
        page = context.new_page()
        problems = watch_for_problems(page)
        yield page
        assert_no_problems(problems)
    finally:
        context.close()


@pytest.fixture
def no_js_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A page in a browser context with JavaScript switched off."""
    yield from new_page(browser, live_server, java_script_enabled=False, viewport=LAPTOP)


@pytest.fixture
def phone_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A page 375 CSS pixels wide, the width of a small phone."""
    yield from new_page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)


# Editors the browser tests sign in as, typing this password into the login form.
EDITOR_PASSWORD = "correct-horse-battery-staple-42"


def make_editor(username: str) -> AbstractUser:
    """A staff account in the Editors group (not a superuser). The transactional database
    is flushed between tests, group and all, so the group is made again if need be."""
    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", EDITOR_PASSWORD, is_staff=True
    )
    user.groups.add(ensure_editors_group())
    return user


def log_in(page: Page, user: AbstractUser, password: str = EDITOR_PASSWORD) -> None:
    """Sign in through the admin's login form, as a person would, and wait for Log out."""
    page.goto(reverse("admin:index"))
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
