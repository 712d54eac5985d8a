"""Crafted posts to every admin page of the guides app: never a 5xx, nothing changed on a refusal.

Every URL the guides app's model admins serve (Django's add, change, list,
history and delete pages, the guide's own tools, the reorder endpoints) is
asked for as a signed-in editor: with junk query strings, with junk ids in
the path (words, negative and huge numbers, NUL), and, for each form a page
offers, with the form posted back broken in one way at a time (junk text,
huge and negative numbers, unknown choices, missing or junk management
fields, NUL bytes, over-long values, undecodable bytes). An answer that is not
a redirect (the form shown again, a 4xx) must leave every guide as it was.
Derandomized: every run sends the same requests (issue 25, item 8).
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from decisionguide.content.models import Guide, GuideVersion
from tests.admin_forms import Form, FormReader, state

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
JUNK_IDS = ["abc", "-1", "99999999999999999999", "1.5", "%00", "0", "1%2F..%2F2"]
JUNK_TEXTS = [
    "<script>alert(1)</script>",
    "'; DROP TABLE guides_guide; --",
    "ünïcödé ✓ 🙂",
    "{{ 7|add:7 }}",
    "-",
    " ",
]
HUGE = "9" * 30
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
# Fields every tool's POST reads, for pages that show no form of their own on a GET.
GENERIC = [("version", "1"), ("note", "x"), ("action", "make"), ("days", "7"), ("q", "x")]
SENT: Counter[int] = Counter()
# Each form gets this many of the ways to break it, in turn, so that every way reaches many
# forms and CI stays short; ADMIN_FUZZ_ALL=1 sends every way to every form (minutes).
KINDS_PER_FORM = 99 if os.environ.get("ADMIN_FUZZ_ALL") else 1


def routes(guide: Guide) -> list[tuple[str, str]]:
    """(URL template with {name} holes, view name) for every URL of the guides app's admins."""
    found = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "guides":
            continue
        base = f"/admin/guides/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern)
            if "(" in route or "^" in route:
                continue  # no regex routes in this admin; skip anything unexpected
            found.append((base + PARAMETER.sub(lambda m: "{" + m.group(2) + "}", route), model))
    # Deleting pages goes last: the rows must still be there for the other pages.
    return sorted(found, key=lambda r: ("/delete/" in r[0], r[1] is Guide))


def real_values(guide: Guide, model: type) -> dict[str, str]:
    if model is Guide:
        obj: object = guide
    elif model is GuideVersion:
        obj = guide.versions.first()
    else:
        field = "question__guide" if model._meta.model_name == "choice" else "guide"
        obj = model.objects.filter(**{field: guide}).first()
    pk = getattr(obj, "pk", None) or 1
    return {
        "object_id": str(pk),
        "guide_id": str(guide.pk),
        "version": str(guide.version),
        "number": "1",
        "language": "fr",
    }


def snapshot() -> tuple:
    """Every guide's version and listing, the frozen versions, and the test guide's rows."""
    guides = tuple(Guide.objects.order_by("pk").values_list("pk", "version", "is_published"))
    first = Guide.objects.order_by("pk").first()
    return guides, GuideVersion.objects.count(), state(first) if first else None


def check(response, before: tuple, what: str) -> None:
    SENT[response.status_code] += 1
    assert response.status_code < 500, what
    if response.status_code not in (301, 302, 303):
        assert snapshot() == before, f"{what}: refused ({response.status_code}) but changed"


def page_form(client: Client, url: str, form_id: str | None) -> Form | None:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return None
    reader = FormReader(form_id)
    reader.feed(response.content.decode())
    return Form(reader.fields, reader.textareas) if reader.fields else None


def numeric(value: str) -> bool:
    return value.lstrip("-").isdigit()


def broken(fields: list[tuple[str, str]], rng: random.Random) -> Iterator[tuple[str, object]]:
    """The form's fields, broken one way at a time: (what, data for client.post)."""

    def each(change: Callable[[str, str], str]) -> dict[str, list[str]]:
        data: dict[str, list[str]] = {}
        for key, value in fields:
            data.setdefault(key, []).append(change(key, value))
        return data

    yield "junk text", each(lambda k, v: v if k.endswith(MANAGEMENT) else rng.choice(JUNK_TEXTS))
    yield "huge numbers", each(lambda k, v: HUGE if numeric(v) else v)
    yield "negative numbers", each(lambda k, v: f"-{v}" if numeric(v) else v)
    yield "unknown choices", each(lambda k, v: "99999" if numeric(v) else v + "-no-such")
    yield (
        "no management form",
        {k: v for k, v in each(lambda k, v: v).items() if not k.endswith(MANAGEMENT)},
    )
    yield (
        "junk management form",
        each(lambda k, v: rng.choice(["x", "-1", HUGE, "1001"]) if k.endswith(MANAGEMENT) else v),
    )
    yield "NUL bytes", each(lambda k, v: f"{v}\x00")
    yield "over-long values", each(lambda k, v: v if k.endswith(MANAGEMENT) else v + "x" * 20_000)
    yield "empty values", each(lambda k, v: "")


