from django.db import migrations, models


class Migration(migrations.Migration):
    """Results remember which check page sent them, so sending it again stores nothing new.

    Existing results get NULL (several NULLs never clash in a unique column).
    """

    dependencies = [
        ("results", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="result",
            name="submission_key",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="A keyed hash of the check page that sent it and its answers; "
                "nothing about the visitor.",
                max_length=64,
                null=True,
                unique=True,
            ),
        ),
    ]
