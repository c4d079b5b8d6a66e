"""Page types: where they can be created, that each one renders, and what it shows."""

from __future__ import annotations

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from blog.models import BlogIndexPage, BlogPage, GuideIndexPage, GuidePage
from hearth.models import HomePage
from tests.blog.factories import (
    blog_index,
    guide_index,
    make_author,
    make_post,
    published_guide,
    write_guide,
)
from tests.factories import make_editor, make_member


def _newest_revision(page):
    return page.revisions.order_by("-created_at", "-pk").first().as_object()


class TestPageRules(WagtailPageTestCase):
    def test_it_allows_the_indexes_only_under_the_home_page(self):
        self.assertAllowedParentPageTypes(BlogIndexPage, {HomePage})
        self.assertAllowedParentPageTypes(GuideIndexPage, {HomePage})
        self.assertCanNotCreateAt(Page, BlogIndexPage)
        self.assertCanNotCreateAt(BlogPage, BlogIndexPage)

    def test_it_allows_posts_only_in_the_blog_and_guides_only_in_the_guides(self):
        self.assertCanCreateAt(BlogIndexPage, BlogPage)
        self.assertCanCreateAt(GuideIndexPage, GuidePage)
        self.assertCanNotCreateAt(GuideIndexPage, BlogPage)
        self.assertCanNotCreateAt(BlogIndexPage, GuidePage)
        self.assertCanNotCreateAt(HomePage, BlogPage)
        self.assertCanNotCreateAt(HomePage, GuidePage)
        self.assertAllowedSubpageTypes(BlogPage, {})
        self.assertAllowedSubpageTypes(GuidePage, {})

    def test_it_allows_one_index_of_each_kind(self):
        home = HomePage.objects.get()
        assert not BlogIndexPage.can_create_at(home)  # the migration made it already
        assert not GuideIndexPage.can_create_at(home)

    def test_it_makes_the_indexes_at_blog_and_guides_in_the_migration(self):
        assert blog_index().url == "/blog/"
        assert guide_index().url == "/guides/"
        assert blog_index().live and guide_index().live
        assert guide_index().get_workflow().name == "Editors review"

    def test_it_renders_every_page_type(self):
        editor = make_editor()
        post = make_post(tags=("news",), authors=(make_author(),))
        guide = published_guide(make_member(), editor)
        self.assertPageIsRenderable(blog_index())
        self.assertPageIsRenderable(blog_index(), route_path="/tags/news/")
        self.assertPageIsRenderable(blog_index(), route_path="/feed/rss/")
        self.assertPageIsRenderable(blog_index(), route_path="/feed/atom/")
        self.assertPageIsRenderable(post)
        self.assertPageIsRenderable(guide_index())
        self.assertPageIsRenderable(guide_index(), query_data={"sort": "helpful"})
        self.assertPageIsRenderable(guide)

    def test_it_lets_editors_edit_and_preview_posts_and_guides_in_the_admin(self):
        editor = make_editor()
        author = make_author()
        post = make_post(authors=(author,))
        helper = make_member()
        guide = published_guide(make_member(), editor, co_authors=[helper])
        post_data = nested_form_data(
            {
                "title": "Edited in the admin",
                "slug": post.slug,
                "date": "2026-03-01",
                "intro": "A new intro.",
                "tags": "news, events",
                "hero_image": "",
                "post_authors": inline_formset([{"author": author.pk}]),
                "body": streamfield(
                    [
                        ("heading", {"text": "New heading", "level": "h2"}),
                        ("paragraph", rich_text("<p>New words.</p>")),
                        ("quote", {"text": "A quote", "attribution": ""}),
                    ]
                ),
                "comments": inline_formset([]),
            }
        )
        self.assertPageIsEditable(post, user=editor, post_data=post_data)
        self.assertPageIsPreviewable(post, user=editor, post_data=post_data)
        # (the helper saves the page again afterwards, so read the revisions themselves)
        assert _newest_revision(post).title == "Edited in the admin"
        guide_data = nested_form_data(
            {
                "title": "Tidied by an editor",
                "slug": guide.slug,
                "summary": "A better summary.",
                "difficulty": "intermediate",
                "tags": "baking",
                "body": streamfield(
                    [
                        ("heading", {"text": "Steps", "level": "h2"}),
                        ("text", "Some **text**."),
                        ("tip", "Keep it cold."),
                        ("code", {"language": "python", "code": "print(1)"}),
                    ]
                ),
                "comments": inline_formset([]),
            }
        )
        self.assertPageIsEditable(guide, user=editor, post_data=guide_data)
        self.assertPageIsPreviewable(guide, user=editor, post_data=guide_data)
        latest = _newest_revision(guide)
        assert latest.title == "Tidied by an editor"
        assert latest.author_id == guide.author_id  # read-only in the admin
        assert list(latest.co_authors.all()) == [helper]  # managed by the member, kept


pytestmark = pytest.mark.django_db


