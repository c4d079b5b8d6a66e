"""Editors translate pages in the admin ("Translate this page", wagtail-localize): the
Editors group gets wagtail-localize's permission to submit a page for translation. They
already edit and publish pages from the root down, every language's tree included
(community's roles). A Wagtail locale for every offered language is made after each
migrate (hearth.page_languages.ensure_locales), so a language offered later gets one too."""

from django.db import migrations


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="wagtail_localize", codename="submit_translation"
    ).first()
    if permission is None:
        return
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    permission = Permission.objects.filter(
        content_type__app_label="wagtail_localize", codename="submit_translation"
    ).first()
    if editors is not None and permission is not None:
        editors.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("hearth", "0004_scheduledrun"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
