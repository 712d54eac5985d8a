"""Existing text written one way: LF line breaks, no spaces at line ends.

Rows saved from browsers before text was tidied on save hold CRLF line breaks and
trailing spaces; they showed as false changes in the history and as escapes in
exported YAML. Frozen versions are left as they are (they are history, and read
back tidied: the document schema tidies text as it parses).
"""

from django.db import migrations, models


def tidy_text(value: str) -> str:
    # A copy of decisionguide.decision.document.tidy_text as of this migration.
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def tidy_every_text_column(apps, schema_editor):
    for model in apps.get_app_config("guides").get_models():
        columns = [
            field.name
            for field in model._meta.concrete_fields
            if type(field) in (models.CharField, models.TextField) and not field.choices
        ]
        if not columns:
            continue
        for row in model.objects.only("pk", *columns).iterator():
            tidied = {name: tidy_text(getattr(row, name) or "") for name in columns}
            changed = [name for name in columns if tidied[name] != (getattr(row, name) or "")]
            if changed:
                model.objects.filter(pk=row.pk).update(**{name: tidied[name] for name in changed})


class Migration(migrations.Migration):
    dependencies = [("guides", "0012_publish_events")]

    operations = [migrations.RunPython(tidy_every_text_column, migrations.RunPython.noop)]
