from django.db import migrations, models

KINDS = ["shown", "answered", "routed", "result", "depth", "whatif", "embedded", "check"]


class Migration(migrations.Migration):
    """A counter kind for the Check your answers page, a step of the funnel of its own."""

    dependencies = [
        ("analytics", "0005_embedded_visits"),
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
                    ("embedded", "Visit started inside another site"),
                    ("check", "Check page shown"),
                ],
                help_text="What happened.",
                max_length=8,
            ),
        ),
        migrations.AddConstraint(
            model_name="answercounter",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", KINDS)),
                name="guides_answercounter_kind_known",
            ),
        ),
    ]
