"""axe-core on every admin page an editor uses: no WCAG 2.2 A/AA violations.

The editor is a staff account in the Editors group (not a superuser), so the
pages are the ones that role sees: the admin's home, each registered part's
list, add, change and delete pages for a row of the seed guide, and the
guide's own tools (checks, history, import, ratings grid, try the draft...).
Inline sub-forms are on the change pages, so every inline field is checked
too. axe runs the WCAG 2.0-2.2 A and AA rules plus target size (2.5.8) and
links in text told apart by colour alone (1.4.1), which axe leaves out
unless asked (`tests/e2e/axe.py`).

`ADMIN_PAGES` is the table: one line per page. `test_the_table_covers_*`
fail when an admin or a guide tool is added without a line here. The count
of failing elements on every page is printed as a table at the end of the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AbstractUser
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, Page

from decisionguide.content import models as content
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.translations import with_translation
from decisionguide.guidefiles.loading import load_guide_file
from decisionguide.publishing.drafts import record_edit
from decisionguide.results.models import Result
from tests.conftest import SMALL_FILE
from tests.e2e.axe import NAMED_RULES, AxeFindings, axe_findings
from tests.e2e.conftest import LAPTOP, PHONE, make_editor, new_page
from tests.stored_results import create, scenario_answers

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Rows:
    """A row of every kind from the seed guide: the rows the change pages open."""

    guide: content.Guide
    question: content.Question
    choice: content.Choice
    outcome: content.Outcome
    criterion: content.Criterion
    scenario: content.Scenario
    note: content.Note
    gate: content.Gate
    item: content.GuideItem
    failure_check: content.FailureCheck
    tie_break: content.TieBreak
    linked_page: content.LinkedPage
    version: content.GuideVersion
    result: Result
    doc: GuideDocument


Args = Callable[[Rows], list[Any]]


def no_args(rows: Rows) -> list[Any]:
    return []


def no_query(rows: Rows) -> str:
    return ""


@dataclass(frozen=True)
class AdminPage:
    """One admin page: a name for the report, its URL name, arguments and query string.

    `setup` adds rows the page needs before it opens (more than one page of a list),
    `then` acts on the open page before axe runs; `signed_in=False` opens it signed out.
    """

    name: str
    url_name: str
    args: Args = no_args
    query: Callable[[Rows], str] = no_query
    setup: Callable[[Rows], None] | None = None
    then: Callable[[Page], None] | None = None
    signed_in: bool = True

    def url(self, rows: Rows) -> str:
        query = self.query(rows)
        path = reverse(f"admin:{self.url_name}", args=self.args(rows))
        return f"{path}?{query}" if query else path


def guide_id(rows: Rows) -> list[Any]:
    return [rows.guide.pk]


def row(field: str) -> Args:
    """The arguments of a change or delete page: that row's id."""
    return lambda rows: [getattr(rows, field).pk]


def for_guide(rows: Rows) -> str:
    return f"guide={rows.guide.pk}"


def first_scenario_tried(rows: Rows) -> str:
    answers = "&".join(f"{q}={c}" for q, c in scenario_answers(rows.doc).items())
    return f"run=1&{answers}"


def all_versions(rows: Rows) -> str:
    return "version=all"


def published_doc(rows: Rows) -> str:
    return "doc=published"


def searched(rows: Rows) -> str:
    return f"q={rows.question.slug}"


def in_french(rows: Rows) -> list:
    return [rows.guide.pk, "fr"]


def french_out_of_date(rows: Rows) -> None:
    """Two French texts, one of them made from English that changed since."""
    data = rows.guide.draft_document().to_data()
    data = with_translation(data, "fr", "title", "Un titre traduit")
    data = with_translation(data, "fr", "summary", "Un résumé traduit", source="Older words.")
    content.Guide.objects.filter(pk=rows.guide.pk).update(translations=data["translations"])
    record_edit(content.Guide.objects.get(pk=rows.guide.pk), note="French")


def open_details(page: Page) -> None:
    for summary in page.locator("details > summary").all():
        summary.click()


def more_items(rows: Rows) -> None:
    """More guide items than a list page holds, so the list has page links."""
    per_page = admin.site._registry[content.GuideItem].list_per_page
    kind = content.GuideItem.Kind.MISSTEP
    items = [
        content.GuideItem(guide=rows.guide, kind=kind, text=f"Item {n}") for n in range(per_page)
    ]
    content.GuideItem.objects.bulk_create(items)


