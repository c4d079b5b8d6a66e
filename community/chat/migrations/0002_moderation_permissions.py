"""Moderators and editors manage chat rooms and mutes in the Wagtail admin.

Both get add/change/delete/view on rooms and on mutes, and view on messages so the
chat's entries in Wagtail's audit log (deletes, mutes, automatic silences, topics) are
visible to them. Permissions are normally created after migrations run; create them
here first so a fresh database gets the grants in one `migrate`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTED = [
    *(
        f"{action}_{model}"
        for model in ("room", "roommute")
        for action in ("add", "change", "delete", "view")
    ),
    "view_chatmessage",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("chat")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(content_type__app_label="chat", codename__in=GRANTED)
    )
    for name in ("Moderators", "Editors"):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    chat_perms = Permission.objects.filter(content_type__app_label="chat")
    for group in Group.objects.filter(name__in=["Moderators", "Editors"]):
        group.permissions.remove(*chat_perms)


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
        ("community", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
