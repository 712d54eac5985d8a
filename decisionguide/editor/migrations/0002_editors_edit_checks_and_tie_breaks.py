"""Editors may edit failure checks and tie-breaks: rights on their new models.

guides 0017 moved failure checks into rows of their own and added tie-breaks
(with their answers); without rights on them an editor would not see either.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS_GROUP = "Editors"
ACTIONS = ("add", "change", "delete", "view")
NEW_MODELS = ("failurecheck", "tiebreak", "tiebreaksettle")


def rights(apps):
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in NEW_MODELS for action in ACTIONS]
    return Permission.objects.filter(
        content_type__app_label="guides",
        content_type__model__in=NEW_MODELS,
        codename__in=codenames,
    )


def editors(apps):
    return apps.get_model("auth", "Group").objects.filter(name=EDITORS_GROUP).first()


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make the new ones now.
    guides = apps.get_app_config("guides")
    guides.models_module = True
    create_permissions(guides, apps=apps, verbosity=0)
    guides.models_module = None
    group = editors(apps)
    if group is not None:
        group.permissions.add(*rights(apps))


def revoke(apps, schema_editor):
    group = editors(apps)
    if group is not None:
        group.permissions.remove(*rights(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("editor", "0001_editors_edit_conditions"),
        ("guides", "0017_claims_failure_checks_tie_breaks"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
