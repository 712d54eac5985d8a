"""Publish what visitors already saw, and create the Editors group.

Before 0002 a guide's current version was what visitors saw; it becomes its
published version. A guide without any frozen version can't be listed until
an editor publishes it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS_GROUP = "Editors"
CONTENT_MODELS = (
    "outcome",
    "linkedpage",
    "outcomenextpage",
    "criterion",
    "rating",
    "scenario",
    "scenarioanswer",
    "guideitem",
    "question",
    "choice",
    "choicepoints",
    "gate",
    "note",
    "questionshowclause",
    "gateclause",
    "noteclause",
    "questionshowclausechoice",
    "gateclausechoice",
    "noteclausechoice",
)
EXTRA = [
    ("guides", "add_guide"),
    ("guides", "change_guide"),
    ("guides", "view_guide"),
    ("guides", "publish_guide"),
    ("guides", "view_analytics"),
    ("guides", "view_guideversion"),
    ("guides", "view_answercounter"),
    ("results", "view_result"),
]


def publish_existing(apps, schema_editor):
    Guide = apps.get_model("guides", "Guide")
    GuideVersion = apps.get_model("guides", "GuideVersion")
    for guide in Guide.objects.all():
        frozen = (
            GuideVersion.objects.filter(guide=guide, version__lte=guide.version)
            .order_by("-version")
            .first()
        )
        guide.published_version = frozen
        if frozen is None:
            guide.is_published = False
        guide.save(update_fields=["published_version", "is_published"])


def create_editors(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {("guides", f"{a}_{m}") for m in CONTENT_MODELS for a in ("add", "change", "delete", "view")}
    wanted |= set(EXTRA)
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    perms = [
        p
        for p in Permission.objects.select_related("content_type")
        if (p.content_type.app_label, p.codename) in wanted
    ]
    group.permissions.add(*perms)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0002_publishing_history_analytics"),
        ("results", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
        migrations.RunPython(create_editors, remove_editors),
    ]
