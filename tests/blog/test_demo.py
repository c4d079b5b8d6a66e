"""The demo content: posts with generated images, published guides, one in review."""

from __future__ import annotations

import io

import pytest
from wagtail.models import WorkflowState

from blog import demo
from blog.models import BlogPage, GuidePage
from community import demo as people

pytestmark = pytest.mark.django_db


def test_it_loads_the_demo_and_a_second_run_changes_nothing(visitor_client):
    out = io.StringIO()
    people.load(stdout=out)
    demo.load(stdout=out)
    posts = BlogPage.objects.live()
    assert posts.count() >= 6
    assert all(post.hero_image_id for post in posts)
    assert GuidePage.objects.live().count() == 7
    assert len({guide.author_id for guide in GuidePage.objects.live()}) >= 4
    in_review = WorkflowState.objects.filter(status="in_progress")
    assert in_review.count() == 1
    counts = (BlogPage.objects.count(), GuidePage.objects.count(), WorkflowState.objects.count())

    demo.load(stdout=out)
    assert (
        BlogPage.objects.count(),
        GuidePage.objects.count(),
        WorkflowState.objects.count(),
    ) == counts

    for url in ["/", "/blog/", "/guides/", "/guides/?sort=helpful", "/search/?q=sourdough"]:
        assert visitor_client.get(url).status_code == 200
    for post in posts:
        assert visitor_client.get(post.url).status_code == 200


def test_it_draws_pictures_without_downloading_anything():
    from PIL import Image

    picture = Image.open(io.BytesIO(demo.draw_picture(3)))
    assert picture.size == (1200, 675)
    assert demo.draw_picture(3) == demo.draw_picture(3)
