"""A blog post names each author once, whatever Wagtail's editor sends (issue 11).

Autosave saves a draft in the background and tells the open editor the ids of the rows it
made; a Publish clicked before that answer arrives sends the same author again as a new
row. The feed then said "Eddie Brooks, Eddie Brooks".
"""

from __future__ import annotations

import pytest
from defusedxml import ElementTree
from django.db import IntegrityError, transaction
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from blog.models import BlogPage, BlogPageAuthor
from tests.blog.factories import make_author, make_post

pytestmark = pytest.mark.django_db

DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


def _edit_data(post: BlogPage, *author_ids: int, **extra: str) -> dict:
    data = nested_form_data(
        {
            "title": post.title,
            "slug": post.slug,
            "date": "2026-03-01",
            "intro": "An introduction for the listing.",
            "tags": "",
            "hero_image": "",
            # No ids: what the editor sends before autosave's answer has filled them in.
            "post_authors": inline_formset([{"author": pk} for pk in author_ids]),
            "body": streamfield([("paragraph", rich_text("<p>Words.</p>"))]),
            "comments": inline_formset([]),
        }
    )
    data.update(extra)
    return data


def _feed_creators(client) -> list[str]:
    channel = ElementTree.fromstring(client.get("/blog/feed/rss/").content).find("channel")
    return [item.findtext(DC_CREATOR) for item in channel.findall("item")]


def test_autosave_then_publish_names_the_author_once(editor_client, visitor_client):
    eddie = make_author("Eddie Brooks")
    post = make_post("Spring news", publish=False)
    url = f"/admin/pages/{post.pk}/edit/"
    # Autosave: a background save of the draft, answered in JSON.
    autosave = editor_client.post(url, _edit_data(post, eddie.pk), HTTP_ACCEPT="application/json")
    assert autosave.status_code == 200, autosave.content
    assert autosave.json()["success"]
    # Publish, clicked before the autosave's ids reached the form.
    published = editor_client.post(url, _edit_data(post, eddie.pk, **{"action-publish": "1"}))
    assert published.status_code == 302, published.content

    post.refresh_from_db()
    assert post.live
    assert [author.name for author in post.authors] == ["Eddie Brooks"]
    assert BlogPageAuthor.objects.filter(page=post).count() == 1
    assert _feed_creators(visitor_client) == ["Eddie Brooks"]
    page = visitor_client.get(post.url).content.decode()
    assert page.count('<p class="byline__name">Eddie Brooks</p>') == 1


def test_the_same_author_twice_in_one_form_is_refused_with_a_message(editor_client):
    eddie = make_author("Eddie Brooks")
    post = make_post("Spring news", publish=False)
    response = editor_client.post(
        f"/admin/pages/{post.pk}/edit/", _edit_data(post, eddie.pk, eddie.pk)
    )
    assert response.status_code == 200  # the form again, not a redirect
    assert "Eddie Brooks is already an author of this post." in response.content.decode()
    assert BlogPageAuthor.objects.filter(page=post).count() == 0


def test_publishing_a_revision_that_repeats_an_author_keeps_the_first(visitor_client):
    eddie, rosa = make_author("Eddie Brooks"), make_author("Rosa Lind")
    post = make_post("Spring news", publish=False)
    # A revision saved by an older editor session, with the author repeated.
    post.post_authors = [
        BlogPageAuthor(author=eddie),
        BlogPageAuthor(author=rosa),
        BlogPageAuthor(author=eddie),
    ]
    post.save_revision().publish()
    post.save_revision().publish()  # published twice

    post.refresh_from_db()
    assert [author.name for author in post.authors] == ["Eddie Brooks", "Rosa Lind"]
    assert _feed_creators(visitor_client) == ["Eddie Brooks, Rosa Lind"]


def test_the_database_refuses_a_repeated_author():
    eddie = make_author("Eddie Brooks")
    post = make_post("Spring news", authors=(eddie,))
    with pytest.raises(IntegrityError), transaction.atomic():
        BlogPageAuthor.objects.create(page=post, author=eddie)
