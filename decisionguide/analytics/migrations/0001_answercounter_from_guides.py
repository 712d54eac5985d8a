"""Take over AnswerCounter from the content app ("guides"), table and rows as they are.

The model is described exactly as guides 0002-0005 left the table, so nothing in the
database changes; its content type moves with it, so permissions granted on it (the
Editors group's "view") still hold.
"""

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="guides", new="analytics"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=new, model="answercounter").exists():
        types.filter(app_label=old, model="answercounter").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="analytics", new="guides")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("guides", "0011_answercounter_moves_to_analytics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AnswerCounter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("version", models.PositiveIntegerField(help_text="The published version visitors answered.")),
                        ("question", models.CharField(help_text="The question's slug.", max_length=64)),
                        (
                            "choice",
                            models.CharField(
                                blank=True, help_text="The chosen answer's slug (empty when shown).", max_length=64
                            ),
                        ),
                        ("day", models.DateField(help_text="The day (UTC) the visits happened.")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("shown", "Shown"), ("answered", "Answered")],
                                help_text="Shown to visitors, or answered by them.",
                                max_length=8,
                            ),
                        ),
                        ("count", models.PositiveIntegerField(default=0, help_text="How many times, that day.")),
                        (
                            "guide",
                            models.ForeignKey(
                                help_text="The guide whose questionnaire was used.",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="answer_counters",
                                to="guides.guide",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "guides_answercounter",
                        "ordering": ["guide_id", "version", "day", "question", "kind", "choice"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("guide", "version", "question", "choice", "day", "kind"),
                                name="guides_answercounter_unique_day",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("kind__in", ["shown", "answered"])),
                                name="guides_answercounter_kind_known",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