def part_pages(label: str, model: str, field: str) -> list[AdminPage]:
    """A guide part's list, add (for one guide), change, delete and history pages."""
    opened = row(field)
    return [
        AdminPage(f"{label} list", f"guides_{model}_changelist"),
        AdminPage(f"{label} add", f"guides_{model}_add", query=for_guide),
        AdminPage(f"{label} change", f"guides_{model}_change", opened),
        AdminPage(f"{label} delete", f"guides_{model}_delete", opened),
        AdminPage(f"{label} history", f"guides_{model}_history", opened),
    ]


# One line per page. Parts of a guide: list, add (after the guide picker when
# there are two guides), change, delete; then the guide's tools, read-only rows and
# the account pages.
ADMIN_PAGES = [
    AdminPage("home", "index"),
    AdminPage("guides app", "app_list", lambda rows: ["guides"]),
    AdminPage("results app", "app_list", lambda rows: ["results"]),
    AdminPage("guide list", "guides_guide_changelist"),
    AdminPage("guide list, searched", "guides_guide_changelist", query=lambda r: "q=crm"),
    AdminPage("guide add", "guides_guide_add"),
    AdminPage("guide change", "guides_guide_change", guide_id),
    AdminPage("guide checks", "guides_guide_checks", guide_id),
    AdminPage("guide history", "guides_guide_history", guide_id),
    AdminPage("guide history, changes open", "guides_guide_history", guide_id, then=open_details),
    AdminPage("guide version", "guides_guide_version", lambda r: [r.guide.pk, r.version.version]),
    AdminPage("guide import", "guides_guide_import"),
    AdminPage("guide ratings grid", "guides_guide_ratings", guide_id),
    AdminPage("guide try the draft", "guides_guide_try", guide_id),
    AdminPage("guide try, answered", "guides_guide_try", guide_id, first_scenario_tried),
    AdminPage("guide analytics", "guides_guide_analytics", guide_id),
    AdminPage(
        "guide analytics, all versions", "guides_guide_analytics", guide_id, query=all_versions
    ),
    AdminPage("guide logic map", "guides_guide_logic", guide_id),
    AdminPage("guide search", "guides_guide_search", guide_id, query=lambda r: "q=kickoff"),
    AdminPage("guide logic map, published", "guides_guide_logic", guide_id, query=published_doc),
    AdminPage("guide unpublish", "guides_guide_unpublish", guide_id),
    AdminPage("guide translations", "guides_guide_translations", in_french),
    AdminPage(
        "guide translations, out of date",
        "guides_guide_translations",
        in_french,
        query=lambda r: "show=out_of_date",
        setup=french_out_of_date,
    ),
    *part_pages("question", "question", "question"),
    AdminPage("question list, searched", "guides_question_changelist", query=searched),
    AdminPage("question add: which guide", "guides_question_add"),
    *part_pages("choice", "choice", "choice"),
    *part_pages("outcome", "outcome", "outcome"),
    *part_pages("criterion", "criterion", "criterion"),
    *part_pages("scenario", "scenario", "scenario"),
    *part_pages("note", "note", "note"),
    *part_pages("gate", "gate", "gate"),
    AdminPage("guide item list, 2 pages", "guides_guideitem_changelist", setup=more_items),
    *part_pages("guide item", "guideitem", "item"),
    *part_pages("failure check", "failurecheck", "failure_check"),
    *part_pages("tie-break", "tiebreak", "tie_break"),
    *part_pages("linked page", "linkedpage", "linked_page"),
    AdminPage("version list", "guides_guideversion_changelist"),
    AdminPage("version view", "guides_guideversion_change", row("version")),
    AdminPage("version view history", "guides_guideversion_history", row("version")),
    AdminPage("result list", "results_result_changelist"),
    AdminPage("result view", "results_result_change", row("result")),
    AdminPage("result view history", "results_result_history", row("result")),
    AdminPage("password change", "password_change"),
    AdminPage("password changed", "password_change_done"),
    AdminPage("sign in", "login", signed_in=False),
]
PAGES = {page.name: page for page in ADMIN_PAGES}
# At a small phone's width too: the home page and the pages with the widest forms.
PHONE_PAGE_NAMES = ["home", "guide change", "question change", "scenario change"]
PHONE_PAGE_NAMES += ["guide translations, out of date"]
# Dark mode swaps every colour: contrast again where links, tints and code blocks meet.
# The admin in French at phone width: longer words, the same rules (issue 24).
FRENCH_PAGE_NAMES = [*PHONE_PAGE_NAMES, "guide checks", "guide logic map", "guide history"]
DARK_PAGE_NAMES = ["guide change", "guide checks", "guide history, changes open", "scenario list"]
# Guide tools that answer a POST, a script or a download, not a page to read.
NOT_PAGES = {"guides_guide_publish", "guides_guide_revert", "guides_guide_markdown_preview"}
NOT_PAGES |= {"guides_guide_export"}  # a YAML file
NOT_PAGES |= {"guides_guide_try_scenario"}  # a POST from the try page, which is checked
NOT_PAGES |= {"guides_guide_review_links"}  # a POST from the guide's change page, which is checked
# POSTs from the publish controls at the top of the change and Checks pages, both checked.
NOT_PAGES |= {"guides_guide_schedule", "guides_guide_cancel_schedule"}
NOT_PAGES |= {"guides_guide_request_review", "guides_guide_approve"}
NOT_PAGES |= {"guides_guide_copy", "guides_guide_from_template"}  # POSTs, from checked pages
# A PO file, and its upload (a POST from the Translations page, which is checked).
NOT_PAGES |= {"guides_guide_translations_export", "guides_guide_translations_import"}
# Drag-and-drop saves of a sortable list (ours and sortable2's own): POST only.
POST_ONLY_SUFFIXES = ("_reorder", "_sortable_update")
COUNTS: dict[str, AxeFindings] = {}


