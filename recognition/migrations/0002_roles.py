"""Editors set challenges and the surprise; moderators and editors audit the draws."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = [
    "add_challenge",
    "change_challenge",
    "delete_challenge",
    "view_challenge",
    "change_surprisesettings",
    "view_surprisedraw",
]
MODERATOR_PERMISSIONS = ["view_surprisedraw"]


def forwards(apps, schema_editor):
    # Permissions are normally made after all migrations; make this app's now.
    app_config = apps.get_app_config("recognition")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(codenames):
        return Permission.objects.filter(
            content_type__app_label="recognition", codename__in=codenames
        )

    moderators, _ = Group.objects.get_or_create(name="Moderators")
    editors, _ = Group.objects.get_or_create(name="Editors")
    moderators.permissions.add(*perms(MODERATOR_PERMISSIONS))
    editors.permissions.add(*perms(EDITOR_PERMISSIONS))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = EDITOR_PERMISSIONS + MODERATOR_PERMISSIONS
    for group in Group.objects.filter(name__in=["Moderators", "Editors"]):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="recognition", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("recognition", "0001_initial"),
        ("community", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
