"""The content structure a fresh site needs, so /blog/ and /guides/ work after `migrate`.

- the blog index (/blog/) and the guide index (/guides/) under the home page;
- the "Editors review" workflow (one GroupApprovalTask for the Editors group), assigned to
  both indexes: member guides go through it, and a blog post an editor submits for
  moderation goes to the editors rather than to Wagtail's default Moderators workflow;
- the image collection that member guide images are uploaded into;
- the Editors' permissions on the Author snippet.

Idempotent: each step looks for what it would create first.
"""

from django.db import migrations
from django.utils import timezone

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4
WORKFLOW_NAME = "Editors review"
GUIDE_IMAGES_COLLECTION = "Member guide images"


def _encode(number: int) -> str:
    digits = ""
    while number:
        number, remainder = divmod(number, len(ALPHABET))
        digits = ALPHABET[remainder] + digits
    return digits.rjust(STEPLEN, "0")


def _next_child_path(model, parent) -> str:
    last = (
        model.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    number = int(last[-STEPLEN:], len(ALPHABET)) + 1 if last else 1
    return parent.path + _encode(number)


def _content_type(apps, app_label: str, model: str):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    return content_type


def _add_child_page(apps, parent, model_name: str, *, title: str, slug: str, intro: str):
    Page = apps.get_model("wagtailcore", "Page")
    model = apps.get_model("blog", model_name)
    if model.objects.exists():
        return model.objects.first()
    if Page.objects.filter(
        path__startswith=parent.path, depth=parent.depth + 1, slug=slug
    ).exists():
        return None  # someone made a different page at this address; leave it alone
    now = timezone.now()
    page = model.objects.create(
        title=title,
        draft_title=title,
        slug=slug,
        content_type=_content_type(apps, "blog", model_name.lower()),
        path=_next_child_path(Page, parent),
        depth=parent.depth + 1,
        numchild=0,
        url_path=f"{parent.url_path}{slug}/",
        live=True,
        has_unpublished_changes=False,
        first_published_at=now,
        last_published_at=now,
        locale_id=parent.locale_id,
        intro=intro,
    )
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + 1)
    parent.numchild += 1
    return page


def create_index_pages(apps, schema_editor):
    HomePage = apps.get_model("hearth", "HomePage")
    home = HomePage.objects.order_by("path").first()
    if home is None:
        return
    blog = _add_child_page(
        apps,
        home,
        "BlogIndexPage",
        title="Blog",
        slug="blog",
        intro="<p>News, stories and behind-the-scenes notes from the team.</p>",
    )
    guides = _add_child_page(
        apps,
        home,
        "GuideIndexPage",
        title="Guides",
        slug="guides",
        intro="<p>Guides written by members, reviewed by our editors.</p>",
    )
    _create_review_workflow(apps, [page for page in (guides, blog) if page is not None])


def _create_review_workflow(apps, pages):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    editors, _ = Group.objects.get_or_create(name="Editors")
    task = GroupApprovalTask.objects.filter(name=WORKFLOW_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=WORKFLOW_NAME,
            active=True,
            content_type=_content_type(apps, "wagtailcore", "groupapprovaltask"),
        )
    task.groups.add(editors)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for page in pages:
        WorkflowPage.objects.update_or_create(page_id=page.pk, defaults={"workflow": workflow})


def create_guide_image_collection(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    root = Collection.objects.filter(depth=1).order_by("path").first()
    if root is None or Collection.objects.filter(name=GUIDE_IMAGES_COLLECTION).exists():
        return
    Collection.objects.create(
        name=GUIDE_IMAGES_COLLECTION,
        path=_next_child_path(Collection, root),
        depth=root.depth + 1,
        numchild=0,
    )
    Collection.objects.filter(pk=root.pk).update(numchild=root.numchild + 1)


def grant_editors_author_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    content_type = _content_type(apps, "blog", "author")
    for action in ("add", "change", "delete", "view"):
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_author",
            defaults={"name": f"Can {action} author"},
        )
        editors.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
        ("hearth", "0002_create_homepage"),
        ("community", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_index_pages, migrations.RunPython.noop),
        migrations.RunPython(create_guide_image_collection, migrations.RunPython.noop),
        migrations.RunPython(grant_editors_author_permissions, migrations.RunPython.noop),
    ]