# ---------------------------------------------------------------------------
# The editor and the rows


def seed_rows(doc: GuideDocument) -> Rows:
    """The seed guide with a few edits (so history has versions to restore) and a result."""
    guide = content.Guide.objects.get(slug=doc.slug)
    questions = content.Question.objects.filter(guide=guide).order_by("order", "id")
    for number, question in enumerate(questions[:3]):
        question.hint = f"{question.hint} (edited {number})".strip()
        question.save()
        record_edit(guide, note=f"Edit {number}")
    create(Client(), doc, scenario_answers(doc))
    in_guide = {"guide": guide}
    return Rows(
        guide=guide,
        question=questions.exclude(show_clauses=None).first(),  # with a condition to edit
        choice=content.Choice.objects.filter(question__guide=guide)
        .order_by("question__order")
        .first(),
        outcome=content.Outcome.objects.filter(**in_guide).first(),
        criterion=content.Criterion.objects.filter(**in_guide).first(),
        scenario=content.Scenario.objects.filter(**in_guide).first(),
        note=content.Note.objects.filter(**in_guide).exclude(clauses=None).first(),
        gate=content.Gate.objects.filter(**in_guide).exclude(clauses=None).first(),
        item=content.GuideItem.objects.filter(**in_guide).first(),
        # A check with claims of its own to edit, and the seed's tie-break.
        failure_check=content.FailureCheck.objects.filter(**in_guide).exclude(clauses=None).first()
        or content.FailureCheck.objects.filter(**in_guide).first(),
        tie_break=content.TieBreak.objects.filter(**in_guide).first(),
        linked_page=content.LinkedPage.objects.filter(**in_guide).first(),
        version=guide.versions.order_by("version").first(),
        result=Result.objects.get(),
        doc=doc,
    )


# ---------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def rows(guide: GuideDocument) -> Rows:
    load_guide_file(SMALL_FILE)  # a second guide: adding a part asks which guide first
    return seed_rows(guide)


@pytest.fixture
def editor(transactional_db: None) -> AbstractUser:
    return make_editor("axe-editor")


@pytest.fixture
def laptop_page(browser: Browser, live_server: Any, rows: Rows) -> Iterator[Page]:
    yield from new_page(browser, live_server, viewport=LAPTOP)


@pytest.fixture
def small_phone_page(browser: Browser, live_server: Any, rows: Rows) -> Iterator[Page]:
    yield from new_page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def french_phone_page(browser: Browser, live_server: Any, rows: Rows) -> Iterator[Page]:
    """At phone width, with the editor's language set to French by the switcher's cookie."""
    for page in new_page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True):
        cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": "fr", "url": live_server.url}
        page.context.add_cookies([cookie])
        yield page


@pytest.fixture
def dark_page(browser: Browser, live_server: Any, rows: Rows) -> Iterator[Page]:
    yield from new_page(browser, live_server, viewport=LAPTOP, color_scheme="dark")


