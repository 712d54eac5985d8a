"""Admin forms that edit a guide's structure as fields, never as JSON.

- `choice_form_for(outcomes)`: a choice with one points field per outcome of
  its guide (stored as ChoicePoints rows).
- `ScenarioAnswerForm`: one answer of a scenario's profile (the conditions'
  `ClauseForm` is in `clause_forms`).
- `RatingsGridForm`: the whole ratings matrix of a guide on one page.
- `ImportForm`, `try_form_for(doc)`: YAML upload and the draft result checker.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from django import forms
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from decisionguide.content.models import (
    Choice,
    ChoicePoints,
    Criterion,
    Outcome,
    Rating,
    ScenarioAnswer,
)
from decisionguide.decision.document import GuideDocument, tidy_text
from decisionguide.guidefiles.validation import POINTS_RANGE
from decisionguide.guidefiles.yaml_io import CONTENT_FILE_MAX_BYTES

POINTS_PREFIX = "points_"
LEVEL_CHOICES = [
    (0, _("0 weakest")),
    (1, "1"),
    (2, "2"),
    (3, _("3 strongest")),
]
# The same limit as `loadguide`.
UPLOAD_MAX_BYTES = CONTENT_FILE_MAX_BYTES


# ---------------------------------------------------------------------------
# Text as the guide stores it


# The largest id a database column holds (64-bit): SQLite raises OverflowError on a bigger
# number in an `IN (...)` list, which a crafted post must not turn into a 500.
MAX_ID = 2**63 - 1


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Tick boxes of rows whose posted ids are refused as unknown when out of any id's range."""

    def _check_values(self, value: Any) -> Any:
        for pk in value or ():
            text = str(pk).strip().lstrip("-+")
            if text.isdigit() and int(text) > MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:30]},
                )
        return super()._check_values(value)


class TidyCharField(forms.CharField):
    """Text cleaned as documents clean it (`tidy_text`), so an untouched text area
    posted with CRLF by the browser counts as unchanged."""

    def to_python(self, value: Any) -> str:
        return tidy_text(super().to_python(value))


def tidy_form_class(db_field: models.Field) -> dict[str, Any]:
    """`formfield()` arguments that make a plain text or char column a TidyCharField."""
    if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
        return {"form_class": TidyCharField}
    return {}


# ---------------------------------------------------------------------------
# Choices that say which question they belong to (for the filter script)


