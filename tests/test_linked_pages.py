"""Linked pages' addresses: only absolute http(s) or single-slash site paths, and links to
other sites carry rel="noopener noreferrer"."""

from __future__ import annotations

import copy
import io
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide, GuideVersion, LinkedPage
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.decision.parsing import parse_document
from decisionguide.guides.markdown import is_safe_page_url, linked_page_url, render_markdown
from decisionguide.pagecache import GuidePage
from tests.answers import routed_answers, with_query

pytestmark = pytest.mark.django_db

REFUSED = {
    "protocol-relative": "//elsewhere.example/x",
    "backslash after the slash": "/\\elsewhere.example/x",
    "two backslashes": "\\\\elsewhere.example\\x",
    "backslash in the path": "/guides/\\elsewhere.example",
    "javascript": "javascript:alert(1)",
    "data": "data:text/html,hi",
    "no host": "https:///elsewhere.example",
    "backslashed scheme": "https:\\\\elsewhere.example",
    "space": "/some page",
    "leading space": " /page",
    "tab": "/page\t",
    "newline at the end": "/page\n",
    "control character": "/pa\x00ge",
    "line separator": "/page\u2028",
    "empty host with a user": "https://@elsewhere.example",
    "relative": "page.html",
}
ALLOWED = ["https://example.org/x?y=1#z", "http://example.org", "/", "/guides/x/", "/a?b=c"]


def with_url(doc: GuideDocument, url: str) -> dict[str, Any]:
    data = copy.deepcopy(doc.to_data())
    data["linked_pages"][0]["url"] = url
    return data


@pytest.mark.parametrize("url", REFUSED.values(), ids=REFUSED.keys())
def test_documents_refuse_addresses_that_could_leave_the_site_unannounced(
    small_document: GuideDocument, url: str
) -> None:
    with pytest.raises(DocumentError) as excinfo:
        parse_document(with_url(small_document, url))
    assert excinfo.value.path == "linked_pages[0].url"
    assert "is not an address a linked page may have" in excinfo.value.message
    assert not is_safe_page_url(url)


@pytest.mark.parametrize("url", REFUSED.values(), ids=REFUSED.keys())
def test_the_admin_field_refuses_them_too(url: str) -> None:
    field = LinkedPage._meta.get_field("url")
    with pytest.raises(ValidationError):
        field.run_validators(url)


@pytest.mark.parametrize("url", ALLOWED)
def test_absolute_http_addresses_and_site_paths_pass(
    small_document: GuideDocument, url: str
) -> None:
    doc = parse_document(with_url(small_document, url))
    assert doc.linked_pages[0].url == url
    LinkedPage._meta.get_field("url").run_validators(url)
    assert is_safe_page_url(url)
    assert linked_page_url(doc, doc.linked_pages[0].slug) == url


def test_loadguide_names_the_refused_address(small_document: GuideDocument, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(with_url(small_document, "//elsewhere.example/x")))
    with pytest.raises(CommandError, match=r"linked_pages\[0\]\.url: '//elsewhere\.example/x'"):
        call_command("loadguide", str(bad), stdout=io.StringIO())
    assert not Guide.objects.exists()


def unsafe_copy(doc: GuideDocument, url: str) -> GuideDocument:
    """A document holding an address the schema refuses, as a hand-edited row could."""
    page = doc.linked_pages[1].model_copy(update={"url": url})
    return doc.model_copy(update={"linked_pages": (doc.linked_pages[0], page)})


def test_the_redirect_checks_the_address_again(
    client: Client, small_guide: Guide, small_document: GuideDocument, monkeypatch
) -> None:
    page = small_document.linked_pages[1]
    url = reverse("linked-page", args=[small_guide.slug, page.slug])
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, page.url)
    # A document that slipped past the pattern: the page on this site, not a redirect.
    doc = unsafe_copy(small_document, "//elsewhere.example/x")
    monkeypatch.setattr(GuidePage, "document", property(lambda page: doc))
    response = client.get(url)
    assert response.status_code == 200
    assert page.title in response.content.decode()
    assert linked_page_url(doc, page.slug) == url
    markdown = str(render_markdown(f"[x](page:{page.slug})", doc))
    assert "elsewhere" not in markdown and f'href="{url}"' in markdown


def test_unsafe_addresses_leave_frozen_versions_when_migrating(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    from importlib import import_module

    migration = import_module("decisionguide.content.migrations.0008_content_limits")
    data = with_url(small_document, "/\\elsewhere.example/x")
    data["linked_pages"][1]["url"] = "https://example.org/kept"
    old = GuideVersion.objects.create(guide=small_guide, version=99, document=data)
    migration.drop_unsafe_urls_from_frozen_versions(apps, None)
    pages = GuideVersion.objects.get(pk=old.pk).document["linked_pages"]
    assert "url" not in pages[0]
    assert pages[1]["url"] == "https://example.org/kept"
    assert GuideVersion.objects.get(version=1).document == small_document.to_data()


# ---------------------------------------------------------------------------
# rel on links to other sites


class Links(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[dict[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.found.append({name: value or "" for name, value in attrs})

    def to(self, href: str) -> list[dict[str, str]]:
        return [link for link in self.found if link.get("href") == href]


def assert_external_links_safe(html: str, external: str, internal: str) -> None:
    links = Links(html)
    assert links.to(external), f"no link to {external}"
    assert all(link.get("rel") == "noopener noreferrer" for link in links.to(external))
    assert all("rel" not in link for link in links.to(internal))


def test_guide_page_links_other_sites_with_noopener_noreferrer(
    client: Client, small_guide: Guide, small_document: GuideDocument
) -> None:
    own, other = small_document.linked_pages
    html = client.get(small_guide.get_absolute_url()).content.decode()
    assert_external_links_safe(html, other.url, linked_page_url(small_document, own.slug))


def test_route_and_result_pages_link_other_sites_with_noopener_noreferrer(
    client: Client, small_guide: Guide, small_document: GuideDocument
) -> None:
    routed = routed_answers(small_document)
    route = client.get(with_query(reverse("questionnaire-route", args=[small_guide.slug]), routed))
    other = small_document.linked_pages[1]
    assert_external_links_safe(route.content.decode(), other.url, "")
    # The studio app's outcome lists both pages under "Read next".
    answers = dict(small_document.scenarios[0].answers) | {"helpers": "no-one"}
    result = client.get(
        with_query(reverse("questionnaire-result", args=[small_guide.slug]), answers)
    )
    own = small_document.linked_pages[0]
    assert result.status_code == 200
    assert_external_links_safe(
        result.content.decode(), other.url, linked_page_url(small_document, own.slug)
    )
