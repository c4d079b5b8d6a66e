"""Muting is a moderator's decision (community.chat.actions.mute_member checks it): editors
keep seeing mutes in the admin but no longer get buttons the action would refuse."""

from django.db import migrations

TAKEN = ["add_roommute", "change_roommute", "delete_roommute"]


def take(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="chat", codename__in=TAKEN)
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*permissions)


def give_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="chat", codename__in=TAKEN)
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [("chat", "0003_message_client_ref")]

    operations = [migrations.RunPython(take, give_back)]
