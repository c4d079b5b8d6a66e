"""The birthday bonus joins the points rules table (editors change it like the others)."""

from django.db import migrations, models


def seed_rule(apps, schema_editor):
    PointsRule = apps.get_model("referrals", "PointsRule")
    # The same default as referrals.points.DEFAULT_RULES; once a year by its own rule.
    PointsRule.objects.get_or_create(
        action="birthday", defaults={"points": 10, "cap": 0, "cap_period": "day"}
    )


def remove_rule(apps, schema_editor):
    apps.get_model("referrals", "PointsRule").objects.filter(action="birthday").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0004_hold_details_and_new_signals"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pointsrule",
            name="action",
            field=models.CharField(
                choices=[
                    ("topic", "starting a forum topic"),
                    ("post", "replying in the forum"),
                    ("guide", "publishing a guide"),
                    ("chat", "a chat message"),
                    ("reaction_received", "getting a reaction from someone"),
                    ("referral_converted", "a referred friend taking part for real"),
                    ("referral_purchase", "a referred friend buying in the shop"),
                    ("birthday", "a birthday bonus (once a year)"),
                ],
                max_length=30,
                unique=True,
            ),
        ),
        migrations.RunPython(seed_rule, remove_rule),
    ]
