"""One condition model: the six clause tables become `Clause` and `ClauseChoice`.

Question show-conditions, gate conditions and note conditions each had a clause
table and a clause-choice table of the same shape. Their rows are copied into
the one `Clause` table (owner by content type and id) and `ClauseChoice`, keeping
each clause's group and order and each clause's answers in their order (rows are
copied in (owner, order, id) order, so ties read back as before); then the old
tables are dropped. Reversible: going back copies the rows into the old tables.
tests/test_condition_migration.py runs it on a database built by the code before.
"""

import django.db.models.deletion
from django.db import migrations, models

# (old clause model, its clause-choice model, its owner field, the owner's model)
OLD_TABLES = (
    ("questionshowclause", "questionshowclausechoice", "shown", "question"),
    ("gateclause", "gateclausechoice", "gate", "gate"),
    ("noteclause", "noteclausechoice", "note", "note"),
)


def owner_type(apps, alias, model):
    """The content type of an owner (a fresh database has none yet: migrate makes them after)."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(alias)
    return content_types.get_or_create(app_label="guides", model=model)[0]


def carry_over(apps, schema_editor):
    alias = schema_editor.connection.alias
    clauses = apps.get_model("guides", "Clause").objects.using(alias)
    ClauseChoice = apps.get_model("guides", "ClauseChoice")
    for clause_model, choice_model, owner_field, owner_model in OLD_TABLES:
        old_clauses = apps.get_model("guides", clause_model).objects.using(alias)
        old_choices = apps.get_model("guides", choice_model).objects.using(alias)
        content_type = owner_type(apps, alias, owner_model)
        new_ids = {}
        for old in old_clauses.order_by(f"{owner_field}_id", "order", "id"):
            new = clauses.create(
                content_type_id=content_type.pk,
                object_id=getattr(old, f"{owner_field}_id"),
                question_id=old.question_id,
                group=old.group,
                order=old.order,
            )
            new_ids[old.pk] = new.pk
        ClauseChoice.objects.using(alias).bulk_create(
            ClauseChoice(clause_id=new_ids[link.clause_id], choice_id=link.choice_id, order=link.order)
            for link in old_choices.order_by("clause_id", "order", "id")
        )


def carry_back(apps, schema_editor):
    alias = schema_editor.connection.alias
    clauses = apps.get_model("guides", "Clause").objects.using(alias)
    choices = apps.get_model("guides", "ClauseChoice").objects.using(alias)
    for clause_model, choice_model, owner_field, owner_model in OLD_TABLES:
        old_clauses = apps.get_model("guides", clause_model).objects.using(alias)
        OldChoice = apps.get_model("guides", choice_model)
        content_type = owner_type(apps, alias, owner_model)
        old_ids = {}
        owned = clauses.filter(content_type_id=content_type.pk)
        for new in owned.order_by("object_id", "order", "id"):
            old = old_clauses.create(
                **{f"{owner_field}_id": new.object_id},
                question_id=new.question_id,
                group=new.group,
                order=new.order,
            )
            old_ids[new.pk] = old.pk
        OldChoice.objects.using(alias).bulk_create(
            OldChoice(clause_id=old_ids[link.clause_id], choice_id=link.choice_id, order=link.order)
            for link in choices.filter(clause__in=owned).order_by("clause_id", "order", "id")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("guides", "0009_linked_page_text_limits"),
    ]

    operations = [
        migrations.CreateModel(
            name="Clause",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "object_id",
                    models.PositiveBigIntegerField(
                        help_text="Which question, gate or note the condition belongs to."
                    ),
                ),
                (
                    "group",
                    models.CharField(
                        choices=[("all", "All of these"), ("any", "Any of these")],
                        default="all",
                        help_text="'all': this clause must hold. 'any': at least one 'any' "
                        "clause must hold.",
                        max_length=3,
                    ),
                ),
                (
                    "order",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Position among its siblings on the page (smallest first).",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        help_text="What kind of part the condition belongs to (question, gate "
                        "or note).",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        help_text="The earlier question whose answer is looked at.",
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="used_in_clauses",
                        to="guides.question",
                    ),
                ),
            ],
            options={
                "ordering": ["content_type_id", "object_id", "order", "id"],
                "indexes": [
                    models.Index(fields=["content_type", "object_id"], name="guides_clause_owner")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("group__in", ["all", "any"])),
                        name="guides_clause_group_known",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ClauseChoice",
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
                (
                    "choice",
                    models.ForeignKey(
                        help_text="An answer that makes the clause hold.",
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="+",
                        to="guides.choice",
                    ),
                ),
                (
                    "clause",
                    models.ForeignKey(
                        help_text="The clause these answers belong to.",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clause_choices",
                        to="guides.clause",
                    ),
                ),
            ],
            options={
                "ordering": ["clause_id", "order", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("clause", "choice"), name="guides_clausechoice_unique_choice"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="clause",
            name="choices",
            field=models.ManyToManyField(
                help_text="Answers that make the clause hold.",
                related_name="+",
                through="guides.ClauseChoice",
                to="guides.choice",
            ),
        ),
        migrations.RunPython(carry_over, carry_back),
        migrations.RemoveField(model_name="questionshowclause", name="choices"),
        migrations.RemoveField(model_name="gateclause", name="choices"),
        migrations.RemoveField(model_name="noteclause", name="choices"),
        migrations.DeleteModel(name="QuestionShowClauseChoice"),
        migrations.DeleteModel(name="GateClauseChoice"),
        migrations.DeleteModel(name="NoteClauseChoice"),
        migrations.DeleteModel(name="QuestionShowClause"),
        migrations.DeleteModel(name="GateClause"),
        migrations.DeleteModel(name="NoteClause"),
    ]
