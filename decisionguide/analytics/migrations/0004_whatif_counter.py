from django.db import migrations, models


class Migration(migrations.Migration):
    """A counter kind of its own for what-if views of stored results (not results shown)."""

    dependencies = [
        ("analytics", "0003_depth_counter"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="answercounter",
            name="guides_answercounter_kind_known",
        ),
        migrations.AlterField(
            model_name="answercounter",
            name="kind",
            field=models.CharField(
                choices=[
                    ("shown", "Question shown"),
                    ("answered", "Question answered"),
                    ("routed", "Sent to another page"),
                    ("result", "Recommendation shown"),
                    ("depth", "Answers given so far"),
                    ("whatif", "What-if shown"),
                ],
                help_text="What happened.",
                max_length=8,
            ),
        ),
        migrations.AddConstraint(
            model_name="answercounter",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["shown", "answered", "routed", "result", "depth", "whatif"])
                ),
                name="guides_answercounter_kind_known",
            ),
        ),
    ]
