"""Fuzzed requests against every public URL: never a 5xx, always the security headers.

Hypothesis picks a method, one of the site's public URL patterns filled with
real or junk values, a query string, headers (Content-Type with odd
charsets, well-formed and malformed CSRF cookies, refused hosts, HTMX,
forwarded scheme) and a body, and sends it through Django's test client
with production settings: DEBUG off, HTTPS redirect behind a trusted proxy,
CSRF checks on. Derandomized, so every run sends the same requests.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
from django.urls import LocalePrefixPattern, URLPattern
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from decisionguide import urls
from decisionguide.content.models import Guide
from decisionguide.content.preview import make_review_token
from tests.answers import stored_result_url

pytestmark = pytest.mark.django_db

EXAMPLES = 400
HOST = "guide.example.com"
# Every response is counted here; the last test prints and checks the totals.
SENT: Counter[str] = Counter()


def public_patterns() -> list[tuple[str, URLPattern]]:
    """(language prefix, pattern) for every public page: the ones i18n_patterns wraps come
    once per language, unprefixed for the default (English) and under each other's code."""
    prefixes = [
        "" if code == settings.LANGUAGE_CODE else f"{code}/" for code, _ in settings.LANGUAGES
    ]
    found: list[tuple[str, URLPattern]] = []
    for entry in urls.urlpatterns:
        if isinstance(entry, URLPattern):
            found.append(("", entry))
        elif isinstance(entry.pattern, LocalePrefixPattern):
            found += [(prefix, page) for page in entry.url_patterns for prefix in prefixes]
    return found


PUBLIC_PATTERNS = public_patterns()
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")

