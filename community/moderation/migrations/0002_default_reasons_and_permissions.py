"""A few canned reasons to start with, and the moderators' permissions.

Moderators (only) add, edit and retire canned reasons in the Wagtail admin, and view
penalties, appeals and staff notes, so the audit log's entries about them are theirs to
read. Editors get nothing here: penalties are a moderator's decision.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REASONS = [
    (
        "Personal attacks",
        "Talk about ideas, not people: no insults, name-calling or mocking other members.",
    ),
    (
        "Spam or advertising",
        "No unsolicited promotion, repeated links or messages posted only to advertise.",
    ),
    (
        "Off-topic after warnings",
        "Keep to the topic or room you are in; a moderator asked you to move or stop.",
    ),
    (
        "Sharing someone's private information",
        "Never post anyone's address, phone number, private messages or other personal "
        "details without their consent.",
    ),
]

GRANTED = [
    "add_cannedreason",
    "change_cannedreason",
    "delete_cannedreason",
    "view_cannedreason",
    "view_penalty",
    "view_appeal",
    "view_staffnote",
]


def forwards(apps, schema_editor):
    CannedReason = apps.get_model("moderation", "CannedReason")
    for title, text in REASONS:
        CannedReason.objects.get_or_create(title=title, defaults={"text": text})

    app_config = apps.get_app_config("moderation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(
        *Permission.objects.filter(content_type__app_label="moderation", codename__in=GRANTED)
    )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Moderators"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="moderation"))


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("community", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
