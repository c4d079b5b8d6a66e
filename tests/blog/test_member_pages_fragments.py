"""Members' blog and guide pages (blog.fragments): the parts every reader sees alike are
rendered once and kept, so a member's next look reads only the rows that are theirs; yet
every change that shows on a page (publishing an edit, unpublishing, deleting, a byline,
an image, a tag, an author's name, a helpful vote) shows at once, a preview always shows
the draft, and each member still gets their own bits."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from blog import actions, fragments
from tests.blog.factories import (
    draft,
    make_author,
    make_image,
    make_post,
    published_guide,
)
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _look(client: Client, path: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which are masked anew on every request."""
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", html)


def _republish(page, **changes) -> None:
    page = page.get_latest_revision_as_object()
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()


@pytest.fixture
def guide(other_member, editor):
    return published_guide(other_member, editor, title="Folding dough")


# --- fewer queries on the next look ----------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "pinned"),
    [("blog post", 11), ("blog index", 10), ("guide index", 10), ("guide page", 14)],
)
def test_a_members_next_look_reads_only_their_own_rows(
    what, pinned, member_client, other_member, editor, django_assert_num_queries
):
    author = make_author("Ines Holm")
    post = make_post("Crumb shots", tags=("bread",), authors=(author,))
    make_post("Rye in winter", tags=("bread",), authors=(author,))
    guide = published_guide(other_member, editor, title="Folding dough")
    path = {
        "blog post": post.url,
        "blog index": "/blog/",
        "guide index": "/guides/",
        "guide page": guide.url,
    }[what]
    first, first_count = _look(member_client, path)  # renders the fragments, warms the bell
    with django_assert_num_queries(pinned):
        again = member_client.get(path).content.decode()
    assert pinned < first_count
    assert _without_tokens(again) == _without_tokens(first)


def test_the_home_page_keeps_the_blogs_sections_for_members(
    member_client, other_member, editor, django_assert_num_queries
):
    make_post("Crumb shots")
    published_guide(other_member, editor, title="Folding dough")
    first, first_count = _look(member_client, "/")
    with django_assert_num_queries(9):
        again = member_client.get("/").content.decode()
    assert "Crumb shots" in again and "Folding dough" in again
    assert _without_tokens(again) == _without_tokens(first) and first_count > 9


# --- every change that shows, shows at once --------------------------------------------------


def test_publishing_an_edit_shows_on_the_post_the_listing_and_home(member_client):
    post = make_post("Crumb shots")
    for path in (post.url, "/blog/", "/"):
        assert "Crumb shots" in _look(member_client, path)[0]
    _republish(post, title="Crumb shots, again")
    for path in (post.url, "/blog/", "/"):
        assert "Crumb shots, again" in _look(member_client, path)[0]


def test_unpublishing_or_deleting_a_post_takes_it_away_at_once(member_client):
    gone = make_post("Short-lived")
    deleted = make_post("Deleted soon")
    for path in ("/blog/", "/"):
        page = _look(member_client, path)[0]
        assert "Short-lived" in page and "Deleted soon" in page
    gone.unpublish()
    deleted.delete()
    for path in ("/blog/", "/"):
        page = _look(member_client, path)[0]
        assert "Short-lived" not in page and "Deleted soon" not in page


def test_a_new_post_shows_in_the_related_posts_at_once(member_client):
    post = make_post("Crumb shots", tags=("bread",))
    assert "Rye in winter" not in _look(member_client, post.url)[0]
    make_post("Rye in winter", tags=("bread",))
    assert "Rye in winter" in _look(member_client, post.url)[0]


def test_an_authors_new_name_and_photo_show_on_the_byline_at_once(member_client):
    author = make_author("Ines Holm")
    post = make_post("Crumb shots", authors=(author,))
    assert "Ines Holm" in _look(member_client, post.url)[0]
    author.name = "Ines Holm-Berg"
    author.photo = make_image("Ines")
    author.save()
    page = _look(member_client, post.url)[0]
    assert "Ines Holm-Berg" in page and 'class="avatar" src=' in page


def test_an_images_new_description_shows_at_once(member_client):
    post = make_post("Crumb shots")
    assert "Hero" in _look(member_client, post.url)[0]
    image = post.hero_image
    image.description = "A loaf with an open crumb"
    image.save()
    assert 'alt="A loaf with an open crumb"' in _look(member_client, post.url)[0]


def test_a_renamed_tag_shows_at_once(member_client):
    post = make_post("Crumb shots", tags=("bread",))
    assert ">bread</a>" in _look(member_client, post.url)[0]
    tag = post.tags.get()
    tag.name = "Bread and rolls"
    tag.save()
    assert ">Bread and rolls</a>" in _look(member_client, post.url)[0]


def test_a_guide_authors_new_name_and_picture_show_everywhere_at_once(
    member_client, other_member, guide
):
    for path in (guide.url, "/guides/", "/"):
        assert other_member.name in _look(member_client, path)[0]
    other_member.display_name = "Otto the Baker"
    other_member.save()
    for path in (guide.url, "/guides/", "/"):
        assert "Otto the Baker" in _look(member_client, path)[0]


def test_a_helpful_vote_shows_on_the_listing_and_the_guide_at_once(member_client, guide):
    assert "0 found it helpful" in _look(member_client, "/guides/")[0]
    actions.toggle_helpful(guide=guide, member=make_member())
    assert "1 found it helpful" in _look(member_client, "/guides/")[0]
    assert (
        "<span data-helpful-count>1</span> member found this helpful."
        in _look(member_client, guide.url)[0]
    )


# --- each reader still gets their own bits ---------------------------------------------------


def test_each_member_gets_their_own_vote_and_author_line(
    member, member_client, other_member, other_member_client, guide
):
    actions.toggle_helpful(guide=guide, member=member)
    mine = _look(member_client, guide.url)[0]
    authors = _look(other_member_client, guide.url)[0]
    assert 'aria-pressed="true"' in mine and "This is your guide." not in mine
    assert "helpful__button" not in authors and "This is your guide." in authors
    assert member.name in mine and other_member.name in authors  # their own header


def test_a_signed_in_reader_and_a_visitor_with_a_session_see_their_own_listing(
    member_client, client
):
    client.cookies["sessionid"] = "not-signed-in"  # a visitor who is not served kept pages
    assert "Write a guide" in _look(member_client, "/guides/")[0]
    page = _look(client, "/guides/")[0]
    assert "Write a guide</a>" not in page and "to write a guide of your own" in page


def test_a_preview_always_shows_the_draft(member, member_client, editor):
    guide = published_guide(member, editor, title="Folding dough")
    assert "Folding dough" in _look(member_client, guide.url)[0]
    actions.save_guide(
        author=member,
        guide=guide,
        draft=draft(title="Folding dough, second edition"),
    )
    preview = _look(member_client, f"/guides/{guide.pk}/preview/")[0]
    assert "Folding dough, second edition" in preview
    live = _look(member_client, guide.url)[0]
    assert "Folding dough, second edition" not in live


def test_a_fragment_is_kept_per_language_and_time_zone(rf, member):
    request = rf.get("/blog/")
    request.user = member
    english = fragments.key("content", request)
    request = rf.get("/blog/")
    request.user = member
    with translation.override("fr"):
        french = fragments.key("content", request)
    assert english and french and english != french