@pytest.fixture(scope="module", autouse=True)
def count_table(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the module: the failing elements on every page visited, as a table."""
    yield
    if not COUNTS:
        return
    width = max(len(name) for name in COUNTS)
    lines = [f"\naxe, failing elements per admin page ({len(COUNTS)} pages):"]
    lines += [f"  {n:<{width}}  {f.count:>3}  {f.summary()}" for n, f in COUNTS.items()]
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n".join(lines))


def sign_in(page: Page, live_server: Any, user: AbstractUser) -> None:
    """The session cookie of a signed-in editor, without typing a password."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def visit(
    page: Page, live_server: Any, user: AbstractUser, admin_page: AdminPage, rows: Rows
) -> AxeFindings:
    """Open the page as the editor (or signed out) and run axe on it."""
    if admin_page.setup is not None:
        admin_page.setup(rows)
    if admin_page.signed_in:
        sign_in(page, live_server, user)
    url = admin_page.url(rows)
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    assert page.url.endswith(url), f"{url} sent the editor to {page.url}"
    if admin_page.then is not None:
        admin_page.then(page)
    return axe_findings(page)


def passes_axe(label: str, findings: AxeFindings) -> None:
    """Keep the page's count for the table printed at the end; fail on any violation."""
    COUNTS[label] = findings
    assert findings.count == 0, findings.report


# ---------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("name", list(PAGES))
def test_admin_page_has_no_axe_violations(
    laptop_page: Page, live_server: Any, editor: AbstractUser, rows: Rows, name: str
) -> None:
    findings = visit(laptop_page, live_server, editor, PAGES[name], rows)
    assert set(NAMED_RULES) <= findings.rules_run
    passes_axe(name, findings)


@pytest.mark.parametrize("name", PHONE_PAGE_NAMES)
def test_admin_page_at_phone_width_has_no_axe_violations(
    small_phone_page: Page, live_server: Any, editor: AbstractUser, rows: Rows, name: str
) -> None:
    passes_axe(f"{name} (375 px)", visit(small_phone_page, live_server, editor, PAGES[name], rows))


@pytest.mark.parametrize("name", FRENCH_PAGE_NAMES)
def test_admin_page_in_french_at_phone_width_has_no_axe_violations(
    french_phone_page: Page, live_server: Any, editor: AbstractUser, rows: Rows, name: str
) -> None:
    findings = visit(french_phone_page, live_server, editor, PAGES[name], rows)
    assert french_phone_page.locator("html").get_attribute("lang") == "fr"
    with translation.override("fr"):
        home = translation.gettext("Home")  # the breadcrumbs' first link, or the dashboard's
    assert home != "Home" and (home in french_phone_page.content() or name == "home")
    passes_axe(f"{name} (French, 375 px)", findings)


@pytest.mark.parametrize("name", DARK_PAGE_NAMES)
def test_admin_page_in_dark_mode_has_no_axe_violations(
    dark_page: Page, live_server: Any, editor: AbstractUser, rows: Rows, name: str
) -> None:
    findings = visit(dark_page, live_server, editor, PAGES[name], rows)
    assert dark_page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    passes_axe(f"{name} (dark)", findings)


def editor_request(user: AbstractUser) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    return request


def may_open(model_admin: admin.ModelAdmin, request: HttpRequest, url_name: str) -> bool:
    """Whether the editor may open this page of the admin (roles.py grants the rights)."""
    if url_name.endswith("_add"):
        return model_admin.has_add_permission(request)
    if url_name.endswith("_delete"):
        return model_admin.has_delete_permission(request)
    return model_admin.has_view_or_change_permission(request)


def test_the_table_covers_every_admin_page_an_editor_opens(editor_user: AbstractUser) -> None:
    """A new admin, or a new tool on one, fails here until it has a line in ADMIN_PAGES."""
    request = editor_request(editor_user)
    wanted = set()
    for model_admin in admin.site._registry.values():
        if not model_admin.has_view_or_change_permission(request):
            continue
        names = {pattern.name for pattern in model_admin.get_urls() if pattern.name}
        names = {name for name in names if not name.endswith(POST_ONLY_SUFFIXES)}
        wanted |= {name for name in names if may_open(model_admin, request, name)}
    in_table = {page.url_name for page in ADMIN_PAGES}
    assert sorted(wanted - NOT_PAGES - in_table) == []
    # The guide's own tools, the editable parts and the read-only ones are all there.
    assert {"guides_guide_history", "guides_question_change", "results_result_change"} <= wanted


def test_the_editor_here_is_not_a_superuser(editor: AbstractUser) -> None:
    assert not editor.is_superuser
    assert not editor.has_perm("guides.delete_guide")
    assert editor.has_perm("guides.change_question")
    assert editor.has_perm("guides.change_clause")  # conditions are on the pages checked
