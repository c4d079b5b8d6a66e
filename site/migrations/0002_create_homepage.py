"""Replace Wagtail's placeholder welcome page with Hearth's HomePage."""

from django.db import migrations

WELCOME = (
    "<p>This is where people who love what we make meet: read the blog, learn from "
    "guides written by members, ask and answer in the forum, chat live, and bring "
    "friends along.</p>"
)


def create_homepage(apps, schema_editor):
    """Turn Wagtail's placeholder page into the HomePage in place (no delete cascade)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("hearth", "HomePage")

    if HomePage.objects.exists():
        return
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="hearth")
    page = Page.objects.filter(depth=2).order_by("path").first()
    if page is None:
        root = Page.objects.get(depth=1)
        page = Page.objects.create(
            title="Home",
            slug="home",
            content_type=content_type,
            path=f"{root.path}0001",
            depth=2,
            numchild=0,
            url_path="/home/",
            live=True,
        )
        root.numchild += 1
        root.save(update_fields=["numchild"])
    Page.objects.filter(pk=page.pk).update(
        title="Home", draft_title="Home", content_type=content_type, seo_title=""
    )
    table = schema_editor.quote_name(HomePage._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (page_ptr_id, headline, welcome) VALUES (%s, %s, %s)",
            [page.pk, "Welcome to the Hearth community", WELCOME],
        )
    Site.objects.filter(is_default_site=True).update(root_page_id=page.pk, site_name="Hearth")


class Migration(migrations.Migration):
    dependencies = [
        ("hearth", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_homepage, migrations.RunPython.noop)]
