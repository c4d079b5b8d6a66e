"""Drop repeated bylines (autosave + Publish could name an author twice), keeping the first.

The next migration makes the pair (post, author) unique.
"""

from django.db import migrations


def remove_repeated_authors(apps, schema_editor):
    BlogPageAuthor = apps.get_model("blog", "BlogPageAuthor")
    seen = set()
    repeated = []
    for pk, page_id, author_id in BlogPageAuthor.objects.order_by(
        "page_id", "sort_order", "pk"
    ).values_list("pk", "page_id", "author_id"):
        if (page_id, author_id) in seen:
            repeated.append(pk)
        seen.add((page_id, author_id))
    BlogPageAuthor.objects.filter(pk__in=repeated).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0002_content_structure"),
    ]

    operations = [
        migrations.RunPython(remove_repeated_authors, migrations.RunPython.noop),
    ]
