"""Pages are gzipped for browsers that ask (Django's GZipMiddleware), BREACH considered.

Lighthouse's text-compression audit failed on the guide page (33 KB sent as
it is). The random padding GZipMiddleware adds and the CSRF token masked
afresh for every response mean no two compressed pages repeat a secret.
"""

from __future__ import annotations

import gzip
import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from tests.answers import complete_answers, stored_result_url

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_pages_are_gzipped_only_for_browsers_that_ask(client, seed_guide):
    url = reverse("guide-detail", args=[seed_guide.slug])
    plain = client.get(url)
    packed = client.get(url, **GZIP)
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) * 3 < len(plain.content)


def test_a_replayed_page_gets_a_fresh_token_and_fresh_padding(client, seed_guide):
    doc = seed_guide.published_document()
    url = f"{reverse('questionnaire-check', args=[doc.slug])}?{urlencode(complete_answers(doc))}"
    first, second = (Client().get(url, **GZIP) for _ in range(2))  # the second is a replay
    pages = [gzip.decompress(response.content) for response in (first, second)]
    tokens = [TOKEN.search(page).group(1) for page in pages]
    assert tokens[0] != tokens[1]
    assert TOKEN.sub(b"", pages[0]) == TOKEN.sub(b"", pages[1])
    # The gzip header carries a random-length file name (Django's BREACH padding).
    assert first.content[3] & 0x08 and second.content[3] & 0x08


def test_a_compressed_permalink_still_answers_304_to_its_etag(client, seed_guide):
    url = stored_result_url(client, seed_guide)
    packed = Client().get(url, **GZIP)
    assert packed["Content-Encoding"] == "gzip"
    etag = packed["ETag"]
    assert etag.startswith('W/"')  # a compressed body is only weakly the same
    again = Client().get(url, HTTP_IF_NONE_MATCH=etag, **GZIP)
    assert again.status_code == 304
