"""Several images in one post: one file input that takes several (static/js/images.js adds
pasted and dropped ones to it), one description per line, and clear refusals that name
the file, keeping everything the member wrote."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from community.forum import actions
from community.forum.models import PostImage, Topic
from tests.factories import image_upload, make_member
from tests.forum.factories import make_category, make_topic

BODY = "Three loaves from this morning."


@pytest.fixture
def category(db):
    return make_category(name="Baking", slug="baking")


@pytest.fixture
def topic(member, category):
    return make_topic(author=member, category=category, title="Crumb structure")


def _reply(client, topic, **data):
    return client.post(f"/forum/t/{topic.pk}/reply/", {"body": BODY, **data})


def test_the_forms_offer_one_file_input_that_takes_several(other_member_client, topic):
    for path in (f"/forum/t/{topic.pk}/reply/", "/forum/new/", topic.get_absolute_url()):
        page = other_member_client.get(path).content.decode()
        assert 'type="file" name="images"' in page, path
        assert "multiple" in page.split('name="images"')[1].split(">")[0], path
        assert f'data-max-files="{actions.MAX_IMAGES}"' in page, path
        assert "js/images.js" in page, path


def test_three_images_posted_at_once_show_in_the_post(other_member_client, topic):
    images = [image_upload(f"loaf-{n}.png") for n in range(3)]
    response = _reply(
        other_member_client,
        topic,
        images=images,
        image_alt="A dark crust\nAn open crumb\n\nA sliced loaf",
    )
    assert response.status_code == 302
    post = topic.posts.get(number=2)
    assert post.html.count("<img") == 3
    for alt in ("A dark crust", "An open crumb", "A sliced loaf"):
        assert f'alt="{alt}"' in post.html
    assert PostImage.objects.filter(post=post).count() == 3
    page = other_member_client.get(response["Location"]).content.decode()
    assert page.count('alt="An open crumb"') == 1


def test_a_new_topic_takes_several_images(other_member_client, category):
    response = other_member_client.post(
        "/forum/new/",
        {
            "category": "baking",
            "title": "Two loaves",
            "body": BODY,
            "images": [image_upload("a.png"), image_upload("b.jpg", fmt="JPEG")],
            "image_alt": "First loaf\nSecond loaf",
        },
    )
    assert response.status_code == 302
    opening = Topic.objects.get(title="Two loaves").posts.get(number=1)
    assert opening.html.count("<img") == 2


def test_five_images_are_refused_with_their_names_and_nothing_is_lost(other_member_client, topic):
    images = [image_upload(f"loaf-{n}.png") for n in range(5)]
    lines = "\n".join(f"Loaf {n}" for n in range(5))
    response = _reply(other_member_client, topic, images=images, image_alt=lines)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "A post takes at most 4 images, and you chose 5 (loaf-0.png, loaf-1.png, loaf-2.png, "
        "loaf-3.png, loaf-4.png). Leave some out." in page
    )
    assert BODY in page and "Loaf 4" in page  # what they wrote is still there
    assert not topic.posts.filter(number=2).exists()
    assert not PostImage.objects.exists()


def test_a_file_that_is_not_an_image_is_refused_by_name(other_member_client, topic):
    notes = SimpleUploadedFile("notes.png", b"just some text", content_type="image/png")
    response = _reply(
        other_member_client, topic, images=[image_upload("good.png"), notes], image_alt="A\nB"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "“notes.png”: That file is not an image we can read." in page
    assert "good.png" not in page  # only the file that failed is named
    assert BODY in page
    assert not topic.posts.filter(number=2).exists()


def test_a_too_big_image_is_refused_by_name(other_member_client, topic, settings):
    settings.UPLOAD_MAX_BYTES = 2048
    out = io.BytesIO()
    Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3)).save(out, format="PNG")
    big = SimpleUploadedFile("huge.png", out.getvalue(), content_type="image/png")
    response = _reply(other_member_client, topic, images=[big], image_alt="Huge")
    page = response.content.decode()
    assert "“huge.png”: The image is" in page and "Choose a smaller image." in page
    assert not topic.posts.filter(number=2).exists()


def test_each_image_needs_a_line_of_description(other_member_client, topic):
    response = _reply(
        other_member_client,
        topic,
        images=[image_upload("a.png"), image_upload("b.png")],
        image_alt="Only one",
    )
    page = response.content.decode()
    assert "one line per image: 2 images, 1 description." in page
    assert "Only one" in page
    assert not topic.posts.filter(number=2).exists()


def test_a_description_over_its_limit_is_refused(other_member_client, topic):
    response = _reply(
        other_member_client, topic, images=[image_upload("a.png")], image_alt="x" * 201
    )
    assert "Image 1’s description can be at most 200 characters" in response.content.decode()


def test_a_new_member_sees_no_image_field_and_images_sent_anyway_are_refused(topic):
    from django.test import Client

    newcomer = make_member(joined_days_ago=0)
    client = Client()
    client.force_login(newcomer)
    page = client.get(f"/forum/t/{topic.pk}/reply/").content.decode()
    assert 'type="file"' not in page
    response = _reply(client, topic, images=[image_upload(), image_upload()], image_alt="A\nB")
    assert "New members cannot attach images yet." in response.content.decode()
    assert not topic.posts.filter(author=newcomer).exists()