def fill(template: str, values: dict[str, str]) -> str:
    return template.format(**values)


def test_no_admin_page_answers_500_to_crafted_requests(
    editor_client: Client, small_guide: Guide
) -> None:
    client = editor_client
    rng = random.Random(25)
    turn = 0
    for template, model in routes(small_guide):
        values = real_values(small_guide, model)
        url = fill(template, values)
        # Junk query strings on the real URL.
        junk_query = {
            "q": rng.choice(JUNK_TEXTS),
            "version": HUGE,
            "o": "x.-9",
            "guide": "abc",
            "doc": "published",
            "guide__id__exact": "-1",
            "p": HUGE,
            "days": "-3",
        }
        before = snapshot()
        check(client.get(f"{url}?{urlencode(junk_query)}"), before, f"GET {url} junk query")
        # Junk ids in the path.
        for name in PARAMETER.findall(template.replace("{", "<").replace("}", ">")):
            junk = JUNK_IDS[turn % len(JUNK_IDS)]
            turn += 1
            bad = fill(template, {**values, name[1]: junk})
            check(client.get(bad), before, f"GET {bad}")
            check(client.post(bad, {"post": "yes", "version": "1"}), before, f"POST {bad}")
        if "/delete/" in template or ("/history/" in template and model is not Guide):
            continue  # a delete page's one field deletes (a success); Django's history: no form
        if template.endswith("/{object_id}/"):
            continue  # Django's redirect to the change page
        form_id = (
            f"{model._meta.model_name}_form" if template.endswith(("/change/", "/add/")) else None
        )
        add_url = f"{url}?guide={small_guide.pk}" if template.endswith("/add/") else url
        form = page_form(client, add_url, form_id)
        fields = form.fields if form is not None else GENERIC
        kinds = list(broken(fields, rng))
        for step in range(min(KINDS_PER_FORM, len(kinds))):
            what, data = kinds[(turn + step) % len(kinds)]
            before = snapshot()
            check(client.post(add_url, data), before, f"POST {add_url}: {what}")
        turn += 1
        body = urlencode(fields).encode() + b"&label=%FF%FE&prompt=\xff\xfe\x00"
        before = snapshot()
        response = client.post(add_url, body, content_type="application/x-www-form-urlencoded")
        check(response, before, f"POST {add_url}: undecodable bytes")
        if turn % 3 == 0:
            bad_multipart = "multipart/form-data; boundary=x"
            response = client.post(add_url, b"\xff\xfe", content_type=bad_multipart)
            check(response, before, f"POST {add_url}: broken multipart")


def test_an_import_of_junk_files_is_refused_without_a_500(
    editor_client: Client, small_guide: Guide
) -> None:
    url = "/admin/guides/guide/import/"
    for content in [b"\xff\xfe\x00junk", b"slug: [", b"- a\n- b\n", b"slug: x\n" * 10, b""]:
        before = snapshot()
        upload = SimpleUploadedFile("guide.yaml", content, content_type="application/yaml")
        check(editor_client.post(url, {"file": upload, "publish": "on"}), before, repr(content))


def test_the_fuzz_reached_the_pages() -> None:
    # Runs after the fuzz (file order): most answers were real pages or refusals, not 404s.
    assert sum(SENT.values()) > 100, SENT
    assert SENT[200] > 50, SENT


def test_a_huge_id_in_tick_boxes_is_refused_as_unknown(
    editor_client: Client, small_guide: Guide
) -> None:
    # SQLite raised OverflowError on the id in `IN (...)`: a 500 before the fix.
    gate = small_guide.gates.get()
    url = f"/admin/guides/gate/{gate.pk}/change/"
    form = page_form(editor_client, url, "gate_form")
    assert form is not None
    form["argues_for"] = HUGE
    before = snapshot()
    response = editor_client.post(url, form.data())
    check(response, before, "huge id")
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()