def test_it_shows_a_post_with_its_byline_reading_time_and_tags(visitor_client):
    post = make_post(
        "Autumn bake-off", tags=("events", "recipes"), authors=(make_author("Rosa Lind"),)
    )
    html = visitor_client.get(post.url).content.decode()
    assert "<h1>Autumn bake-off</h1>" in html
    assert "Rosa Lind" in html and "Bakes things." in html
    assert "1 min read" in html
    assert 'href="/blog/tags/events/"' in html
    assert '<pre class="body-code"' in html and "print(&#x27;hi&#x27;)" in html
    assert "Bake it again." in html


def test_it_works_out_reading_time_from_the_words_in_the_body():
    words = " ".join(["word"] * 1000)
    post = make_post(body=[{"type": "paragraph", "value": f"<p>{words}</p>"}])
    assert post.reading_time == 5  # 1000 words at 230 a minute, rounded up


def test_it_requires_alt_text_on_images_in_a_post_and_a_guide():
    from django.core.exceptions import ValidationError

    from tests.blog.factories import make_image

    image = make_image()
    value = [{"type": "image", "value": {"image": image.pk, "alt": "", "caption": ""}}]
    for model in (BlogPage, GuidePage):
        block = model._meta.get_field("body").stream_block
        with pytest.raises(ValidationError):
            block.clean(block.to_python(value))
        value[0]["value"]["alt"] = "A loaf"
        block.clean(block.to_python(value))
        value[0]["value"]["alt"] = ""


def test_it_shows_open_graph_twitter_and_canonical_meta_on_a_post(visitor_client):
    post = make_post("Social cards", intro="A card for sharing.")
    html = visitor_client.get(post.url).content.decode()
    assert f'<link rel="canonical" href="{post.full_url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Social cards">' in html
    assert '<meta property="og:description" content="A card for sharing.">' in html
    assert '<meta property="og:image" content="http' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert 'type="application/rss+xml"' in html and 'type="application/atom+xml"' in html


def test_it_lists_related_posts_by_shared_tags(visitor_client):
    post = make_post("Cast iron care", tags=("kitchen", "care"))
    closest = make_post("Seasoning pans", tags=("kitchen", "care"))
    also = make_post("Knife skills", tags=("kitchen",))
    make_post("Market dates", tags=("events",))
    related = list(post.related_posts())
    assert related == [closest, also]
    html = visitor_client.get(post.url).content.decode()
    assert "Related posts" in html and "Market dates" not in html


def test_it_paginates_the_blog_twelve_posts_a_page(visitor_client):
    for n in range(13):
        make_post(f"Post number {n}", days_ago=n, hero=False)
    first = visitor_client.get("/blog/").content.decode()
    assert "Post number 0" in first and "Post number 12" not in first
    assert "Page 1 of 2" in first
    second = visitor_client.get("/blog/?page=2")
    assert "Post number 12" in second.content.decode()
    assert (
        f'<link rel="canonical" href="{blog_index().full_url}?page=2">' in second.content.decode()
    )
    # Nonsense page numbers show a page rather than an error.
    assert visitor_client.get("/blog/?page=abc").status_code == 200
    assert visitor_client.get("/blog/?page=999").status_code == 200


def test_it_shows_a_tag_archive_and_404s_an_unknown_tag(visitor_client):
    make_post("Tagged", tags=("events",))
    make_post("Untagged")
    response = visitor_client.get("/blog/tags/events/")
    html = response.content.decode()
    assert "Posts tagged “events”" in html
    assert "Tagged" in html and "Untagged" not in html
    assert visitor_client.get("/blog/tags/no-such-tag/").status_code == 404


def test_it_keeps_drafts_out_of_the_blog(visitor_client):
    draft = make_post("Secret plans", publish=False)
    assert "Secret plans" not in visitor_client.get("/blog/").content.decode()
    assert visitor_client.get(draft.url or "/blog/secret-plans/").status_code == 404


def test_it_lists_the_pages_in_the_sitemap(visitor_client, editor):
    post = make_post("In the sitemap")
    guide = published_guide(make_member(), editor)
    hidden = write_guide(make_member())
    xml = visitor_client.get("/sitemap.xml").content.decode()
    assert post.full_url in xml and guide.full_url in xml
    assert blog_index().full_url in xml and guide_index().full_url in xml
    assert hidden.slug not in xml


def test_it_shows_a_guide_with_its_credits_difficulty_and_steps(visitor_client, editor):
    author = make_member(username="maya", display_name="Maya")
    helper = make_member(username="priya", display_name="Priya")
    guide = published_guide(author, editor, co_authors=[helper], difficulty="advanced")
    html = visitor_client.get(guide.url).content.decode()
    assert (
        "Written by" in html
        and 'href="/members/maya/"' in html
        and 'href="/members/priya/"' in html
    )
    assert "Advanced" in html
    assert '<ol class="guide-steps">' in html
    assert 'class="guide-tip"' in html
    assert f'<link rel="canonical" href="{guide.full_url}">' in html


def test_it_rejects_a_reserved_guide_slug():
    from django.core.exceptions import ValidationError

    guide = write_guide(make_member())
    guide.slug = "new"
    with pytest.raises(ValidationError):
        guide.full_clean()
