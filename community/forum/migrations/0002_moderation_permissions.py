"""Moderators and editors manage forum categories and tags in the Wagtail admin.

Moderators also get view permissions on topics, posts and flags so the forum's entries
in Wagtail's audit log (pin, lock, hide, move, edit, flag reviews) are visible to them.
Permissions are normally created after migrations run; create them here first so a
fresh database gets the grants in one `migrate`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

BOTH = [
    f"{action}_{model}"
    for model in ("category", "topictag")
    for action in ("add", "change", "delete", "view")
]
MODERATORS_ONLY = ["view_topic", "view_post", "view_flag"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("forum")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    editors, _ = Group.objects.get_or_create(name="Editors")

    def perms(codenames):
        return list(
            Permission.objects.filter(content_type__app_label="forum", codename__in=codenames)
        )

    moderators.permissions.add(*perms(BOTH + MODERATORS_ONLY))
    editors.permissions.add(*perms(BOTH))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    forum_perms = Permission.objects.filter(content_type__app_label="forum")
    for group in Group.objects.filter(name__in=["Moderators", "Editors"]):
        group.permissions.remove(*forum_perms)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0001_initial"),
        ("community", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
