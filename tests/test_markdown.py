"""Guide Markdown: sanitizing, `page:` links and the template filters."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template import engines
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from decisionguide.decision.document import GuideDocument
from decisionguide.guides.markdown import ALLOWED_TAGS, linked_page_url, render_markdown


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text += data

    def links(self) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == "a"]


def page_without_url(doc: GuideDocument):
    return next(page for page in doc.linked_pages if not page.url)


def page_with_url(doc: GuideDocument):
    return next(page for page in doc.linked_pages if page.url)


def test_plain_markdown_becomes_html(small_document: GuideDocument) -> None:
    html = render_markdown("Some **bold** and *soft* words.\n\n- one\n- two", small_document)
    tags = [tag for tag, _ in Elements(html).tags]
    assert tags == ["p", "strong", "em", "ul", "li", "li"]


def test_script_tags_are_removed_with_their_content(small_document: GuideDocument) -> None:
    html = render_markdown("Before <script>alert('x')</script> after", small_document)
    parsed = Elements(html)
    assert "script" not in [tag for tag, _ in parsed.tags]
    assert "alert" not in html
    assert "Before" in parsed.text and "after" in parsed.text


def test_javascript_links_lose_their_target(small_document: GuideDocument) -> None:
    source = '[click](javascript:alert(1)) and <a href="javascript:alert(2)">raw</a>'
    links = Elements(render_markdown(source, small_document)).links()
    assert len(links) == 2
    assert all(not (link.get("href") or "").startswith("javascript") for link in links)


def test_event_handlers_and_styles_are_removed(small_document: GuideDocument) -> None:
    source = (
        '<img src="x" onerror="alert(1)"> <a href="https://example.org/" onclick="steal()" '
        'style="color:red">styled</a> <p onmouseover="x()">para</p>'
    )
    html = render_markdown(source, small_document)
    parsed = Elements(html)
    assert "img" not in [tag for tag, _ in parsed.tags]
    for _, attrs in parsed.tags:
        assert not {"onerror", "onclick", "onmouseover", "style"} & set(attrs)
    assert "styled" in parsed.text and "para" in parsed.text


def test_only_allowlisted_tags_come_out(small_document: GuideDocument) -> None:
    source = (
        "# Title\n\n<div><iframe src='https://example.org'></iframe><table><tr><td>cell</td>"
        "</tr></table><span class='x'>span</span></div>\n\n```\ncode\n```\n\n> quoted"
    )
    parsed = Elements(render_markdown(source, small_document))
    assert {tag for tag, _ in parsed.tags} <= ALLOWED_TAGS
    assert "cell" in parsed.text and "span" in parsed.text and "quoted" in parsed.text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# One\n\n## Two\n\n### Three\n\n###### Six", ["h3", "h4", "h4", "h4"]),
        ("### Sub\n\ntext\n\n#### Subsub\n\n### Sub", ["h3", "h4", "h3"]),
        ("#### Only", ["h3"]),
    ],
)
def test_headings_start_below_the_page_sections(
    small_document: GuideDocument, source: str, expected: list[str]
) -> None:
    # The top level of a text becomes h3, under the page's h2 sections; nothing skips.
    tags = [tag for tag, _ in Elements(render_markdown(source, small_document)).tags]
    assert [tag for tag in tags if tag.startswith("h")] == expected


def test_page_links_resolve_to_the_linked_page(small_document: GuideDocument) -> None:
    own = page_without_url(small_document)
    elsewhere = page_with_url(small_document)
    source = f"Read [this](page:{own.slug}) or [that](page:{elsewhere.slug})."
    first, second = Elements(render_markdown(source, small_document)).links()
    assert first["href"] == reverse("linked-page", args=[small_document.slug, own.slug])
    assert first["href"] == linked_page_url(small_document, own.slug)
    assert second["href"] == elsewhere.url


def test_unknown_page_links_become_plain_text(small_document: GuideDocument) -> None:
    source = "See [the **missing** page](page:no-such-page) today."
    html = render_markdown(source, small_document)
    parsed = Elements(html)
    assert parsed.links() == []
    assert "page:" not in html
    assert " ".join(parsed.text.split()) == "See the missing page today."
    assert "strong" in [tag for tag, _ in parsed.tags]


def test_raw_html_page_links_are_not_clickable(small_document: GuideDocument) -> None:
    own = page_without_url(small_document)
    links = Elements(render_markdown(f'<a href="page:{own.slug}">raw</a>', small_document)).links()
    assert all("href" not in link for link in links)


def test_external_links_get_noopener_noreferrer_and_internal_ones_do_not(
    small_document: GuideDocument,
) -> None:
    own = page_without_url(small_document)
    source = f"[out](https://example.org/a) [home](/guides/) [page](page:{own.slug})"
    outside, home, page = Elements(render_markdown(source, small_document)).links()
    assert outside["rel"] == "noopener noreferrer"
    assert "rel" not in home and "rel" not in page


@pytest.mark.parametrize(
    "address", ["//elsewhere.example/", "HTTPS://elsewhere.example/", "mailto:me@elsewhere.example"]
)
def test_every_address_that_leaves_the_site_gets_noopener(
    small_document: GuideDocument, address: str
) -> None:
    # Protocol-relative and upper-case schemes leave the site as surely as https:// does.
    (link,) = Elements(render_markdown(f"[x]({address})", small_document)).links()
    assert link["href"] == address
    assert link["rel"] == "noopener noreferrer"


def test_forged_rel_values_are_dropped(small_document: GuideDocument) -> None:
    source = '<a href="/x" rel="opener">x</a>'
    (link,) = Elements(render_markdown(source, small_document)).links()
    assert "rel" not in link


def test_links_follow_the_guide_they_are_rendered_for(small_document: GuideDocument) -> None:
    # The memo key includes the guide: the same text for another guide links there.
    own = page_without_url(small_document)
    other = small_document.model_copy(update={"slug": "another-guide"})
    source = f"[x](page:{own.slug})"
    (first,) = Elements(render_markdown(source, small_document)).links()
    (second,) = Elements(render_markdown(source, other)).links()
    assert first["href"] == reverse("linked-page", args=[small_document.slug, own.slug])
    assert second["href"] == reverse("linked-page", args=["another-guide", own.slug])


def test_empty_text_renders_nothing(small_document: GuideDocument) -> None:
    assert render_markdown("", small_document) == ""
    assert render_markdown("  \n ", small_document) == ""


def test_unknown_slug_has_no_url(small_document: GuideDocument) -> None:
    with pytest.raises(LookupError):
        linked_page_url(small_document, "no-such-page")


def test_filters_render_unescaped_html_and_urls(small_document: GuideDocument) -> None:
    page = page_with_url(small_document)
    template = engines["django"].from_string(
        "{% load guide_tags %}{{ text|markdown:doc }}|{{ doc|page_url:slug }}"
    )
    html = template.render({"text": "**hi** <b>", "doc": small_document, "slug": page.slug})
    body, url = html.split("|")
    assert "<strong>hi</strong>" in body
    assert "<b>" not in body
    assert url == page.url


def test_outcome_classes_follow_position_and_repeat(small_document: GuideDocument) -> None:
    outcomes = [
        small_document.outcomes[0].model_copy(update={"slug": f"o{n}"}) for n in range(1, 6)
    ]
    doc = small_document.model_copy(update={"outcomes": tuple(outcomes)})
    template = engines["django"].from_string(
        "{% load guide_tags %}{% for o in doc.outcomes %}{{ doc|outcome_class:o.slug }} "
        "{% endfor %}"
    )
    assert template.render({"doc": doc}).split() == [
        "outcome-1",
        "outcome-2",
        "outcome-3",
        "outcome-1",
        "outcome-2",
    ]


@settings(deadline=None)  # a busy CI machine must not turn slowness into a failure
@given(
    st.lists(
        st.sampled_from(
            [
                "<script>x()</script>",
                "<img src=x onerror=y()>",
                "[a](javascript:z())",
                "<a href='JaVaScRiPt:q()'>b</a>",
                '<svg onload="w()">',
                "**bold**",
                "\n\n",
                "[p](page:",
                "](page:zz)",
                "<iframe src=//evil>",
                "text & more <",
            ]
        ),
        max_size=8,
    ).map("".join)
)
def test_nothing_executable_survives_any_mix(source: str) -> None:
    doc = GuideDocument.model_validate(
        {
            "slug": "g",
            "title": "T",
            "summary": "S",
            "default_outcome": "a",
            "intro": "i",
            "right_page": "r",
            "wrong_page": "w",
            "shortcut": "s",
            "outcomes": [
                {
                    "slug": "a",
                    "name": "A",
                    "tagline": "t",
                    "best_for": ["b"],
                    "strengths": "s",
                    "tradeoffs": "t",
                    "failure_mode": "f",
                    "good_fit": "g",
                    "choose_if": "c",
                }
            ],
        }
    )
    parsed = Elements(render_markdown(source, doc))
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") for name in attrs)
        assert not (attrs.get("href") or "").lower().startswith(("javascript", "page:"))