class ChoiceOptionsMixin:
    """Options carry `data-question` so guide-admin.js can show only the picked question's."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)  # type: ignore[misc]
        instance = getattr(value, "instance", None)
        if isinstance(instance, Choice):
            option["attrs"]["data-question"] = str(instance.question_id)
        return option


class ChoiceSelect(ChoiceOptionsMixin, forms.Select):
    pass


class ChoiceOfQuestionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Choice) -> str:
        about = {"question": obj.question.slug, "name": obj.label, "slug": obj.slug}
        return _("%(question)s: %(name)s (%(slug)s)") % about


def mark_question_select(field: forms.Field) -> None:
    """Let guide-admin.js find the question select (inside the admin's related-widget wrapper)."""
    widget = getattr(field.widget, "widget", field.widget)
    widget.attrs["class"] = "clause-question"


def choices_of_guide(guide_id: int | None) -> models.QuerySet[Choice]:
    queryset = Choice.objects.select_related("question").order_by(
        "question__order", "question_id", "order", "id"
    )
    return queryset.filter(question__guide_id=guide_id) if guide_id else queryset.none()


# ---------------------------------------------------------------------------
# A choice and its points


def points_field_name(outcome: Outcome) -> str:
    return f"{POINTS_PREFIX}{outcome.pk}"


class ChoiceForm(forms.ModelForm):
    """A choice; the points fields are added per guide by `choice_form_for`."""

    outcomes: ClassVar[Sequence[Outcome]] = ()

    class Meta:
        model = Choice
        fields = ["question", "slug", "label", "hint", "reason", "route", "unsure", "order"]
        widgets = {
            "hint": forms.Textarea(attrs={"rows": 2}),
            "reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and self.outcomes:
            current = {p.outcome_id: p.points for p in self.instance.points.all()}
            for outcome in self.outcomes:
                self.initial[points_field_name(outcome)] = current.get(outcome.pk)

    def save(self, commit: bool = True) -> Choice:
        choice = super().save(commit=commit)
        if commit:
            self.save_points()
        else:
            save_m2m = self.save_m2m

            def save_m2m_and_points() -> None:
                save_m2m()
                self.save_points()

            self.save_m2m = save_m2m_and_points
        return choice

    def save_points(self) -> None:
        """One ChoicePoints row per filled-in field; an empty field removes the row."""
        rows = {row.outcome_id: row for row in ChoicePoints.objects.filter(choice=self.instance)}
        for order, outcome in enumerate(self.outcomes):
            value = self.cleaned_data.get(points_field_name(outcome))
            row = rows.get(outcome.pk)
            if value is None:
                if row is not None:
                    row.delete()
            elif row is None:
                ChoicePoints.objects.create(
                    choice=self.instance, outcome=outcome, points=value, order=order
                )
            elif row.points != value:
                row.points = value
                row.save(update_fields=["points"])


def choice_form_for(outcomes: Sequence[Outcome]) -> type[ChoiceForm]:
    """ChoiceForm with a points field for each outcome, in outcome order."""
    low, high = POINTS_RANGE
    fields: dict[str, Any] = {"outcomes": tuple(outcomes)}
    for outcome in outcomes:
        fields[points_field_name(outcome)] = forms.IntegerField(
            required=False,
            min_value=low,
            max_value=high,
            label=_("Points: %(outcome)s") % {"outcome": outcome.name},
            # The admin shows help texts as HTML (`|safe`): the editor's name is escaped.
            help_text=format_html(
                _(
                    "Added to the score of “{}” when a visitor picks this answer (may be "
                    "negative). Empty: no points."
                ),
                outcome.name,
            ),
            widget=forms.NumberInput(attrs={"class": "points-input"}),
        )
    return type("ChoiceFormWithPoints", (ChoiceForm,), fields)


def points_fields(form_class: type[ChoiceForm]) -> list[str]:
    return [points_field_name(outcome) for outcome in form_class.outcomes]


# ---------------------------------------------------------------------------
# Conditions


class ScenarioAnswerForm(forms.ModelForm):
    choice = ChoiceOfQuestionField(
        queryset=Choice.objects.none(),
        widget=ChoiceSelect(attrs={"class": "clause-choices"}),
        help_text=_("The answer a visitor like this one gives."),
    )

    class Meta:
        model = ScenarioAnswer
        fields = ["question", "choice", "order"]

    def __init__(self, *args: Any, guide_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].queryset = choices_of_guide(guide_id)
        mark_question_select(self.fields["question"])


def with_guide(
    form_class: type[forms.ModelForm], guide_id: int | None, **bound: Any
) -> type[forms.ModelForm]:
    """The form class with `guide_id` (and `bound`) bound in (formsets build forms
    without our arguments)."""

    class Bound(form_class):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, guide_id=guide_id, **bound, **kwargs)

    Bound.__name__ = form_class.__name__
    return Bound


# ---------------------------------------------------------------------------
# The ratings grid


class RatingsGridForm(forms.Form):
    """One label and one level per criterion (row) and outcome (column)."""

    def __init__(
        self,
        criteria: Sequence[Criterion],
        outcomes: Sequence[Outcome],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.outcomes = list(outcomes)
        self.ratings: dict[tuple[int, int], Rating] = {
            (r.criterion_id, r.outcome_id): r
            for r in Rating.objects.filter(criterion__in=self.criteria)
        }
        for criterion in self.criteria:
            for outcome in self.outcomes:
                rating = self.ratings.get((criterion.pk, outcome.pk))
                where = {"criterion": criterion.name, "outcome": outcome.name}
                self.fields[self.name("label", criterion, outcome)] = TidyCharField(
                    max_length=300,
                    label=_("%(criterion)s — %(outcome)s: text") % where,
                    initial=rating.label if rating else "",
                    help_text=_("The table cell visitors read."),
                )
                self.fields[self.name("level", criterion, outcome)] = forms.TypedChoiceField(
                    choices=LEVEL_CHOICES,
                    coerce=int,
                    label=_("%(criterion)s — %(outcome)s: strength") % where,
                    initial=rating.level if rating else 0,
                    help_text=_("How strongly the cell is highlighted."),
                )

    @staticmethod
    def name(kind: str, criterion: Criterion, outcome: Outcome) -> str:
        return f"{kind}_{criterion.pk}_{outcome.pk}"

    def rows(self) -> Iterator[tuple[Criterion, list[tuple[Outcome, Any, Any]]]]:
        for criterion in self.criteria:
            cells = [
                (
                    outcome,
                    self[self.name("label", criterion, outcome)],
                    self[self.name("level", criterion, outcome)],
                )
                for outcome in self.outcomes
            ]
            yield criterion, cells

    def save(self) -> int:
        """Write the changed cells; returns how many changed."""
        changed = 0
        for criterion in self.criteria:
            for order, outcome in enumerate(self.outcomes):
                label = self.cleaned_data[self.name("label", criterion, outcome)]
                level = self.cleaned_data[self.name("level", criterion, outcome)]
                rating = self.ratings.get((criterion.pk, outcome.pk))
                if rating is None:
                    Rating.objects.create(
                        criterion=criterion, outcome=outcome, label=label, level=level, order=order
                    )
                    changed += 1
                elif (rating.label, rating.level) != (label, level):
                    rating.label, rating.level = label, level
                    rating.save(update_fields=["label", "level"])
                    changed += 1
        return changed


# ---------------------------------------------------------------------------
# Import and the draft result checker


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Guide file (YAML)"),
        help_text=_(
            "A content file as `dumpguide` or Export writes it. It becomes the draft of "
            "the guide with the same slug, or a new unlisted guide; visitors keep seeing the "
            "published version."
        ),
    )
    publish = forms.BooleanField(
        required=False,
        label=_("Publish it right away"),
        help_text=_(
            "Then the file is imported only if every scenario check passes: if one "
            "fails, nothing is imported. Unticked, the file is imported as the draft even when "
            "a scenario fails. The file's own `published:` setting is not used here: an import "
            "never takes a guide off the site."
        ),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(bytes)s bytes).") % {"bytes": UPLOAD_MAX_BYTES}
            )
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None


def try_form_for(doc: GuideDocument, data: Any = None) -> forms.Form:
    """One optional answer field per question of the document."""
    form = forms.Form(data)
    for question in doc.questions:
        choices = [("", _("— not answered —"))]
        named = _("%(name)s (%(slug)s)")
        choices += [(c.slug, named % {"name": c.label, "slug": c.slug}) for c in question.choices]
        form.fields[question.slug] = forms.ChoiceField(
            choices=choices, required=False, label=question.prompt, help_text=question.slug
        )
    return form
