"""Writing guides on the site: /guides/new/, /guides/<id>/edit/, preview and images."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model

from blog.models import GuidePage
from blog.review import guide_status
from tests.blog.factories import published_guide, submit, write_guide
from tests.factories import image_bytes, image_upload, make_member

pytestmark = pytest.mark.django_db

BODY = "Bread needs time.\n\n## Steps\n\n1. Mix\n2. Wait\n\n> Be patient."


def form_data(**overrides) -> dict:
    data = {
        "title": "Proofing bread at home",
        "summary": "How long to let dough rise.",
        "difficulty": "beginner",
        "tags": "Baking, bread ,baking",
        "co_authors": "",
        "body": BODY,
        "image_alt": "",
        "image_caption": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_it_shows_the_guide_form_with_formatting_help(member_client):
    response = member_client.get("/guides/new/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Write a guide</h1>" in html
    assert 'enctype="multipart/form-data"' in html
    assert "How to format" in html
    assert 'name="action" value="submit"' in html


def test_it_saves_a_new_guide_as_a_private_draft_owned_by_the_member(member_client, member):
    response = member_client.post("/guides/new/", form_data())
    guide = GuidePage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/guides/{guide.pk}/edit/"
    assert guide.author == member and guide.owner == member
    assert not guide.live
    assert guide.slug == "proofing-bread-at-home"
    revision = guide.latest_revision
    assert revision.user == member
    latest = guide.get_latest_revision_as_object()
    assert [block.block_type for block in latest.body] == ["text", "heading", "steps", "tip"]
    assert sorted(tag.name for tag in latest.tags.all()) == ["baking", "bread"]
    assert guide_status(guide).key == "draft"
    assert member_client.get(guide.url or "/guides/proofing-bread-at-home/").status_code == 404


def test_it_keeps_what_was_typed_and_explains_the_errors(member_client):
    response = member_client.post(
        "/guides/new/",
        form_data(title="Hi", body="Fine\n\n![a cat](image:999)", co_authors="nobody_here"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value has at least 5 characters" in html
    assert "Line 3: image 999 is not one of the images uploaded for this guide." in html
    assert "No member has the username “nobody_here”." in html
    assert "How long to let dough rise." in html  # nothing typed is lost
    assert not GuidePage.objects.exists()


def test_it_turns_an_uploaded_image_into_a_clean_wagtail_image_in_the_guide(member_client, member):
    photo = io.BytesIO()
    exif = PILImage.Exif()
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude: must not survive
    PILImage.new("RGB", (300, 200), (200, 100, 50)).save(photo, "JPEG", exif=exif)
    upload = image_upload("holiday.jpg", "JPEG", (300, 200))
    upload.file = io.BytesIO(photo.getvalue())
    upload.size = len(photo.getvalue())
    response = member_client.post(
        "/guides/new/",
        form_data(image=upload, image_alt="Dough in a bowl", image_caption="After an hour"),
    )
    assert response.status_code == 302
    image = get_image_model().objects.get()
    assert image.uploaded_by_user == member
    assert image.collection.name == "Member guide images"
    assert "holiday" not in image.file.name
    with image.open_file() as f:
        assert not PILImage.open(f).getexif()
    latest = GuidePage.objects.get().get_latest_revision_as_object()
    last = latest.body[-1]
    assert last.block_type == "image"
    assert last.value["image"] == image
    assert last.value["alt"] == "Dough in a bowl" and last.value["caption"] == "After an hour"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("notes.jpg", b"hello, not an image", "image/jpeg"),
            "not an image we can read",
        ),
        (
            SimpleUploadedFile("anim.gif", image_bytes("GIF"), "image/gif"),
            "That file type is not allowed",
        ),
        (SimpleUploadedFile("empty.png", b"", "image/png"), "file is empty"),
    ],
)
def test_it_refuses_files_that_are_not_allowed_images(member_client, upload, message):
    response = member_client.post("/guides/new/", form_data(image=upload, image_alt="x"))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert not GuidePage.objects.exists()


def test_it_refuses_an_image_too_large_in_megapixels(member_client, settings):
    settings.UPLOAD_MAX_PIXELS = 100 * 100
    response = member_client.post(
        "/guides/new/", form_data(image=image_upload("big.png", "PNG", (200, 200)), image_alt="x")
    )
    assert "megapixels" in response.content.decode()
    assert not get_image_model().objects.exists()


def test_it_requires_a_description_with_an_image(member_client):
    response = member_client.post("/guides/new/", form_data(image=image_upload()))
    html = response.content.decode()
    assert "Describe the image for people who cannot see it." in html
    assert "choose it again" in html
    assert not get_image_model().objects.exists()


def test_it_credits_co_authors_by_username(member_client, member, other_member):
    member_client.post("/guides/new/", form_data(co_authors=f"@{other_member.username.upper()}"))
    latest = GuidePage.objects.get().get_latest_revision_as_object()
    assert list(latest.co_authors.all()) == [other_member]


def test_it_refuses_the_author_as_their_own_co_author(member_client, member):
    response = member_client.post("/guides/new/", form_data(co_authors=member.username))
    assert "You are the author already" in response.content.decode()


def test_it_opens_a_draft_for_editing_with_its_markup(member_client, member):
    guide = write_guide(member, title="Kneading by hand", source="Push.\n\n1. Fold\n2. Turn")
    html = member_client.get(f"/guides/{guide.pk}/edit/").content.decode()
    assert 'value="Kneading by hand"' in html
    assert "1. Fold\n2. Turn" in html


def test_it_saves_edits_as_a_new_revision_and_follows_the_new_title(member_client, member):
    guide = write_guide(member, title="First title")
    response = member_client.post(
        f"/guides/{guide.pk}/edit/", form_data(title="A better title", body="New text.")
    )
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.draft_title == "A better title"
    assert guide.slug == "a-better-title"
    assert guide.revisions.count() == 2
    assert guide.get_latest_revision_as_object().body[0].value == "New text."


def test_it_keeps_an_edited_published_guide_live_until_the_editors_approve(
    member_client, member, editor, visitor_client
):
    guide = published_guide(member, editor, title="Live guide", source="Old words.")
    member_client.post(
        f"/guides/{guide.pk}/edit/", form_data(title="Live guide", body="New words.")
    )
    guide.refresh_from_db()
    assert guide.live and guide.has_unpublished_changes
    assert guide.slug == "live-guide"
    assert guide_status(guide).key == "published_with_edits"
    html = visitor_client.get(guide.url).content.decode()
    assert "Old words." in html and "New words." not in html


def test_it_saves_and_submits_in_one_go(member_client, member):
    response = member_client.post("/guides/new/", form_data(action="submit"))
    guide = GuidePage.objects.get()
    assert response.status_code == 302 and response["Location"] == "/guides/mine/"
    assert guide_status(guide).key == "in_review"


def test_it_sends_the_author_back_to_their_guides_while_a_guide_is_in_review(member_client, member):
    guide = write_guide(member)
    submit(guide)
    response = member_client.get(f"/guides/{guide.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == "/guides/mine/"
    response = member_client.post(f"/guides/{guide.pk}/edit/", form_data(body="Sneaky change"))
    assert response.status_code == 302
    assert guide.revisions.count() == 1


def test_it_shows_the_author_a_preview_of_the_latest_draft(member_client, member):
    guide = write_guide(member, title="Previewed", source="Only in the draft.")
    html = member_client.get(f"/guides/{guide.pk}/preview/").content.decode()
    assert "Preview of your latest draft" in html
    assert "Only in the draft." in html
    assert '<meta name="robots" content="noindex">' in html


def test_it_stops_a_silenced_member_from_writing(member_client, member):
    member.silenced_until = timezone.now() + timedelta(days=1)
    member.save(update_fields=["silenced_until"])
    response = member_client.get("/guides/new/")
    assert response.status_code == 403
    assert "You cannot post until" in response.content.decode()
    assert member_client.post("/guides/new/", form_data()).status_code == 403
    assert not GuidePage.objects.exists()


def test_it_gives_new_guides_a_unique_slug_that_never_shadows_the_editor():
    author = make_member()
    first = write_guide(author, title="New")
    second = write_guide(author, title="New")
    assert first.slug == "new-guide"
    assert second.slug == "new-guide-2"
