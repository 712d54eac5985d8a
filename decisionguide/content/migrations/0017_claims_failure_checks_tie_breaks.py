"""Sentences that say what they claim, failure checks of their own, tie-breaks.

Clauses get a `role` (a note or gate reason may now own its condition, what it
asserts and which answers it says counted); gates get outcome lists like notes;
failure checks move from the guide's item lists into rows of their own (so they
can say which recommendations they belong with), keeping their text and order;
tie-breaks are new. Data-preserving: every failure-check item becomes a check.
"""

import django.db.models.deletion
from django.db import migrations, models


def items_to_checks(apps, schema_editor):
    """Every failure-check item becomes a FailureCheck of the same guide, text and place."""
    GuideItem = apps.get_model("guides", "GuideItem")
    FailureCheck = apps.get_model("guides", "FailureCheck")
    items = GuideItem.objects.filter(kind="failure_check").order_by("guide_id", "order", "id")
    FailureCheck.objects.bulk_create(
        FailureCheck(guide_id=item.guide_id, text=item.text, order=item.order) for item in items
    )
    items.delete()


def drop_claim_clauses(apps, schema_editor):
    # Going back to before clauses had roles: a sentence's `asserts` and `counted`
    # clauses can't be kept, and left in place they would join its condition.
    apps.get_model("guides", "Clause").objects.exclude(role="").delete()
    if schema_editor.connection.vendor == "postgresql":
        # The deletes leave deferred foreign-key checks pending, and PostgreSQL won't
        # alter a table with pending trigger events: run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def checks_to_items(apps, schema_editor):
    GuideItem = apps.get_model("guides", "GuideItem")
    FailureCheck = apps.get_model("guides", "FailureCheck")
    checks = FailureCheck.objects.order_by("guide_id", "order", "id")
    GuideItem.objects.bulk_create(
        GuideItem(guide_id=c.guide_id, kind="failure_check", text=c.text, order=c.order)
        for c in checks
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("guides", "0016_no_shared_places"),
    ]

    operations = [
        migrations.CreateModel(
            name="FailureCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "text",
                    models.TextField(
                        help_text="Markdown. The line as visitors read it.", max_length=10000
                    ),
                ),
                (
                    "order",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Position among its siblings on the page (smallest first).",
                    ),
                ),
            ],
            options={
                "ordering": ["guide_id", "order", "id"],
            },
        ),
        migrations.CreateModel(
            name="TieBreak",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "explanation",
                    models.TextField(
                        help_text="Markdown. Tells the visitor, in plain words, why their answer decided a close call.",
                        max_length=10000,
                    ),
                ),
                (
                    "order",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Position among its siblings on the page (smallest first).",
                    ),
                ),
            ],
            options={
                "ordering": ["guide_id", "order", "id"],
            },
        ),
        migrations.CreateModel(
            name="TieBreakSettle",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "order",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Position among its siblings on the page (smallest first).",
                    ),
                ),
            ],
            options={
                "ordering": ["tie_break_id", "order", "id"],
            },
        ),
        migrations.AlterModelOptions(
            name="guideitem",
            options={
                "ordering": ["guide_id", "kind", "order", "id"],
                "verbose_name": "edge case or misstep",
                "verbose_name_plural": "edge cases and missteps",
            },
        ),
        migrations.RemoveConstraint(
            model_name="guideitem",
            name="guides_guideitem_kind_known",
        ),
        migrations.AddField(
            model_name="clause",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "The condition (show-if, unless, when)"),
                    ("asserts", "What the sentence asserts about the answers"),
                    ("counted", "Answers the sentence says counted"),
                ],
                default="",
                help_text="Empty: part of the condition that switches its owner on. 'asserts': part of what the sentence claims about the visitor's answers (checked wherever it is shown). 'counted': an answer the sentence says counted towards the recommendation (checked against the reasons the page lists).",
                max_length=8,
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_claim_clauses),
        migrations.AddField(
            model_name="gate",
            name="argues_against",
            field=models.ManyToManyField(
                blank=True,
                help_text="Other outcomes the reason warns against too (it always argues against the gate's own outcome). The checks refuse a guide where a page would show it beside a recommendation it argues against, or beside a sentence arguing the other way.",
                related_name="+",
                to="guides.outcome",
            ),
        ),
        migrations.AddField(
            model_name="gate",
            name="argues_for",
            field=models.ManyToManyField(
                blank=True,
                help_text="Outcomes the reason speaks for; it then argues against every other one, and the same checks apply.",
                related_name="+",
                to="guides.outcome",
            ),
        ),
        migrations.AlterField(
            model_name="guideitem",
            name="kind",
            field=models.CharField(
                choices=[("edge_case", "Edge case"), ("misstep", "Misstep")],
                help_text="Which list on the guide page it is in.",
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="clause",
            constraint=models.CheckConstraint(
                condition=models.Q(("role__in", ["", "asserts", "counted"])),
                name="guides_clause_role_known",
            ),
        ),
        migrations.AddField(
            model_name="failurecheck",
            name="argues_against",
            field=models.ManyToManyField(
                blank=True,
                help_text="Outcomes the line warns against. The checks refuse a guide where it would be shown beside one of them.",
                related_name="+",
                to="guides.outcome",
            ),
        ),
        migrations.AddField(
            model_name="failurecheck",
            name="argues_for",
            field=models.ManyToManyField(
                blank=True,
                help_text="Outcomes the line speaks for; it then argues against every other one.",
                related_name="+",
                to="guides.outcome",
            ),
        ),
        migrations.AddField(
            model_name="failurecheck",
            name="guide",
            field=models.ForeignKey(
                help_text="The guide this belongs to (fixed once created).",
                on_delete=django.db.models.deletion.CASCADE,
                related_name="failure_checks",
                to="guides.guide",
            ),
        ),
        migrations.AddField(
            model_name="failurecheck",
            name="shown_with",
            field=models.ManyToManyField(
                blank=True,
                help_text="Show the line only beside these recommendations (e.g. a line about a hybrid's upkeep only on Hybrid results). None ticked: beside every recommendation.",
                related_name="+",
                to="guides.outcome",
            ),
        ),
        migrations.AddField(
            model_name="tiebreak",
            name="guide",
            field=models.ForeignKey(
                help_text="The guide this belongs to (fixed once created).",
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tie_breaks",
                to="guides.guide",
            ),
        ),
        migrations.AddField(
            model_name="tiebreak",
            name="question",
            field=models.ForeignKey(
                help_text="When the scores are within the guide's close-call margin, the visitor's answer to this question settles the recommendation (tie-breaks are tried in order, the first that applies wins, then the default outcome).",
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="+",
                to="guides.question",
            ),
        ),
        migrations.AddField(
            model_name="tiebreaksettle",
            name="choice",
            field=models.ForeignKey(
                help_text="An answer of the tie-break's question. Answers not listed don't settle anything.",
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="+",
                to="guides.choice",
            ),
        ),
        migrations.AddField(
            model_name="tiebreaksettle",
            name="outcome",
            field=models.ForeignKey(
                help_text="The outcome a close call goes to when the visitor gave that answer (only if it is one of the close outcomes).",
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="+",
                to="guides.outcome",
            ),
        ),
        migrations.AddField(
            model_name="tiebreaksettle",
            name="tie_break",
            field=models.ForeignKey(
                help_text="The tie-break it belongs to.",
                on_delete=django.db.models.deletion.CASCADE,
                related_name="settles",
                to="guides.tiebreak",
            ),
        ),
        migrations.AddConstraint(
            model_name="tiebreaksettle",
            constraint=models.UniqueConstraint(
                fields=("tie_break", "choice"), name="guides_tiebreaksettle_unique_choice"
            ),
        ),
        migrations.RunPython(items_to_checks, checks_to_items),
        migrations.AddConstraint(
            model_name="guideitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["edge_case", "misstep"])),
                name="guides_guideitem_kind_known",
            ),
        ),
    ]
