"""Roles are groups: Members (given at sign-up), Moderators and Editors.

Wagtail's own initial data makes "Moderators" and "Editors" with page permissions. In
Hearth, editors own the pages (add, edit, publish, lock) and the image and document
libraries; moderators reach the admin only for the moderation screens the community
apps add (their permissions are granted by those apps' migrations) and never edit
pages; members never reach the admin.
"""

from django.db import migrations

PAGE_PERMISSIONS_FOR_EDITORS = ["add", "change", "publish", "lock", "unlock"]


def _perm(apps, app_label: str, codename: str):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Page = apps.get_model("wagtailcore", "Page")

    Group.objects.get_or_create(name="Members")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    editors, _ = Group.objects.get_or_create(name="Editors")

    access_admin = _perm(apps, "wagtailadmin", "access_admin")

    # Moderators: admin access for moderation screens, nothing on pages or media.
    GroupPagePermission.objects.filter(group=moderators).delete()
    moderators.permissions.clear()
    if access_admin:
        moderators.permissions.add(access_admin)

    # Editors: pages from the root down, images and documents.
    root = Page.objects.filter(depth=1).first()
    if root is not None:
        for codename in PAGE_PERMISSIONS_FOR_EDITORS:
            permission = Permission.objects.filter(
                content_type__app_label="wagtailcore", codename=f"{codename}_page"
            ).first()
            if permission is not None:
                GroupPagePermission.objects.get_or_create(
                    group=editors, page=root, permission=permission
                )
    editor_permissions = [access_admin]
    for app_label, model in (("wagtailimages", "image"), ("wagtaildocs", "document")):
        for action in ("add", "change", "delete", "choose"):
            editor_permissions.append(_perm(apps, app_label, f"{action}_{model}"))
    editors.permissions.add(*[p for p in editor_permissions if p is not None])


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailusers", "0015_userprofile_keyboard_shortcuts"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
