"""Editors may edit conditions again: rights on the one clause model.

guides 0010 replaced the three clause models (a question's show-if, a gate's,
a note's) and their answer rows with `Clause` and `ClauseChoice`, but the
Editors group kept its rights on the old models only, so an editor saw no
condition on any question, gate or note page. This grants the new models'
rights and drops the old ones (their tables are gone).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS_GROUP = "Editors"
ACTIONS = ("add", "change", "delete", "view")
NEW_MODELS = ("clause", "clausechoice")
OLD_MODELS = (
    "questionshowclause",
    "gateclause",
    "noteclause",
    "questionshowclausechoice",
    "gateclausechoice",
    "noteclausechoice",
)


def rights(apps, models):
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in models for action in ACTIONS]
    return Permission.objects.filter(
        content_type__app_label="guides", content_type__model__in=models, codename__in=codenames
    )


def editors(apps):
    return apps.get_model("auth", "Group").objects.filter(name=EDITORS_GROUP).first()


def move_rights(apps):
    group = editors(apps)
    if group is not None:
        group.permissions.add(*rights(apps, NEW_MODELS))
        group.permissions.remove(*rights(apps, OLD_MODELS))


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make the new ones now.
    guides = apps.get_app_config("guides")
    guides.models_module = True
    create_permissions(guides, apps=apps, verbosity=0)
    guides.models_module = None
    move_rights(apps)


def revoke(apps, schema_editor):
    group = editors(apps)
    if group is not None:
        group.permissions.remove(*rights(apps, NEW_MODELS))
        group.permissions.add(*rights(apps, OLD_MODELS))


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("guides", "0010_one_condition_model"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
