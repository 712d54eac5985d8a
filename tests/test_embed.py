"""Embed mode (issue 23): frame-ancestors, the frameless layout, the cookieless result
POST, oEmbed, allowed origins in the YAML, and the page cache kept apart."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import yaml
from django.core import signing
from django.test import Client
from django.urls import reverse

from decisionguide.decision.document import DocumentError
from decisionguide.decision.parsing import parse_document
from decisionguide.embed.tokens import TOKEN_FIELD
from decisionguide.guidefiles.loading import load_guide_file
from decisionguide.guidefiles.yaml_io import dump_guide_yaml
from decisionguide.questionnaire.state import State, check_url
from decisionguide.results.models import Result
from tests.conftest import SEED_FILE
from tests.security_headers import csp_directives
from tests.stored_results import FORM, read, scenario_answers

pytestmark = pytest.mark.django_db

HOST = "https://publisher.example"
OTHER_HOST = "http://localhost:8123"
SITE = "http://testserver"


@pytest.fixture
def embeddable(tmp_path: Path):
    """The seed guide, allowed on two publishers' sites."""
    data = yaml.safe_load(SEED_FILE.read_text())
    data["embed_origins"] = [HOST, OTHER_HOST]
    path = tmp_path / "embeddable.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return load_guide_file(path).guide


def frame_ancestors(response) -> list[str]:
    return csp_directives(response["Content-Security-Policy"])["frame-ancestors"]


def embed(url: str) -> str:
    return f"/embed{url}"


def check_page_url(doc) -> str:
    return check_url(doc, State(answers=scenario_answers(doc, 0)))


def test_embed_pages_name_exactly_the_allowed_origins(client: Client, embeddable):
    doc = embeddable.published_document()
    for url in (f"/guides/{doc.slug}/", f"/guides/{doc.slug}/questions/", check_page_url(doc)):
        response = client.get(embed(url), follow=True)
        assert response.status_code == 200
        assert frame_ancestors(response) == [HOST, OTHER_HOST]
        assert "X-Frame-Options" not in response
        # ... and the same page on the full site may be framed by no one.
        full = client.get(url, follow=True)
        assert frame_ancestors(full) == ["'none'"]
        assert full["X-Frame-Options"] == "DENY"


def test_the_embed_layout_keeps_its_links_in_the_frame_or_sends_them_to_the_top(
    client: Client, embeddable
):
    doc = embeddable.published_document()
    response = client.get(embed(f"/guides/{doc.slug}/questions/"), follow=True)
    html = response.content.decode()
    assert '<meta name="responsive-embedded-sizing" content="">' in html
    assert 'class="site-header"' not in html and 'class="site-footer"' not in html
    assert doc.title in html
    # The answer form stays in embed mode; the way out opens the full site in a new tab.
    assert re.search(rf'action="/embed/guides/{doc.slug}/questions/[\w-]+/answer/"', html)
    assert f'href="{SITE}/guides/{doc.slug}/questions/' in html
    assert 'target="_blank" rel="noopener"' in html
    assert "opens in a new tab" in html
    assert "csrftoken" not in response.cookies


def test_a_guide_without_allowed_origins_is_not_embeddable(client: Client, seed_guide):
    response = client.get(embed(f"/guides/{seed_guide.slug}/"))
    assert response.status_code == 403
    assert frame_ancestors(response) == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert "can't be shown here" in response.content.decode()


def test_the_admin_and_unknown_paths_are_not_under_embed(client: Client, embeddable):
    assert client.get("/embed/admin/").status_code == 404
    assert client.get("/embed/guides/no-such-guide/").status_code == 404


def embed_check_page(client: Client, doc):
    response = client.get(embed(check_page_url(doc)))
    assert response.status_code == 200
    assert not response.cookies  # no CSRF cookie: the form carries its own token
    return response


def post_form(client: Client, page, **headers):
    form = read(page).form("result-form")
    assert form is not None
    data = [(i["name"], i.get("value", "")) for i in form["inputs"] if i.get("name")]
    return client.post(form["action"], urlencode(data), content_type=FORM, **headers)