JUNK_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=40
)
JUNK_SEGMENTS = st.one_of(
    st.sampled_from(
        ["..", ".", "%", "%00", "%ZZ", "%2e%2e", "a" * 300, "UPPER", "x.json", "%C0%AF", "-"]
    ),
    JUNK_TEXT.map(lambda text: quote(text, safe="")),
)
CHARSETS = ["utf-8", "latin-1", "utf-16", "iso-8859-15", "ascii", "no-such-charset", '"', ""]
CONTENT_TYPES = st.one_of(
    st.sampled_from(CHARSETS).map(lambda c: f"application/x-www-form-urlencoded; charset={c}"),
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=xyz",
            "application/json",
            "text/plain; charset=utf-16",
            "",
            "garbage/\x7f",
        ]
    ),
)
CSRF_VALUES = st.one_of(
    st.text(alphabet="ABCDEFabcdef0123456789", min_size=32, max_size=32),
    st.text(alphabet="ABCDEFabcdef0123456789", min_size=64, max_size=64),
    # Header values reach WSGI as latin-1 text, whatever bytes the client sent.
    st.text(alphabet=st.characters(codec="latin-1"), min_size=0, max_size=70),
)
COOKIES = st.one_of(
    st.none(),
    CSRF_VALUES.map(lambda token: f"{settings.CSRF_COOKIE_NAME}={token}"),
    st.sampled_from(["sessionid=junk", "csrftoken", "=;=;", "csrftoken=\x00"]),
)
# Mostly the site's own host, so most requests get past the host check.
HOSTS = st.one_of(
    st.just(HOST),
    st.just(HOST),
    st.sampled_from(["attacker.example", "", "a" * 300, "[::1]", f"{HOST}:99999", "ü.example"]),
)
BODIES = st.one_of(
    st.binary(max_size=300),
    st.lists(st.tuples(JUNK_TEXT, JUNK_TEXT), max_size=6).map(lambda pairs: urlencode(pairs)),
    st.just(b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\nb\r\n--xyz--\r\n"),
)
METHODS = st.sampled_from(["GET", "GET", "HEAD", "POST", "POST", "PUT", "DELETE", "OPTIONS"])


def parameter_values(guide: Guide, result_id: str) -> dict[str, st.SearchStrategy[str]]:
    """Real values for each URL parameter of the site, mixed with junk."""
    doc = guide.published_document()
    real = {
        "slug": [doc.slug],
        "question_slug": [q.slug for q in doc.questions],
        "page_slug": [p.slug for p in doc.linked_pages],
        "result_id": [result_id],
        # A reviewer link's token: a real one (it opens the draft) and a stale one.
        "token": [
            make_review_token(guide.pk, guide.review_links, timezone.now() + dt.timedelta(days=1)),
            make_review_token(guide.pk, guide.review_links + 1, timezone.now()),
        ],
    }
    return {
        name: st.one_of(st.sampled_from(values), st.sampled_from(values), JUNK_SEGMENTS)
        for name, values in real.items()
    }


def query_strings(guide: Guide) -> st.SearchStrategy[str]:
    doc = guide.published_document()
    keys = [q.slug for q in doc.questions] + [f"{q.slug}_text" for q in doc.questions]
    keys += ["return", "preview", "page"]
    values = [c.slug for q in doc.questions for c in q.choices] + ["check", "draft", ""]
    pair = st.tuples(
        st.one_of(st.sampled_from(keys), JUNK_TEXT), st.one_of(st.sampled_from(values), JUNK_TEXT)
    )
    return st.lists(pair, max_size=8).map(urlencode)


def fill(prefix: str, pattern: URLPattern, values: dict[str, str]) -> str:
    return f"/{prefix}" + PARAMETER.sub(lambda m: values[m.group(1)], str(pattern.pattern))


@st.composite
def requests(draw, guide: Guide, result_id: str) -> dict:
    parameters = parameter_values(guide, result_id)
    drawn = draw(st.sampled_from([*PUBLIC_PATTERNS, None]))
    if drawn is None:  # a path no pattern has, the admin's login, or a static file
        path = draw(
            st.sampled_from(
                [f"/{settings.ADMIN_PATH}/login/", "/static/css/site.css", "/nope/", "/r/"]
            )
        )
    else:
        prefix, pattern = drawn
        needed = PARAMETER.findall(str(pattern.pattern))
        path = fill(prefix, pattern, {name: draw(parameters[name]) for name in needed})
    headers = {"Host": draw(HOSTS)}
    for name, value in [
        ("Cookie", draw(COOKIES)),
        ("HX-Request", draw(st.sampled_from([None, "true", "false"]))),
        ("X-Forwarded-Proto", draw(st.sampled_from(["https", "https", "https", "http", None]))),
        ("Origin", draw(st.sampled_from([None, f"https://{HOST}", "https://evil.example"]))),
        ("Referer", draw(st.sampled_from([None, f"https://{HOST}/", "nonsense"]))),
        ("Accept-Encoding", draw(st.sampled_from([None, "gzip", "br", "*"]))),
        ("If-None-Match", draw(st.sampled_from([None, '"x"', "*", "W/"]))),
    ]:
        if value is not None:
            headers[name] = value
    return {
        "method": draw(METHODS),
        "path": f"{path}?{draw(query_strings(guide))}",
        "content_type": draw(CONTENT_TYPES),
        "body": draw(BODIES),
        "headers": headers,
    }


def assert_headers(response, request: dict) -> None:
    where = f"{request['method']} {request['path'][:80]} -> {response.status_code}"
    assert "frame-ancestors 'none'" in response.get("Content-Security-Policy", ""), where
    assert response.get("X-Frame-Options") == "DENY", where
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("Referrer-Policy") == "same-origin", where


@pytest.fixture
def site(seed_guide: Guide) -> tuple[Guide, str]:
    url = stored_result_url(Client(), seed_guide)
    return seed_guide, url.strip("/").split("/")[-1]


def test_every_public_url_pattern_can_be_filled(site):
    # A new public URL is fuzzed as soon as it is added; a new parameter needs values here.
    names = {p.name for _, p in PUBLIC_PATTERNS}
    # Every page in every language: /fr/ pages are fuzzed as the English ones are.
    assert {prefix for prefix, p in PUBLIC_PATTERNS if p.name == "guide-detail"} >= {"", "fr/"}
    assert {"index", "guide-detail", "questionnaire-check", "result-create", "healthz"} <= names
    known = set(parameter_values(*site))
    for _, pattern in PUBLIC_PATTERNS:
        assert set(PARAMETER.findall(str(pattern.pattern))) <= known, pattern


def test_fuzzed_requests_get_no_5xx_and_every_security_header(site):
    guide, result_id = site
    production = override_settings(
        DEBUG=False,
        ALLOWED_HOSTS=[HOST],
        SECURE_SSL_REDIRECT=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        DECISIONGUIDE_RESULTS_PER_HOUR=10_000,
    )

    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(request=requests(guide, result_id))
    def send(request: dict) -> None:
        client.cookies.clear()  # each request carries only the cookie it was given
        response = client.generic(
            request["method"],
            request["path"],
            request["body"],
            content_type=request["content_type"],
            headers=request["headers"],
        )
        SENT["requests"] += 1
        SENT[f"{response.status_code // 100}xx"] += 1
        SENT[str(response.status_code)] += 1
        assert response.status_code < 500, (request, response.content[:500])
        assert_headers(response, request)

    SENT.clear()
    with production:
        # One client: loading the middleware (whitenoise indexes every static file) is slow.
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        send()
    print(f"\nfuzz: {SENT['requests']} requests, by class {dict(sorted(SENT.items()))}")
    assert SENT["requests"] >= EXAMPLES
    assert SENT["5xx"] == 0
    # The requests reached the site, not only its refusals.
    assert SENT["2xx"] > 20 and SENT["4xx"] > 20 and SENT["3xx"] > 20
