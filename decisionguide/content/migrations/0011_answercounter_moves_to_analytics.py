"""AnswerCounter now belongs to the analytics app (analytics 0001 takes it over).

Only Django's picture of the models changes: the table `guides_answercounter` and
every row in it stay where they are.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0010_one_condition_model"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AnswerCounter")],
            database_operations=[],
        ),
    ]