def test_an_embed_stores_a_result_without_any_cookie(embeddable):
    client = Client(enforce_csrf_checks=True)
    doc = embeddable.published_document()
    page = embed_check_page(client, doc)
    response = post_form(client, page, headers={"Origin": SITE})
    assert response.status_code == 303
    result = Result.objects.get()
    assert response["Location"] == embed(result.get_absolute_url())
    # Sent again (a double click): the same result, as on the full site.
    assert post_form(client, page, headers={"Origin": SITE})["Location"] == response["Location"]
    assert Result.objects.count() == 1
    # The result in the frame shares the full site's permalink and exports.
    shown = client.get(response["Location"]).content.decode()
    assert f'value="{SITE}{result.get_absolute_url()}"' in shown
    assert f'href="{reverse("result-json", args=[result.pk])}"' in shown
    assert frame_ancestors(client.get(response["Location"])) == [HOST, OTHER_HOST]


def test_sec_fetch_site_same_origin_stands_in_for_a_missing_origin(embeddable):
    client = Client(enforce_csrf_checks=True)
    page = embed_check_page(client, embeddable.published_document())
    response = post_form(client, page, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303 and Result.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {},  # no Origin and no Sec-Fetch-Site
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_post_from_elsewhere_is_refused_and_stores_nothing(embeddable, headers):
    client = Client(enforce_csrf_checks=True)
    page = embed_check_page(client, embeddable.published_document())
    response = post_form(client, page, headers=headers)
    assert response.status_code == 403
    assert "Your answers were not sent" in response.content.decode()
    assert not Result.objects.exists()


def test_a_bad_or_expired_token_is_refused(embeddable, monkeypatch):
    client = Client(enforce_csrf_checks=True)
    doc = embeddable.published_document()
    page = embed_check_page(client, doc)
    action = read(page).form("result-form")["action"]
    answers = urlencode(State(answers=scenario_answers(doc, 0)).params())
    forged = client.post(
        action, f"{answers}&{TOKEN_FIELD}=x:y:z", content_type=FORM, headers={"Origin": SITE}
    )
    assert forged.status_code == 403
    # A token signed for another guide is no good here either.
    other = signing.TimestampSigner(salt="decisionguide.embed.form-token").sign("other:" + "a" * 64)
    wrong = client.post(
        action,
        f"{answers}&{TOKEN_FIELD}={quote(other)}",
        content_type=FORM,
        headers={"Origin": SITE},
    )
    assert wrong.status_code == 403
    monkeypatch.setattr("decisionguide.embed.tokens.MAX_AGE_SECONDS", -1)
    expired = post_form(client, page, headers={"Origin": SITE})
    assert expired.status_code == 403
    assert "too old" in expired.content.decode()
    assert not Result.objects.exists()


def test_the_full_site_post_still_needs_its_csrf_token(embeddable):
    client = Client(enforce_csrf_checks=True)
    page = embed_check_page(client, embeddable.published_document())
    form = read(page).form("result-form")
    full_action = form["action"].removeprefix("/embed")
    data = [(i["name"], i.get("value", "")) for i in form["inputs"] if i.get("name")]
    origin = {"Origin": SITE}
    response = client.post(full_action, urlencode(data), content_type=FORM, headers=origin)
    assert response.status_code == 403
    assert not Result.objects.exists()


def test_embed_and_full_pages_are_cached_apart(client: Client, embeddable):
    doc = embeddable.published_document()
    url = f"/guides/{doc.slug}/questions/{doc.questions[0].slug}/"
    for _ in range(2):  # the second round comes from the cache
        full = client.get(url).content.decode()
        framed = client.get(embed(url)).content.decode()
        assert 'class="site-header"' in full and "responsive-embedded-sizing" not in full
        assert "responsive-embedded-sizing" in framed and 'class="site-header"' not in framed


def test_oembed_returns_the_snippet_and_the_guide_page_links_to_it(client: Client, embeddable):
    doc = embeddable.published_document()
    page_url = f"{SITE}/guides/{doc.slug}/"
    guide_page = client.get(f"/guides/{doc.slug}/").content.decode()
    discovery = r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"'
    link = re.search(discovery, guide_page)
    assert link is not None and link.group(1).startswith(f"{SITE}/oembed?")
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["type"] == "rich" and data["version"] == "1.0"
    assert data["title"] == doc.title
    assert f'src="{SITE}/embed/guides/{doc.slug}/questions/"' in data["html"]
    assert f'<script src="{SITE}/static/embed-host.js" async></script>' in data["html"]
    assert client.get("/oembed", {"url": page_url, "maxwidth": "300"}).json()["width"] == 300
    assert client.get("/oembed", {"url": page_url, "format": "xml"}).status_code == 501
    assert client.get("/oembed", {"url": "not a url at all"}).status_code == 400
    assert client.get("/oembed", {"url": "https://elsewhere.example/guides/x/"}).status_code == 400
    assert client.get("/oembed", {"url": f"{SITE}/guides/no-such/"}).status_code == 404


def test_a_french_pages_oembed_embeds_the_french_questionnaire(client: Client, embeddable):
    slug = embeddable.slug
    french_page = client.get(f"/fr/guides/{slug}/").content.decode()
    link = re.search(r'type="application/json\+oembed" href="([^"]+)"', french_page)
    assert link is not None
    data = client.get(link.group(1).replace("&amp;", "&")).json()
    frame = re.search(r'src="([^"]+)"', data["html"])
    assert frame is not None and frame.group(1) == f"{SITE}/embed/fr/guides/{slug}/questions/"
    framed = client.get(frame.group(1).removeprefix(SITE), follow=True)
    assert framed.status_code == 200 and 'lang="fr"' in framed.content.decode()


def test_a_guide_without_origins_offers_no_oembed(client: Client, seed_guide):
    page = client.get(f"/guides/{seed_guide.slug}/").content.decode()
    assert "json+oembed" not in page
    url = f"{SITE}/guides/{seed_guide.slug}/"
    assert client.get("/oembed", {"url": url}).status_code == 404


def test_allowed_origins_survive_the_yaml_round_trip(embeddable):
    text = dump_guide_yaml(embeddable)
    assert yaml.safe_load(text)["embed_origins"] == [HOST, OTHER_HOST]
    assert parse_document(yaml.safe_load(text)).embed_origins == (HOST, OTHER_HOST)


@pytest.mark.parametrize(
    "origin",
    ["https://example.com/path", "https://*.example.com", "ftp://example.com", "example.com", "*"],
)
def test_an_origin_that_is_not_one_is_refused(seed_document, origin):
    data = seed_document.to_data() | {"embed_origins": [origin]}
    with pytest.raises(DocumentError, match="embed_origins"):
        parse_document(data)


def test_only_the_host_script_may_be_loaded_by_other_sites(client: Client):
    script = client.get("/static/embed-host.js")
    assert script.status_code == 200
    assert script["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert len(b"".join(script.streaming_content)) < 1024
    assert client.get("/static/css/site.css")["Cross-Origin-Resource-Policy"] == "same-origin"


def test_the_guide_admin_page_shows_the_code_and_previews_it(editor_client: Client, embeddable):
    page = editor_client.get(reverse("admin:guides_guide_change", args=[embeddable.pk]))
    html = page.content.decode()
    assert "Show this guide on other sites" in html
    assert f"on: {HOST}, {OTHER_HOST}." in html
    assert f"src=&quot;{SITE}/embed/guides/{embeddable.slug}/questions/&quot;" in html  # escaped
    assert 'data-copy-from="embed-snippet"' in html
    assert html.count(f'src="/embed/guides/{embeddable.slug}/questions/"') == 2  # phone, desktop
    # The preview frames are our own page: for a signed-in editor, 'self' may frame it too.
    framed = editor_client.get(embed(f"/guides/{embeddable.slug}/questions/"), follow=True)
    assert frame_ancestors(framed) == [HOST, OTHER_HOST, "'self'"]


def test_the_dashboard_says_which_guides_are_embeddable(editor_client: Client, embeddable):
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert f"yes, on {HOST}, {OTHER_HOST}" in html


def test_analytics_tell_embedded_visits_from_direct_ones_by_site(editor_client: Client, embeddable):
    from decisionguide.analytics import counting as analytics
    from decisionguide.analytics.models import AnswerCounter

    client = Client()  # a visitor: an editor's own previews are not counted

    start = f"/guides/{embeddable.slug}/questions/"

    def visit(url: str, **headers: str) -> None:
        # The start redirects to the first question, where a visit starts (a cached
        # redirect has no `.url` for the client's follow=True).
        client.get(client.get(url, headers=headers)["Location"], headers=headers)

    visit(embed(start), Referer=f"{HOST}/2026/an-article/")
    visit(embed(start), Referer=f"{HOST}/another-article/")
    visit(embed(f"{start}?host={quote(OTHER_HOST)}"))
    visit(embed(start), Referer="https://not-listed.example/")
    visit(start)  # a direct visit
    analytics.buffer.flush()
    rows = AnswerCounter.objects.filter(kind=AnswerCounter.Kind.EMBEDDED)
    assert {row.choice: row.count for row in rows} == {HOST: 2, OTHER_HOST: 1, "": 1}
    page = editor_client.get(reverse("admin:guides_guide_analytics", args=[embeddable.pk]))
    html = page.content.decode()
    assert f"Inside {HOST}</th><td>2</td>" in html
    assert "On this site</th><td>1</td>" in html  # 5 visits started, 4 inside frames


def test_an_overlong_origin_is_refused(seed_document):
    long_origin = "https://" + "a" * 60 + ".example"
    with pytest.raises(DocumentError, match="at most 64"):
        parse_document(seed_document.to_data() | {"embed_origins": [long_origin]})


def test_links_leaving_the_guide_open_on_the_full_site_in_the_top_window(
    client: Client, embeddable
):
    doc = embeddable.published_document()
    html = client.get(embed(f"/guides/{doc.slug}/")).content.decode()
    page = doc.linked_pages[0]
    response = client.get(embed(f"/guides/{doc.slug}/"))
    assert int(response["Content-Length"]) == len(response.content)  # counted after the rewrite
    assert f'<a target="_top" href="/guides/{doc.slug}/pages/{page.slug}/">' in html
    assert f'href="/embed/guides/{doc.slug}/pages/' not in html
    # The questionnaire stays in the frame.
    assert f'href="/embed/guides/{doc.slug}/questions/"' in html


def test_the_page_cache_key_names_embed_mode(rf):
    from decisionguide.pagecache import page_key

    request = rf.get("/guides/x/questions/")
    full = page_key(request, "1.stamp")
    request.embedded = True
    assert page_key(request, "1.stamp") != full


def test_without_javascript_each_answer_leads_to_the_next_embed_page(client: Client, embeddable):
    doc = embeddable.published_document()
    question = doc.questions[0]
    choice = next(c for c in question.choices if c.route is None)
    answer = f"/guides/{doc.slug}/questions/{question.slug}/answer/?{question.slug}={choice.slug}"
    response = client.get(embed(answer))
    assert response.status_code == 303
    assert response["Location"].startswith(f"/embed/guides/{doc.slug}/")
    assert frame_ancestors(client.get(response["Location"])) == [HOST, OTHER_HOST]


def test_embed_pages_point_search_engines_at_the_full_site_page(client: Client, embeddable):
    # Listed once, under the full site's address: a canonical link, not noindex, so a
    # publisher's page that frames the guide does not hide the guide from search.
    doc = embeddable.published_document()
    for url in (f"/guides/{doc.slug}/", check_page_url(doc)):
        html = client.get(embed(url)).content.decode()
        canonical = re.findall(r'<link rel="canonical" href="([^"]*)">', html)
        assert canonical == [f"{SITE}{url}".replace("&", "&amp;")], url
        assert 'name="robots"' not in html
