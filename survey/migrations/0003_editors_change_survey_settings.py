"""Editors set the survey's numbers (Settings → Recommend survey settings)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = ["change_surveysettings"]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="survey", codename__in=EDITOR_PERMISSIONS
    )


def forwards(apps, schema_editor):
    # Permissions are normally made after all migrations; make this app's now.
    app_config = apps.get_app_config("survey")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*_permissions(apps))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0002_email_rounds_preferences_settings"),
        ("community", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
