from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import image_bytes, image_upload

pytestmark = pytest.mark.django_db


def _edit_url(member) -> str:
    return f"/members/{member.username}/edit/"


def _form(**overrides) -> dict:
    data = {
        "display_name": "Maya O.",
        "bio": "I bake bread.",
        "birthday_month": "",
        "birthday_day": "",
        "email_on_mention": "on",
    }
    data.update(overrides)
    return data


def test_it_shows_a_public_profile_with_the_join_date(visitor_client, member):
    member.bio = "Weekend baker."
    member.save()
    response = visitor_client.get(f"/members/{member.username}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Maya" in html
    assert "Weekend baker." in html
    assert f'joined <time datetime="{member.date_joined:%Y-%m-%d}' in html
    assert "Edit your profile" not in html


def test_it_404s_for_an_unknown_member(visitor_client):
    assert visitor_client.get("/members/nobody-here/").status_code == 404


def test_it_lets_the_owner_edit_their_profile(member_client, member):
    response = member_client.post(_edit_url(member), _form(birthday_month="2", birthday_day="29"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Maya O."
    assert member.bio == "I bake bread."
    assert (member.birthday_month, member.birthday_day) == (2, 29)
    page = member_client.get(response["Location"]).content.decode()
    assert "29 February" in page
    assert "Your profile is saved." in page


def test_it_forbids_editing_someone_elses_profile(other_member_client, member):
    assert other_member_client.get(_edit_url(member)).status_code == 403
    response = other_member_client.post(_edit_url(member), _form(display_name="Hacked"))
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.display_name == "Maya"


def test_it_forbids_a_moderator_editing_a_members_profile(moderator_client, member):
    assert moderator_client.post(_edit_url(member), _form()).status_code == 403


def test_it_sends_a_visitor_to_sign_in_before_editing(visitor_client, member):
    response = visitor_client.get(_edit_url(member))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_rejects_the_wrong_method(member_client, member):
    assert member_client.put(_edit_url(member)).status_code == 405
    assert member_client.post(f"/members/{member.username}/").status_code == 405


def test_it_reencodes_the_avatar_under_a_generated_name_without_metadata(member_client, member):
    exif = Image.Exif()
    exif[0x010E] = "secret location note"  # ImageDescription
    upload = SimpleUploadedFile(
        "../../etc/passwd.jpg",
        image_bytes("JPEG", (800, 600), exif=exif.tobytes()),
        content_type="image/jpeg",
    )
    response = member_client.post(_edit_url(member), _form(avatar_upload=upload))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.avatar.name.startswith("avatars/")
    assert "passwd" not in member.avatar.name
    with member.avatar.open("rb") as stored:
        data = stored.read()
    assert b"secret location note" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert max(image.size) <= 512
    assert not image.getexif()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("notes.png", b"this is not an image", content_type="image/png"),
            "not an image we can read",
        ),
        (image_upload("anim.gif", fmt="GIF"), "That file type is not allowed"),
        (image_upload("huge.png", fmt="PNG", size=(10000, 5000)), "megapixels"),
        (
            SimpleUploadedFile("big.jpg", b"\xff" * (6 * 1024 * 1024), content_type="image/jpeg"),
            "the limit is 5 MB",
        ),
    ],
    ids=["not-an-image", "gif", "50-megapixels", "6-mb"],
)
def test_it_rejects_a_bad_avatar_and_saves_nothing(member_client, member, upload, message):
    response = member_client.post(
        _edit_url(member), _form(display_name="Changed", avatar_upload=upload)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Maya"
    assert not member.avatar


def test_it_rejects_a_bio_over_500_characters(member_client, member):
    response = member_client.post(_edit_url(member), _form(bio="x" * 10_000))
    assert response.status_code == 200
    assert "A bio can be at most 500 characters (this one has 10,000)." in response.content.decode()
    member.refresh_from_db()
    assert member.bio == ""


@pytest.mark.parametrize(
    ("month", "day", "message"),
    [
        ("2", "31", "February has 29 days; 31 is not a valid day."),
        ("4", "31", "April has 30 days"),
        ("2", "", "Give both the month and the day"),
        ("13", "1", "Select a valid choice"),
        ("x", "1", "Select a valid choice"),
    ],
)
def test_it_rejects_an_invalid_birthday(member_client, member, month, day, message):
    response = member_client.post(_edit_url(member), _form(birthday_month=month, birthday_day=day))
    assert response.status_code == 200
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.birthday_month is None
    assert member.display_name == "Maya"


def test_it_escapes_hostile_display_names_and_bios(visitor_client, member):
    member.bio = "<script>alert(1)</script>"
    member.save()
    html = visitor_client.get(f"/members/{member.username}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_it_refuses_angle_brackets_in_display_names(member_client, member):
    response = member_client.post(_edit_url(member), _form(display_name="<img src=x>"))
    assert response.status_code == 200
    assert "cannot contain" in response.content.decode()
