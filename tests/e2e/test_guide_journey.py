"""A member writes a guide, an editor asks for a change in the Wagtail admin, the member
fixes it and sends it again, the editor approves: the guide is public and credited."""

from __future__ import annotations

import re
from email.header import decode_header, make_header

import pytest

from blog.models import GuidePage
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, image_bytes, make_editor, make_member

TITLE = "Shaping a tight boule"


def _request_changes(editor_page, guide_pk: int, comment: str) -> None:
    editor_page.goto(f"/admin/pages/{guide_pk}/edit/")
    editor_page.get_by_role("button", name="More actions").click()
    editor_page.get_by_role("button", name="Request changes").click()
    dialog = editor_page.get_by_role("dialog")
    dialog.get_by_label("Comment").fill(comment)
    with editor_page.expect_navigation():
        dialog.get_by_role("button", name="Request changes").click()


def _approve(editor_page, guide_pk: int) -> None:
    editor_page.goto(f"/admin/pages/{guide_pk}/edit/")
    editor_page.get_by_role("button", name="More actions").click()
    with editor_page.expect_navigation():
        editor_page.get_by_role("button", name="Approve", exact=True).click()


@pytest.mark.slow
def test_a_guide_goes_from_draft_to_published_through_the_editors_review(
    page, new_page, asgi_server, django_db_serialized_rollback
):
    # The data migration's guide index and review workflow come back with the rollback.
    maya = make_member(username="maya", display_name="Maya Okafor")
    eddie = make_editor(username="eddie", display_name="Eddie Brooks")

    # Maya writes a guide with a photo and sends it for review.
    sign_in(page, maya.email, PASSWORD)
    page.goto("/guides/new/")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Surface tension makes the loaf rise up, not out.")
    page.get_by_label("Difficulty").select_option("intermediate")
    page.get_by_label("Tags").fill("bread, shaping")
    page.get_by_role("textbox", name="Guide", exact=True).fill(
        "A tight skin is the secret.\n\n## Steps\n\n1. Flour the bench lightly.\n"
        "2. Fold the edges to the middle.\n\n> Wet hands stop the dough sticking."
    )
    page.get_by_label("Add an image").set_input_files(
        {"name": "boule.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (400, 300))}
    )
    page.get_by_label("Image description (alt text)").fill("A round loaf on a floured bench")
    page.get_by_role("button", name="Save and send for review").click()
    page.wait_for_url("**/guides/mine/")
    assert "is with the editors" in page.inner_text(".messages")
    assert "In review" in page.inner_text(".my-guides")
    guide = GuidePage.objects.get(title=TITLE)
    assert not guide.live

    # Eddie asks for a change in the Wagtail admin.
    editor_page = new_page()
    sign_in(editor_page, eddie.email, PASSWORD)
    editor_page.goto("/admin/")
    assert TITLE in editor_page.inner_text("body")  # "Awaiting your review"
    _request_changes(editor_page, guide.pk, "Please say how long the bench rest is.")

    # Maya hears about it by email and on her guides page, and fixes the guide.
    link = asgi_server.link_in_last_email_to(maya.email, r"http\S+/guides/\d+/edit/")
    assert "Please say how long the bench rest is." in str(asgi_server.emails_to(maya.email)[-1])
    page.goto("/guides/mine/")
    assert "Changes requested" in page.inner_text(".my-guides")
    assert "Please say how long the bench rest is." in page.inner_text(".my-guides")
    page.goto(re.sub(r"^https?://[^/]+", "", link))
    body = page.get_by_role("textbox", name="Guide", exact=True)
    assert "![A round loaf on a floured bench](image:" in body.input_value()
    body.fill(body.input_value() + "\n\nLet the shaped dough rest on the bench for 20 minutes.")
    page.get_by_role("button", name="Save and send for review").click()
    page.wait_for_url("**/guides/mine/")
    assert "In review" in page.inner_text(".my-guides")

    # Eddie approves; the guide is published.
    _approve(editor_page, guide.pk)
    guide.refresh_from_db()
    assert guide.live

    approval = asgi_server.emails_to(maya.email)[-1]
    assert (
        str(make_header(decode_header(approval["Subject"]))) == f"Your guide “{TITLE}” is published"
    )

    visitor = new_page(360, 800)
    visitor.goto(guide.url)
    assert visitor.get_by_role("heading", level=1).inner_text() == TITLE
    assert "bench for 20 minutes" in visitor.inner_text("main")
    assert "Maya Okafor" in visitor.inner_text(".guide__credit")
    assert visitor.get_by_role("img", name="A round loaf on a floured bench").is_visible()

    visitor.goto("/members/maya/")
    guides_section = visitor.locator(
        "section", has=visitor.get_by_role("heading", name="Guides by Maya Okafor")
    )
    assert TITLE in guides_section.inner_text()
    page.goto("/guides/mine/")
    assert "Published" in page.inner_text(".my-guides")
