"""Reading and posting admin forms the way a browser does, for the editor tests.

The rendered form is read back (every input, select and text area with its
current value), a few values are changed, and the whole form is posted. Text
areas are posted with CRLF line breaks, as every browser sends them.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from decisionguide.content.models import Guide, Question
from decisionguide.guidefiles.yaml_io import dump_guide_yaml


class FormReader(HTMLParser):
    """Collects the fields of one <form> (by id) with the values a browser would send."""

    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = form_id is None
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.select_multiple = False
        self.select_values: list[str] = []
        self.first_option: str | None = None
        self.option_value: str | None = None
        self.textarea: str | None = None
        self.text = ""
        self.textareas: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.form_id is not None:
            self.inside = a.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
                return
            self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select, self.select_multiple = name, "multiple" in a
            self.select_values, self.first_option = [], None
        elif tag == "option" and self.select is not None:
            value = a.get("value")
            self.option_value = value
            if self.first_option is None:
                self.first_option = value
            if "selected" in a and value is not None:
                self.select_values.append(value)
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.form_id is not None:
            self.inside = False
        elif tag == "select" and self.select is not None:
            values = self.select_values
            if not values and not self.select_multiple and self.first_option is not None:
                values = [self.first_option]
            self.fields.extend((self.select, value) for value in values)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # Browsers drop one newline right after <textarea>.
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textareas.add(self.textarea)
            self.textarea = None


class Form:
    """A form's fields as a browser would post them; set or drop values before posting.

    The inline formsets' empty rows (`__prefix__`) are kept aside as the
    defaults of rows added with `add_inline_row`, as "Add another" does.
    """

    def __init__(self, fields: list[tuple[str, str]], textareas: set[str] = frozenset()) -> None:
        self.fields = [(k, v) for k, v in fields if "__prefix__" not in k]
        self.templates = [(k, v) for k, v in fields if "__prefix__" in k]
        self.textareas = set(textareas)

    def __getitem__(self, name: str) -> str:
        return next(v for k, v in self.fields if k == name)

    def __setitem__(self, name: str, value: str | list[str]) -> None:
        values = value if isinstance(value, list) else [value]
        position = next((i for i, (k, _) in enumerate(self.fields) if k == name), None)
        self.fields = [(k, v) for k, v in self.fields if k != name]
        new = [(name, v) for v in values]
        if position is None:
            self.fields.extend(new)
        else:
            self.fields[position:position] = new

    def names(self) -> list[str]:
        return [k for k, _ in self.fields]

    def data(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for key, value in self.fields:
            if key in self.textareas or re.sub(r"-\d+-", "-__prefix__-", key) in self.textareas:
                # The HTML standard has browsers send text area line breaks as CRLF.
                value = value.replace("\r\n", "\n").replace("\n", "\r\n")
            result.setdefault(key, []).append(value)
        return result


def read_form(client: Client, url: str, form_id: str | None) -> Form:
    response = client.get(url)
    assert response.status_code == 200, url
    reader = FormReader(form_id)
    reader.feed(response.content.decode())
    return Form(reader.fields, reader.textareas)


def change_url(obj: Any) -> str:
    return reverse(f"admin:guides_{obj._meta.model_name}_change", args=[obj.pk])


def admin_form(client: Client, obj: Any) -> Form:
    return read_form(client, change_url(obj), f"{obj._meta.model_name}_form")


def save_fields(client: Client, obj: Any, **values: str) -> Any:
    """Change some fields on the object's admin form, as loaded now, and post the whole form."""
    form = admin_form(client, obj)
    for name, value in values.items():
        form[name] = value
    return post(client, change_url(obj), form)


def add_form(client: Client, model: type, guide: Guide) -> Form:
    url = reverse(f"admin:guides_{model._meta.model_name}_add") + f"?guide={guide.pk}"
    return read_form(client, url, f"{model._meta.model_name}_form")


def post(client: Client, url: str, form: Form) -> Any:
    return client.post(url, form.data())


def inline_prefix(form: Form, suffix: str) -> str:
    """The prefix of the inline formset whose TOTAL_FORMS field ends with `suffix`."""
    name = next(n for n in form.names() if n.endswith(f"{suffix}-TOTAL_FORMS"))
    return name.removesuffix("-TOTAL_FORMS")


def add_inline_row(form: Form, prefix: str, values: dict[str, str | list[str]]) -> None:
    index = int(form[f"{prefix}-TOTAL_FORMS"])
    form[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for key, value in form.templates:
        if key.startswith(f"{prefix}-__prefix__-"):
            form[key.replace("__prefix__", str(index))] = value
    for key, value in values.items():
        form[f"{prefix}-{index}-{key}"] = value


def add_show_clause(form: Form, looked_at: Any, group: str = "all") -> None:
    """A new show-if row on the question's form: shown when `looked_at` has its first choice."""
    add_inline_row(
        form,
        inline_prefix(form, "show_clauses"),
        {
            "group": group,
            "question": str(looked_at.pk),
            "answers": [str(looked_at.choices.first().pk)],
        },
    )


def errors_of(response: Any) -> str:
    """The text of every error list on an admin page."""
    html = response.content.decode()
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S))


def state(guide: Guide) -> tuple[int, int, str]:
    """What a refused save must leave alone: version, frozen versions, the rows' content."""
    guide.refresh_from_db()
    return guide.version, guide.versions.count(), dump_guide_yaml(guide)


def update_url(client: Client, guide: Guide, model: type = Question, **exact: str) -> str:
    """Where sortable2's script posts a dragged list (filtered to `guide`), as its page says."""
    filters = {"guide__id__exact": guide.pk, **{f"{k}__exact": v for k, v in exact.items()}}
    list_url = reverse(f"admin:guides_{model._meta.model_name}_changelist")
    page = client.get(f"{list_url}?{urlencode(filters)}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="drag handle"' in html  # the list filtered to one guide can be dragged
    config = re.search(r'id="admin_sortable2_config">(.*?)</script>', html, re.S)
    assert config, "the list page lost sortable2's configuration"
    return json.loads(config.group(1))["update_url"]


def drag(client: Client, url: str, items: list[list[int]]) -> Any:
    """Post moved rows as sortable2's script does: `[[pk, place], ...]` as JSON."""
    return client.post(url, json.dumps({"updatedItems": items}), content_type="application/json")


def upload(client: Client, text: str, *, publish: bool = False) -> Any:
    url = reverse("admin:guides_guide_import")
    # The page's own fields first: it says which drafts it was loaded with.
    data: dict[str, Any] = read_form(client, url, "import-form").data()
    data["file"] = SimpleUploadedFile("guide.yaml", text.encode())
    if publish:
        data["publish"] = "on"
    return client.post(url, data, follow=True)
