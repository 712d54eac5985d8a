"""Editors may edit conditions again.

0003 gave the Editors group the permissions of the six condition tables of the
time; 0010 merged those into `Clause` and `ClauseChoice`, whose permissions no
group had, so an editor saw no condition on a question, gate or note. The
permissions of the six tables that no longer exist are taken back.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS_GROUP = "Editors"
MODELS = ("clause", "clausechoice")
GONE = (
    "questionshowclause",
    "gateclause",
    "noteclause",
    "questionshowclausechoice",
    "gateclausechoice",
    "noteclausechoice",
)


def grant_conditions(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EDITORS_GROUP).first()
    if group is None:
        return
    codenames = [f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")]
    guides = Permission.objects.filter(content_type__app_label="guides")
    group.permissions.add(*guides.filter(codename__in=codenames))
    group.permissions.remove(*guides.filter(content_type__model__in=GONE))


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0016_no_shared_places"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(grant_conditions, migrations.RunPython.noop),
    ]
