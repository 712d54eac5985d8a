"""A draft preview stays a draft preview: every link to the guide's own pages keeps it.

Including linked pages that exist only in the draft, which visitors can't reach
(404) and which show the draft banner to staff.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide, LinkedPage
from decisionguide.publishing.drafts import record_edit

pytestmark = pytest.mark.django_db

NEW_PAGE = "draft-only-page"


@pytest.fixture
def drafted(small_guide: Guide) -> Guide:
    """The small guide with a linked page added in the draft, linked from its intro."""
    LinkedPage.objects.create(
        guide=small_guide,
        slug=NEW_PAGE,
        title="A page added in the draft",
        summary="Only in the draft so far.",
        when="When you want to see a draft-only page.",
        order=99,
    )
    Guide.objects.filter(pk=small_guide.pk).update(
        intro=small_guide.intro + f"\n\nSee [the new page](page:{NEW_PAGE})."
    )
    record_edit(Guide.objects.get(pk=small_guide.pk))
    return Guide.objects.get(pk=small_guide.pk)


def own_links(html: str, guide: Guide) -> list[str]:
    """Every href on the page that leads to one of this guide's own pages."""
    prefix = reverse("guide-detail", args=[guide.slug])
    hrefs = [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)]
    return [href for href in hrefs if urlsplit(href).path.startswith(prefix)]


def in_preview(href: str) -> bool:
    return parse_qs(urlsplit(href).query).get("preview") == ["draft"]


def test_every_link_on_the_draft_guide_page_keeps_the_preview(
    drafted: Guide, editor_client: Client
) -> None:
    page = editor_client.get(drafted.get_absolute_url(), {"preview": "draft"})
    links = own_links(page.content.decode(), drafted)
    new_page_url = reverse("linked-page", args=[drafted.slug, NEW_PAGE])
    assert any(urlsplit(link).path == new_page_url for link in links)
    assert [link for link in links if not in_preview(link)] == []


def test_a_draft_only_linked_page_shows_with_its_banner_and_links_back_into_the_preview(
    drafted: Guide, editor_client: Client
) -> None:
    url = reverse("linked-page", args=[drafted.slug, NEW_PAGE])
    assert Client().get(url).status_code == 404  # visitors: not published yet
    assert editor_client.get(url).status_code == 404  # staff, outside the preview: the same

    page = editor_client.get(url, {"preview": "draft"})

    html = page.content.decode()
    assert page.status_code == 200 and "A page added in the draft" in html
    assert "Draft preview." in html
    back = own_links(html, drafted)
    assert back and all(in_preview(link) for link in back)


def test_visitors_links_carry_no_preview(small_guide: Guide) -> None:
    html = Client().get(small_guide.get_absolute_url()).content.decode()
    assert own_links(html, small_guide)
    assert not any(in_preview(link) for link in own_links(html, small_guide))
