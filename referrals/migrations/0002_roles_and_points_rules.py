"""Moderators review held referrals and manage links; Editors see the dashboard, write
thank-you notes and tune the points rules. Seeds the points rules table."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR_PERMISSIONS = ["review_referral"]
EDITOR_PERMISSIONS = [
    "view_referral_dashboard",
    "send_thank_you",
    "view_pointsrule",
    "change_pointsrule",
]

# action: (points, cap, cap period). Taking part is worth more than buying.
RULES = {
    "topic": (3, 5, "day"),
    "post": (2, 10, "day"),
    "guide": (20, 4, "month"),
    "chat": (1, 10, "day"),
    "reaction_received": (1, 20, "day"),
    "referral_converted": (50, 0, "day"),
    "referral_purchase": (25, 0, "day"),
}


def forwards(apps, schema_editor):
    # Permissions are normally made after all migrations; make this app's now.
    app_config = apps.get_app_config("referrals")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(codenames):
        return Permission.objects.filter(
            content_type__app_label="referrals", codename__in=codenames
        )

    moderators, _ = Group.objects.get_or_create(name="Moderators")
    editors, _ = Group.objects.get_or_create(name="Editors")
    moderators.permissions.add(*perms(MODERATOR_PERMISSIONS))
    editors.permissions.add(*perms(EDITOR_PERMISSIONS))

    PointsRule = apps.get_model("referrals", "PointsRule")
    for action, (points, cap, period) in RULES.items():
        PointsRule.objects.get_or_create(
            action=action, defaults={"points": points, "cap": cap, "cap_period": period}
        )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = MODERATOR_PERMISSIONS + EDITOR_PERMISSIONS
    for group in Group.objects.filter(name__in=["Moderators", "Editors"]):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="referrals", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("community", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
