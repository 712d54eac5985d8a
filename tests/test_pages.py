"""The reading pages: guide list, guide page, linked pages and error pages.

Expected text is read from the loaded documents, so the tests follow the
content as it changes. HTML is parsed into a small tree and checked where it
should appear (the right section, row or card), not just somewhere on the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from django.contrib.auth import get_user_model
from django.template import loader
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.parsing import parse_document
from decisionguide.guidefiles.loading import apply_document
from decisionguide.guides.markdown import linked_page_url, render_markdown

pytestmark = pytest.mark.django_db

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


# ---------------------------------------------------------------------------
# A small HTML tree


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def iter(self) -> Iterator[Node]:
        """This node and every element below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Elements with this tag whose attributes hold these values (class_: one class)."""
        wanted_class = attrs.pop("class_", None)
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and all(node.attrs.get(name) == value for name, value in attrs.items())
            and (wanted_class is None or wanted_class in node.classes)
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]

    def by_id(self, element_id: str) -> Node:
        return self.find(id=element_id)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    @property
    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else f" {child.text} ")
        return " ".join("".join(parts).split())

    def hrefs(self) -> list[str]:
        return [link.attrs["href"] for link in self.find_all("a") if "href" in link.attrs]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if any(node.tag == tag for node in self.stack[1:]):
            while self.stack.pop().tag != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str | bytes) -> Node:
    builder = TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


def plain(html: str) -> str:
    """The text a visitor reads from a piece of HTML, whitespace normalised."""
    return parse(html).text


def shown(markdown_text: str, doc: GuideDocument) -> str:
    """The words a Markdown field shows on the page."""
    return plain(render_markdown(markdown_text, doc))


def headings(page: Node) -> list[int]:
    return [int(node.tag[1]) for node in page.iter() if node.tag in {"h1", "h2", "h3", "h4"}]


# ---------------------------------------------------------------------------
# Fixtures


@pytest.fixture(params=["seed_guide", "small_guide"])
def guide(request: pytest.FixtureRequest) -> Guide:
    """Each guide in turn: the pages must render any guide through the same code."""
    return request.getfixturevalue(request.param)


def get_page(client: Client, guide: Guide) -> Node:
    response = client.get(reverse("guide-detail", args=[guide.slug]))
    assert response.status_code == 200
    return parse(response.content)


def unpublish(guide: Guide) -> None:
    Guide.objects.filter(pk=guide.pk).update(is_published=False)


def user_client(*, staff: bool) -> Client:
    user = get_user_model().objects.create_user(
        username="staff" if staff else "visitor", password="x", is_staff=staff
    )
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------------------
# Index


def test_index_lists_published_guides_only(
    client: Client, seed_guide: Guide, small_guide: Guide
) -> None:
    unpublish(small_guide)
    page = parse(client.get(reverse("index")).content)
    items = page.find_all("li", class_="guide-item")
    assert len(items) == 1
    (item,) = items
    assert item.find("a").attrs["href"] == reverse("guide-detail", args=[seed_guide.slug])
    assert item.find("a").text == seed_guide.title
    assert seed_guide.summary in item.text
    assert reverse("guide-detail", args=[small_guide.slug]) not in page.hrefs()


def test_index_lists_every_published_guide(
    client: Client, seed_guide: Guide, small_guide: Guide
) -> None:
    page = parse(client.get(reverse("index")).content)
    titles = [item.find("a").text for item in page.find_all("li", class_="guide-item")]
    assert sorted(titles) == sorted([seed_guide.title, small_guide.title])


def test_index_needs_one_query(
    client: Client, seed_guide: Guide, small_guide: Guide, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        response = client.get(reverse("index"))
    assert response.status_code == 200


def test_index_says_when_nothing_is_published(client: Client, small_guide: Guide) -> None:
    unpublish(small_guide)
    page = parse(client.get(reverse("index")).content)
    assert page.find_all("li", class_="guide-item") == []
    assert len(page.find_all("h1")) == 1


# ---------------------------------------------------------------------------
# Guide page: structure


def test_title_and_description_come_from_the_content(client: Client, guide: Guide) -> None:
    doc = guide.published_document()
    page = get_page(client, guide)
    assert page.find("title").text.startswith(doc.title)
    assert page.find("meta", name="description").attrs["content"] == doc.summary
    assert page.find("html").attrs["lang"] == "en"
    assert page.find("h1").text == doc.title


def test_one_h1_and_headings_in_order(client: Client, guide: Guide) -> None:
    levels = headings(get_page(client, guide))
    assert levels.count(1) == 1 and levels[0] == 1
    for before, after in pairwise(levels):
        assert after <= before + 1, f"heading jumps from h{before} to h{after}"


def test_landmarks_and_skip_link(client: Client, guide: Guide) -> None:
    page = get_page(client, guide)
    for tag in ("header", "nav", "main", "footer"):
        assert page.find_all(tag), f"no <{tag}>"
    skip = page.find("a", class_="skip-link")
    assert page.by_id(skip.attrs["href"].removeprefix("#")).tag == "main"


def test_no_inline_styles_or_scripts(client: Client, guide: Guide) -> None:
    page = get_page(client, guide)
    assert all("style" not in node.attrs for node in page.iter())
    assert page.find_all("style") == []
    assert all("src" in script.attrs for script in page.find_all("script"))


def test_contents_links_reach_sections(client: Client, guide: Guide) -> None:
    page = get_page(client, guide)
    toc = page.find("nav", class_="toc")
    anchors = toc.hrefs()
    assert len(anchors) >= 5
    for anchor in anchors:
        assert anchor.startswith("#")
        assert page.by_id(anchor[1:]).tag == "section"


def test_ids_are_unique_and_every_anchor_link_lands(client: Client, guide: Guide) -> None:
    page = get_page(client, guide)
    ids = [node.attrs["id"] for node in page.iter() if "id" in node.attrs]
    assert len(ids) == len(set(ids))
    for href in page.hrefs():
        if href.startswith("#"):
            assert href[1:] in ids, f"{href} points nowhere"


def test_every_link_to_this_site_works(client: Client, guide: Guide) -> None:
    hrefs = {href.split("#")[0] for href in get_page(client, guide).hrefs()}
    own = sorted(href for href in hrefs if href.startswith("/") and not href.startswith("//"))
    pages_prefix = reverse("guide-detail", args=[guide.slug]) + "pages/"
    assert any(href.startswith(pages_prefix) for href in own)
    for href in own:
        assert client.get(href).status_code in {200, 302}, href


def test_questionnaire_call_to_action_at_top_and_end(client: Client, guide: Guide) -> None:
    start = reverse("questionnaire-start", args=[guide.slug])
    page = get_page(client, guide)
    assert start in page.find("header", class_="guide-header").hrefs()
    assert start in page.by_id("decide").hrefs()


# ---------------------------------------------------------------------------
# Guide page: every part of the content


def test_intro_and_fit_sections(client: Client, guide: Guide) -> None:
    doc = guide.published_document()
    page = get_page(client, guide)
    assert shown(doc.intro, doc) in page.by_id("about").text
    fit = page.by_id("fit").text
    for text in (doc.right_page, doc.wrong_page, doc.start_elsewhere):
        assert shown(text, doc) in fit


def test_every_outcome_card_shows_its_texts(client: Client, guide: Guide) -> None:
    doc = guide.published_document()
    options = get_page(client, guide).by_id("options")
    cards = options.find_all("article", class_="outcome-card")
    assert len(cards) == len(doc.outcomes)
    for position, (outcome, card) in enumerate(zip(doc.outcomes, cards, strict=True), start=1):
        assert f"outcome-{(position - 1) % 3 + 1}" in card.classes
        assert card.find("h3").text.endswith(outcome.name)
        assert outcome.tagline in card.text
        assert [li.text for li in card.find("ul", class_="best-for").find_all("li")] == list(
            outcome.best_for
        )
        for text in (
            outcome.strengths,
            outcome.tradeoffs,
            outcome.failure_mode,
            outcome.good_fit,
            outcome.choose_if,
        ):
            assert shown(text, doc) in card.text
        expected_next = [linked_page_url(doc, slug) for slug in outcome.next_pages]
        assert [h for h in card.hrefs() if h in expected_next] == expected_next


def test_matrix_is_an_accessible_table(client: Client, guide: Guide) -> None:
    doc = guide.published_document()
    table = get_page(client, guide).by_id("comparison").find("table")
    assert table.find("caption").text
    column_heads = table.find("thead").find_all("th")
    assert all(th.attrs.get("scope") == "col" for th in column_heads)
    assert [th.text for th in column_heads[1:]] == [
        f"{outcome.symbol} {outcome.name}".strip() for outcome in doc.outcomes
    ]


def test_every_matrix_cell_shows_its_rating(client: Client, guide: Guide) -> None:
    doc = guide.published_document()
    table = get_page(client, guide).by_id("comparison").find("table")
    rows = table.find("tbody").find_all("tr")
    assert len(rows) == len(doc.criteria)
    for criterion, row in zip(doc.criteria, rows, strict=True):
        row_head = row.find("th")
        assert row_head.attrs.get("scope") == "row"
        assert row_head.find("span", class_="criterion-name").text == criterion.name
        cells = row.find_all("td")
        assert len(cells) == len(doc.outcomes)
        for outcome, cell in zip(doc.outcomes, cells, strict=True):
            rating = criterion.ratings[outcome.slug]
            assert cell.find("span", class_="rating-label").text == rating.label
            # The level is told in words too, not only by the dots.
            assert f"{rating.level} of 3" in cell.find("span", class_="visually-hidden").text
            assert f"level-{rating.level}" in cell.find("span", class_="level").classes


def test_shortcut_criteria_and_snapshot(client: Client, guide: Guide) -> None:
    doc = guide.published_document()
    page = get_page(client, guide)
    assert shown(doc.shortcut, doc) in page.by_id("shortcut").text
    for anchor, text in (("criteria", doc.decision_criteria), ("snapshot", doc.snapshot)):
        if text:
            assert shown(text, doc) in page.by_id(anchor).text
        else:
            assert not page.find_all(id=anchor)


def test_scenarios_show_outcome_and_handoff(client: Client, guide: Guide) -> None:
    doc = guide.published_document()
    section = get_page(client, guide).by_id("scenarios")
    articles = section.find_all("article", class_="scenario")
    assert len(articles) == len(doc.scenarios)
    for scenario, article in zip(doc.scenarios, articles, strict=True):
        assert article.find("h3").text == scenario.title
        assert shown(scenario.description, doc) in article.text
        badge = article.find("a", class_="outcome-badge")
        assert badge.text.endswith(doc.outcome(scenario.outcome).name)
        assert badge.attrs["href"] == f"#option-{scenario.outcome}"
        # The worked example when there is one, else the one-line rule.
        handoff = shown(scenario.handoff_example, doc) or scenario.handoff_rule
        assert handoff in article.text


@pytest.mark.parametrize(
    ("anchor", "field_name", "list_tag"),
    [
        ("edge-cases", "edge_cases", "ul"),
        ("missteps", "missteps", "ol"),
        ("failure-check", "failure_checks", "ul"),
    ],
)
def test_lists_show_every_item_in_order(
    client: Client, guide: Guide, anchor: str, field_name: str, list_tag: str
) -> None:
    doc = guide.published_document()
    items = getattr(doc, field_name)
    listing = get_page(client, guide).by_id(anchor).find(list_tag)
    rendered = [child.text for child in listing.children if isinstance(child, Node)]
    assert rendered == [shown(getattr(item, "text", item), doc) for item in items]


def test_linked_pages_listed_with_working_links(client: Client, guide: Guide) -> None:
    doc = guide.published_document()
    section = get_page(client, guide).by_id("next")
    entries = section.find_all("li", class_="linked-page")
    assert len(entries) == len(doc.linked_pages)
    for linked, entry in zip(doc.linked_pages, entries, strict=True):
        link = entry.find("h3").find("a")
        assert link.text == linked.title
        assert link.attrs["href"] == linked_page_url(doc, linked.slug)
        assert shown(linked.summary, doc) in entry.text
        assert shown(linked.when, doc) in entry.text
        if not linked.url:  # our own small page (redirects are checked below)
            assert client.get(link.attrs["href"]).status_code == 200


def test_guide_page_needs_one_query_once_cached(
    client: Client, guide: Guide, django_assert_num_queries
) -> None:
    url = reverse("guide-detail", args=[guide.slug])
    client.get(url)  # fills the document cache
    with django_assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200


def test_guide_page_only_answers_get(client: Client, guide: Guide) -> None:
    response = client.post(reverse("guide-detail", args=[guide.slug]))
    assert response.status_code == 405


# ---------------------------------------------------------------------------
# Linked pages


def test_linked_page_without_url_gets_a_small_page(client: Client, guide: Guide) -> None:
    doc = guide.published_document()
    pages = [page for page in doc.linked_pages if not page.url]
    if guide.slug == "photo-bookings":
        assert pages, "the small guide has a linked page without a URL"
    for linked in pages:
        response = client.get(reverse("linked-page", args=[doc.slug, linked.slug]))
        assert response.status_code == 200
        page = parse(response.content)
        assert page.find("h1").text == linked.title
        assert len(page.find_all("h1")) == 1
        main = page.find("main")
        assert shown(linked.summary, doc) in main.text
        assert shown(linked.when, doc) in main.text
        assert reverse("guide-detail", args=[doc.slug]) in main.hrefs()
        description = page.find("meta", name="description").attrs["content"]
        assert description == shown(linked.summary, doc)[:300]


def test_linked_page_with_url_redirects_there(client: Client, guide: Guide) -> None:
    doc = guide.published_document()
    pages = [page for page in doc.linked_pages if page.url]
    if guide.slug == "photo-bookings":
        assert pages, "the small guide has a linked page with a URL"
    for linked in pages:
        response = client.get(reverse("linked-page", args=[doc.slug, linked.slug]))
        assert response.status_code == 302
        assert response["Location"] == linked.url


# ---------------------------------------------------------------------------
# Not found, unpublished and staff preview


def assert_site_404(response) -> None:
    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    page = parse(response.content)
    assert len(page.find_all("h1")) == 1
    assert reverse("index") in page.find("main").hrefs()


def test_unknown_guide_is_not_found(client: Client, small_guide: Guide) -> None:
    assert_site_404(client.get(reverse("guide-detail", args=["no-such-guide"])))


def test_unknown_linked_page_is_not_found(client: Client, small_guide: Guide) -> None:
    assert_site_404(client.get(reverse("linked-page", args=[small_guide.slug, "no-such-page"])))


def test_unpublished_guide_is_hidden_from_visitors(client: Client, small_guide: Guide) -> None:
    doc = small_guide.published_document()
    unpublish(small_guide)
    assert_site_404(client.get(reverse("guide-detail", args=[small_guide.slug])))
    linked = doc.linked_pages[0]
    assert_site_404(client.get(reverse("linked-page", args=[small_guide.slug, linked.slug])))
    signed_in = user_client(staff=False)
    assert_site_404(signed_in.get(reverse("guide-detail", args=[small_guide.slug])))


def test_staff_can_preview_an_unpublished_guide(small_guide: Guide) -> None:
    doc = small_guide.published_document()
    unpublish(small_guide)
    staff = user_client(staff=True)
    response = staff.get(reverse("guide-detail", args=[small_guide.slug]))
    assert response.status_code == 200
    page = parse(response.content)
    assert "not published" in page.find("p", class_="preview-banner").text
    assert page.find("h1").text == doc.title
    # The questionnaire only opens for published guides, so no button leads there.
    assert reverse("questionnaire-start", args=[doc.slug]) not in page.hrefs()


def test_published_guide_has_no_preview_banner(client: Client, small_guide: Guide) -> None:
    page = get_page(client, small_guide)
    assert page.find_all(class_="preview-banner") == []


# ---------------------------------------------------------------------------
# Error pages


@pytest.mark.parametrize("code", ["400", "403", "404", "429", "500"])
def test_error_pages_render_without_a_request(code: str) -> None:
    # Django renders 500.html with an empty context and no context processors.
    page = parse(loader.get_template(f"{code}.html").render())
    assert len(page.find_all("h1")) == 1
    assert code in page.find("main").text
    assert page.find("link", rel="stylesheet")


def test_guide_page_shows_a_new_version_at_once(seed_guide: Guide, client: Client) -> None:
    """The rendered page is memoised per version, so an edit must still show straight away."""
    url = reverse("guide-detail", args=[seed_guide.slug])
    first = client.get(url).content.decode()
    doc = seed_guide.published_document()
    new_title = f"{doc.title} (revised)"
    apply_document(parse_document({**doc.to_data(), "title": new_title}))
    second = client.get(url).content.decode()
    assert new_title not in first
    assert new_title in second
