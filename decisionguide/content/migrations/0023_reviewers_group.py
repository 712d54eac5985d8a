"""Create the Reviewers group: editors in it may approve another editor's draft.

Reviewers get `guides.approve_guide` (and `publish_guide`, which approving
does); add them to Editors too for editing. Superusers have every permission.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEWERS_GROUP = "Reviewers"
PERMISSIONS = ("approve_guide", "publish_guide", "view_guide", "view_guideversion")


def create_reviewers(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="guides", codename__in=PERMISSIONS)
    )


def remove_reviewers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=REVIEWERS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0022_guide_review_step"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_reviewers, remove_reviewers)]
