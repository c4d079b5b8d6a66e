"""Point the Wagtail Site at BASE_URL and retire Wagtail's default workflow.

Canonical URLs, feeds, sitemaps and social cards use the Site's host name, so it comes
from BASE_URL at deploy time (editors can still change it in the admin). Wagtail's
initial "Moderators approval" workflow would let Hearth's moderators (who have no page
permissions) approve pages; guides have their own Editors workflow.
"""

from urllib.parse import urlparse

from django.conf import settings
from django.db import migrations


def configure(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")

    address = urlparse(settings.BASE_URL)
    if address.hostname:
        port = address.port or (443 if address.scheme == "https" else 80)
        Site.objects.filter(is_default_site=True).update(hostname=address.hostname, port=port)

    for workflow in Workflow.objects.filter(name="Moderators approval"):
        WorkflowPage.objects.filter(workflow=workflow).delete()
        workflow.active = False
        workflow.save(update_fields=["active"])


class Migration(migrations.Migration):
    dependencies = [
        ("hearth", "0002_create_homepage"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(configure, migrations.RunPython.noop)]
