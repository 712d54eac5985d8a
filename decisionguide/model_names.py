"""The names Django derives for models and fields, in the reader's language.

A model or field given no name of its own is named after its class or attribute
("guide version", "free text label"), and Django shows that English whatever the admin's
language. `translate_derived_names` (called by each app's ready()) looks such names up in
the catalogue instead. It sets them once the models are made, because migrations record
only the names given as arguments: naming every model and field in its definition would
need a migration for every table, and these names never reach the database. Permissions
keep their English names: Django makes them with translation off.

`NAMES` marks every derived name for the catalogue (tests/test_model_names.py checks none
is missing): model names with the context "model", as a Note is a "remarque" but a
version's note a "commentaire".
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.text import camel_case_to_spaces
from django.utils.translation import gettext_lazy, pgettext_lazy

MODEL = "model"


def translate_derived_names(model_classes: Iterable[type[models.Model]]) -> None:
    for model in model_classes:
        opts = model._meta
        derived = camel_case_to_spaces(opts.object_name)
        if "verbose_name" not in opts.original_attrs:
            opts.verbose_name = pgettext_lazy(MODEL, derived)
        if "verbose_name_plural" not in opts.original_attrs:
            opts.verbose_name_plural = pgettext_lazy(MODEL, f"{derived}s")
        for field in opts.get_fields():
            # `_verbose_name` is the name the field was given (None: derived from its own).
            if getattr(field, "_verbose_name", "") is None and isinstance(field.verbose_name, str):
                field.verbose_name = gettext_lazy(field.verbose_name)


NAMES = (
    # The models (decisionguide.content, analytics and results), singular and plural.
    pgettext_lazy("model", "guide"),
    pgettext_lazy("model", "guides"),
    pgettext_lazy("model", "guide version"),
    pgettext_lazy("model", "guide versions"),
    pgettext_lazy("model", "publish event"),
    pgettext_lazy("model", "publish events"),
    pgettext_lazy("model", "outcome"),
    pgettext_lazy("model", "outcomes"),
    pgettext_lazy("model", "linked page"),
    pgettext_lazy("model", "linked pages"),
    pgettext_lazy("model", "outcome next page"),
    pgettext_lazy("model", "outcome next pages"),
    pgettext_lazy("model", "criterion"),
    pgettext_lazy("model", "rating"),
    pgettext_lazy("model", "ratings"),
    pgettext_lazy("model", "scenario"),
    pgettext_lazy("model", "scenarios"),
    pgettext_lazy("model", "question"),
    pgettext_lazy("model", "questions"),
    pgettext_lazy("model", "choice"),
    pgettext_lazy("model", "choices"),
    pgettext_lazy("model", "choice points"),
    pgettext_lazy("model", "scenario answer"),
    pgettext_lazy("model", "scenario answers"),
    pgettext_lazy("model", "gate"),
    pgettext_lazy("model", "gates"),
    pgettext_lazy("model", "note"),
    pgettext_lazy("model", "notes"),
    pgettext_lazy("model", "failure check"),
    pgettext_lazy("model", "failure checks"),
    pgettext_lazy("model", "tie break"),
    pgettext_lazy("model", "tie breaks"),
    pgettext_lazy("model", "tie break settle"),
    pgettext_lazy("model", "tie break settles"),
    pgettext_lazy("model", "clause"),
    pgettext_lazy("model", "clauses"),
    pgettext_lazy("model", "clause choice"),
    pgettext_lazy("model", "clause choices"),
    pgettext_lazy("model", "answer counter"),
    pgettext_lazy("model", "answer counters"),
    pgettext_lazy("model", "result"),
    pgettext_lazy("model", "results"),
    pgettext_lazy("model", "rate limit counter"),
    pgettext_lazy("model", "rate limit counters"),
    # Their fields.
    gettext_lazy("action"),
    gettext_lazy("answers"),
    gettext_lazy("argues against"),
    gettext_lazy("argues for"),
    gettext_lazy("best for"),
    gettext_lazy("body"),
    gettext_lazy("choice"),
    gettext_lazy("choices"),
    gettext_lazy("choose if"),
    gettext_lazy("clause"),
    gettext_lazy("clauses"),
    gettext_lazy("close call margin"),
    gettext_lazy("content type"),
    gettext_lazy("count"),
    gettext_lazy("created"),
    gettext_lazy("created by"),
    gettext_lazy("criterion"),
    gettext_lazy("day"),
    gettext_lazy("decision"),
    gettext_lazy("decision criteria"),
    gettext_lazy("default outcome"),
    gettext_lazy("description"),
    gettext_lazy("document"),
    gettext_lazy("embed origins"),
    gettext_lazy("explanation"),
    gettext_lazy("failure mode"),
    gettext_lazy("file version"),
    gettext_lazy("free text choice"),
    gettext_lazy("free text hint"),
    gettext_lazy("free text label"),
    gettext_lazy("free text max length"),
    gettext_lazy("free texts"),
    gettext_lazy("good fit"),
    gettext_lazy("group"),
    gettext_lazy("guide"),
    gettext_lazy("guide version"),
    gettext_lazy("handoff example"),
    gettext_lazy("handoff rule"),
    gettext_lazy("hint"),
    gettext_lazy("id"),
    gettext_lazy("intro"),
    gettext_lazy("is published"),
    gettext_lazy("key"),
    gettext_lazy("kind"),
    gettext_lazy("label"),
    gettext_lazy("language versions"),
    gettext_lazy("level"),
    gettext_lazy("name"),
    gettext_lazy("next pages"),
    gettext_lazy("note"),
    gettext_lazy("object id"),
    gettext_lazy("order"),
    gettext_lazy("outcome"),
    gettext_lazy("owner"),
    gettext_lazy("page"),
    gettext_lazy("points"),
    gettext_lazy("prompt"),
    gettext_lazy("public description"),
    gettext_lazy("publish at"),
    gettext_lazy("published version"),
    gettext_lazy("question"),
    gettext_lazy("reason"),
    gettext_lazy("review links"),
    gettext_lazy("review requested at"),
    gettext_lazy("review requested by"),
    gettext_lazy("review version"),
    gettext_lazy("right page"),
    gettext_lazy("role"),
    gettext_lazy("route"),
    gettext_lazy("scenario"),
    gettext_lazy("schedule problem"),
    gettext_lazy("scheduled by"),
    gettext_lazy("scheduled version"),
    gettext_lazy("short"),
    gettext_lazy("shortcut"),
    gettext_lazy("show clauses"),
    gettext_lazy("shown with"),
    gettext_lazy("slug"),
    gettext_lazy("snapshot"),
    gettext_lazy("start elsewhere"),
    gettext_lazy("strengths"),
    gettext_lazy("submission key"),
    gettext_lazy("summary"),
    gettext_lazy("symbol"),
    gettext_lazy("tagline"),
    gettext_lazy("text"),
    gettext_lazy("tie break"),
    gettext_lazy("title"),
    gettext_lazy("tradeoffs"),
    gettext_lazy("translations"),
    gettext_lazy("unsure"),
    gettext_lazy("updated"),
    gettext_lazy("url"),
    gettext_lazy("version"),
    gettext_lazy("when"),
    gettext_lazy("window start"),
    gettext_lazy("wrong page"),
)
