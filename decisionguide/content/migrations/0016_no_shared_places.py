"""Rows that share a place with a sibling get places of their own.

Before this, two rows could hold the same `order` (a typed number); documents
broke the tie by id. Each group of siblings is numbered 0, 1, 2, ... in that
same (order, id) order, so every guide reads exactly as before, and from now
on the editor keeps places unique (`content.ordering`).
"""

from collections import defaultdict

from django.db import migrations

# Model -> the columns its siblings share (content/ordering.py's SIBLINGS, as of now).
SIBLINGS = {
    "LinkedPage": ("guide_id",),
    "Outcome": ("guide_id",),
    "OutcomeNextPage": ("outcome_id",),
    "Criterion": ("guide_id",),
    "Rating": ("criterion_id",),
    "Question": ("guide_id",),
    "Choice": ("question_id",),
    "ChoicePoints": ("choice_id",),
    "Scenario": ("guide_id",),
    "ScenarioAnswer": ("scenario_id",),
    "Gate": ("guide_id",),
    "Note": ("guide_id",),
    "GuideItem": ("guide_id", "kind"),
    "Clause": ("content_type_id", "object_id", "group"),
    "ClauseChoice": ("clause_id",),
}


def number_every_group(apps, schema_editor):
    for name, columns in SIBLINGS.items():
        model = apps.get_model("guides", name)
        groups = defaultdict(list)
        for row in model.objects.order_by(*columns, "order", "id").only("id", "order", *columns):
            groups[tuple(getattr(row, column) for column in columns)].append(row)
        changed = []
        for rows in groups.values():
            for place, row in enumerate(rows):
                if row.order != place:
                    row.order = place
                    changed.append(row)
        model.objects.bulk_update(changed, ["order"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0015_alter_guideitem_options"),
    ]

    operations = [
        migrations.RunPython(number_every_group, migrations.RunPython.noop, elidable=True),
    ]
