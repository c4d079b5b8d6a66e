from django.db import migrations, models


def mark_answered_topics(apps, schema_editor):
    """Topics where a post already answers another (Post.reply_to) say so."""
    Topic = apps.get_model("forum", "Topic")
    Post = apps.get_model("forum", "Post")
    answered = Post.objects.filter(reply_to__isnull=False).values("topic_id")
    Topic.objects.filter(pk__in=answered).update(has_answers=True)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0007_draft"),
    ]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="has_answers",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_answered_topics, migrations.RunPython.noop),
    ]
