"""The weekly digest as a member reads it: rendered in a 360 px mail window, sent once,
and stopped by the mail client's one-click POST (RFC 8058)."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from community import digest
from community.models import MemberDay, User
from tests.e2e.conftest import screenshot
from tests.factories import make_member
from tests.forum.factories import make_category, make_reply, make_topic


def test_a_digest_reads_well_on_a_phone_goes_once_and_stops_with_one_click(browser, asgi_server):
    make_category(name="Baking", slug="baking")
    nell = make_member(username="nell", display_name="Nell", joined_days_ago=60)
    MemberDay.objects.create(member=nell, day=timezone.localdate() - timedelta(days=9))
    sam = make_member(username="sam", display_name="Sam")
    MemberDay.objects.create(member=sam, day=timezone.localdate())  # here today: no digest
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        topic = make_topic(
            author=sam, title="A very long topic title about rye, spelt and emmer flours"
        )
        make_reply(topic=topic, author=sam)

    assert digest.send_digests().sent == 1
    assert digest.send_digests().sent == 0  # the same week: never twice
    [message] = asgi_server.emails_to("nell@example.com")
    assert message["Subject"] == "What you missed on Hearth"
    html = next(_text(part) for part in message.walk() if part.get_content_type() == "text/html")

    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.set_content(html)
    assert page.get_by_role("heading", level=1).inner_text() == "What you missed on Hearth"
    assert page.get_by_role("link", name=topic.title).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "digest-email-360")
    context.close()

    # The mail client's one-click unsubscribe: a POST with no cookie and no CSRF token.
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    path = unsubscribe.split("://", 1)[1].split("/", 1)[1]
    api = browser.new_context(base_url=asgi_server.url).request
    response = api.post(
        f"/{path}",
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    assert "You will not get digest emails any more" in response.text()
    assert not User.objects.get(pk=nell.pk).digest_emails


def _text(part) -> str:
    """A part's text as written (the outbox keeps 8-bit parts as they are)."""
    if part.get("Content-Transfer-Encoding", "").lower() in ("quoted-printable", "base64"):
        return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return part.get_payload()
