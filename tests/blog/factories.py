"""Factories for blog posts and guides. Guides go through the real actions and workflow."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtail.models import Collection, WorkflowState

from blog import actions
from blog.actions import GuideDraft
from blog.markup import source_to_blocks
from blog.models import Author, BlogIndexPage, BlogPage, BlogPageAuthor, GuideIndexPage, GuidePage
from tests.factories import image_bytes

_counter = itertools.count(1)

GUIDE_BODY = """Proofing is where bread gets its flavour.

## Steps

1. Mix the dough.
2. Let it rest somewhere warm.

> A cold kitchen just needs more time."""


def blog_index() -> BlogIndexPage:
    return BlogIndexPage.objects.get()


def guide_index() -> GuideIndexPage:
    return GuideIndexPage.objects.get()


def make_image(title: str = "A picture", **kwargs):
    Image = get_image_model()
    image = Image(
        title=title,
        description=kwargs.pop("description", f"{title}, described"),
        file=ContentFile(image_bytes("JPEG", (320, 200)), name=f"img{next(_counter)}.jpg"),
        collection=Collection.get_first_root_node(),
        **kwargs,
    )
    image._set_image_file_metadata()
    image.save()
    return image


def make_author(name: str = "Rosa Lind", **kwargs) -> Author:
    return Author.objects.create(name=name, bio=kwargs.pop("bio", "Bakes things."), **kwargs)


def post_body(words: str = "Hello from the test kitchen.") -> list[dict]:
    return [
        {"type": "heading", "value": {"text": "A heading", "level": "h2"}},
        {"type": "paragraph", "value": f"<p>{words}</p>"},
        {"type": "quote", "value": {"text": "Bake it again.", "attribution": "Rosa"}},
        {"type": "code", "value": {"language": "python", "code": "print('hi')"}},
    ]


def make_post(
    title: str | None = None,
    *,
    tags: tuple[str, ...] = (),
    authors: tuple[Author, ...] = (),
    hero: bool = True,
    publish: bool = True,
    days_ago: int = 0,
    body: list[dict] | None = None,
    intro: str = "An introduction for the listing.",
) -> BlogPage:
    n = next(_counter)
    title = title or f"Blog post {n}"
    post = BlogPage(
        title=title,
        slug=f"{slugify(title)}-{n}",
        intro=intro,
        date=date.today() - timedelta(days=days_ago),
        body=body if body is not None else post_body(),
        hero_image=make_image(f"Hero {n}") if hero else None,
        live=False,
    )
    post.tags.set(list(tags))
    post.post_authors = [BlogPageAuthor(author=author) for author in authors]
    blog_index().add_child(instance=post)
    revision = post.save_revision()
    if publish:
        revision.publish()
        post.refresh_from_db()
    return post


def draft(**overrides) -> GuideDraft:
    n = next(_counter)
    values = {
        "title": f"How to proof dough {n}",
        "summary": "Let bread rise properly.",
        "difficulty": "beginner",
        "body": source_to_blocks(overrides.pop("source", GUIDE_BODY)),
        "tags": ["baking"],
        "co_authors": [],
    }
    values.update(overrides)
    return GuideDraft(**values)


def write_guide(author, **overrides) -> GuidePage:
    return actions.save_guide(author=author, draft=draft(**overrides))


def submit(guide: GuidePage) -> WorkflowState:
    return actions.submit_guide(guide=guide, author=guide.author)


def current_task_state(guide: GuidePage):
    state = WorkflowState.objects.active().get(
        base_content_type__model="page", object_id=str(guide.pk)
    )
    return state.current_task_state.specific


def decide(guide: GuidePage, editor, action: str, comment: str = "") -> None:
    task_state = current_task_state(guide)
    task_state.task.specific.on_action(task_state, editor, action, comment=comment)


def published_guide(author, editor, *, days_ago: int = 0, **overrides) -> GuidePage:
    guide = write_guide(author, **overrides)
    submit(guide)
    decide(guide, editor, "approve")
    guide = GuidePage.objects.get(pk=guide.pk)
    if days_ago:
        when = timezone.now() - timedelta(days=days_ago)
        GuidePage.objects.filter(pk=guide.pk).update(first_published_at=when)
        guide.refresh_from_db()
    return guide
