"""Taking part is worth more than a purchase: a solution and a guide now pay 30 points
(a referred friend's purchase pays 25). Only rules still at their old seeded value
change; a value an editor chose stays."""

from django.db import migrations

# action: (old points, new points); the same values as referrals.points.DEFAULT_RULES.
CHANGES = {
    "solution": (15, 30),
    "guide": (20, 30),
}


def raise_defaults(apps, schema_editor):
    PointsRule = apps.get_model("referrals", "PointsRule")
    for action, (old, new) in CHANGES.items():
        PointsRule.objects.filter(action=action, points=old).update(points=new)


def restore_defaults(apps, schema_editor):
    PointsRule = apps.get_model("referrals", "PointsRule")
    for action, (old, new) in CHANGES.items():
        PointsRule.objects.filter(action=action, points=new).update(points=old)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0006_warm_actions")]

    operations = [migrations.RunPython(raise_defaults, restore_defaults)]
