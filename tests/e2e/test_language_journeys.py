"""A newcomer's whole first visit in Estonian and in Ukrainian, in real browsers against a
live server: the page comes in the browser's language (Estonian, from Accept-Language)
or the one picked in the footer (Ukrainian) → sign up and confirm from the outbox (the
email in that language) → start a forum topic and reply → say something in a chat room
that a member who reads in that language (their profile's) sees arrive → invite a friend
by email, in the inviter's language → answer the recommend survey.

Every word asserted is read from the catalogs (Django's and the scripts' djangojs), never
written here, and checked to be a translation (not the English left as it was)."""

from __future__ import annotations

import email
import gettext as gettext_module
import re
from datetime import timedelta
from email import policy
from email.message import EmailMessage

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import expect

from community.models import User
from hearth.catalogs import LOCALE_DIR
from tests.chat.factories import make_room
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category

# The server and the browsers share a small, busy machine: be patient, not flaky.
WAIT = 15_000
NEWCOMER_PASSWORD = "a-long-and-lovely-passphrase-42"


def _(language: str, msgid: str, **values: object) -> str:
    """`msgid` as the catalogs say it in `language` (asserted to be translated)."""
    with translation.override(language):
        text = gettext(msgid)
    assert text != msgid, f"{msgid!r} is not translated into {language}"
    return text % values if values else text


def _n(language: str, singular: str, plural: str, n: int, **values: object) -> str:
    with translation.override(language):
        text = ngettext(singular, plural, n)
    assert text not in (singular, plural), f"{singular!r} is not translated into {language}"
    return text % {"n": n, **values}


def _js_n(language: str, singular: str, plural: str, n: int, **values: object) -> str:
    """What the page's scripts say (the djangojs catalog) for a count."""
    catalog = gettext_module.translation("djangojs", str(LOCALE_DIR), languages=[language])
    text = catalog.ngettext(singular, plural, n)
    assert text not in (singular, plural), f"{singular!r} is not translated into {language}"
    return text % {"n": n, **values}


def _emails_to(server, address: str) -> list[EmailMessage]:
    """The messages delivered to `address`, read as bytes: the file backend writes
    non-ASCII bodies as 8-bit UTF-8, which the conftest's text reader does not decode."""
    found = []
    for path in sorted(server.outbox.iterdir(), key=lambda p: p.stat().st_mtime):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                message = email.message_from_bytes(chunk.strip(), policy=policy.default)
                if address in (message["To"] or ""):
                    found.append(message)
    return found


def _body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _expect_language(page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize(
    ("language", "how"),
    [("et", "browser"), ("uk", "footer")],
    ids=["estonian-from-the-browser", "ukrainian-from-the-footer"],
)
def test_a_newcomer_joins_posts_chats_invites_and_answers_in_their_language(
    browser, new_page, asgi_server, language, how
):
    make_category(name="Baking", slug="baking")
    make_room(slug="lobby", name="Lobby")
    # A member who chose the language on their profile, to watch the chat room.
    make_member(username="sam", display_name="Sam", language=language, joined_days_ago=40)
    username = {"et": "mari", "uk": "oksana"}[language]
    address = f"{username}@example.com"

    # --- A visitor arrives: in the browser's language, or picks one in the footer. ----
    if how == "browser":
        context = browser.new_context(
            base_url=asgi_server.url, viewport={"width": 1280, "height": 900}, locale="et-EE"
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto("/")
    else:
        context = None
        page = new_page()
        page.goto("/")
        _expect_language(page, "en-gb")
        page.get_by_label("Language").select_option(language)
        page.get_by_role("button", name="Change language").click()
    try:
        _expect_language(page, language)
        nav = page.locator("#site-nav")
        expect(nav.get_by_role("link", name=_(language, "Forum"), exact=True)).to_be_visible()

        # --- Sign up and confirm from the outbox. ----------------------------------------
        page.get_by_role("link", name=_(language, "Join"), exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            _(language, "Join %(site_name)s", site_name=settings.SITE_NAME)
        )
        page.get_by_label(_(language, "Email")).fill(address)
        page.get_by_label(_(language, "Username")).fill(username)
        page.locator("#id_password1").fill(NEWCOMER_PASSWORD)
        page.get_by_label(_(language, "Password (again)")).fill(NEWCOMER_PASSWORD)
        page.get_by_role("button", name=_(language, "Sign up"), exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            _(language, "Verify your email address")
        )
        _expect_language(page, language)
        (confirmation,) = _emails_to(asgi_server, address)
        body = _body(confirmation)
        assert _(language, "To confirm it is yours, open this link:") in body
        link = re.search(r"http://[^/\s]+(/accounts/confirm-email/[^\s]+/)", body)
        assert link, body
        page.goto(link.group(1))
        page.get_by_role("button", name=_(language, "Confirm"), exact=True).click()
        expect(page.get_by_role("link", name=username, exact=True)).to_be_visible()
        _expect_language(page, language)
        member = User.objects.get(username=username)

        # Sam, a member whose profile says the language, in an English browser.
        sam = new_page()
        sign_in(sam, "sam@example.com", PASSWORD)

        # --- Start a topic; Sam replies to it. -------------------------------------------
        page.goto("/forum/new/?category=baking")
        expect(page.get_by_role("heading", level=1)).to_have_text(_(language, "Start a topic"))
        page.get_by_label(_(language, "Title")).fill("Leib, bread, хліб")
        page.get_by_label(_(language, "Your post")).fill("My first loaf: rye.")
        page.get_by_role("button", name=_(language, "Start the topic"), exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Leib, bread, хліб")
        topic_url = page.url
        sam.goto(topic_url)
        _expect_language(sam, language)
        sam.get_by_label(_(language, "Your post")).fill("Give it a longer proof.")
        sam.get_by_role("button", name=_(language, "Post reply"), exact=True).click()
        expect(sam.get_by_text(_(language, "Your reply is posted."))).to_be_visible()
        page.reload()
        expect(page.locator("#post-2")).to_contain_text("Give it a longer proof.")
        _expect_language(page, language)

        # --- Chat: Sam sees the newcomer's message arrive. -------------------------------
        sam.goto("/chat/lobby/")
        page.goto("/chat/lobby/")
        for p in (page, sam):
            expect(p.locator(".chat.is-live")).to_be_visible(timeout=WAIT)
            expect(p.locator("[data-presence]")).to_have_text(
                _js_n(
                    language,
                    "%(n)s here now: %(names)s",
                    "%(n)s here now: %(names)s",
                    2,
                    names=f"{username}, Sam",
                ),
                timeout=WAIT,
            )
        box = page.get_by_role("textbox", name=_(language, "Message"), exact=True)
        box.fill("Tere! Привіт!")
        box.press("Enter")
        expect(box).to_have_value("", timeout=WAIT)
        expect(sam.locator("[data-log]")).to_contain_text("Tere! Привіт!", timeout=WAIT)
        mine = page.locator("[data-log] li", has_text="Tere! Привіт!")
        # The live message wears the server's markup, rendered in the socket's language.
        expect(mine.get_by_role("link", name=_(language, "Edit"), exact=True)).to_be_visible()

        # --- Invite a friend: the email is in the inviter's language. --------------------
        page.goto("/referrals/")
        _expect_language(page, language)
        page.get_by_label(_(language, "Friends' email addresses")).fill("friend@example.com")
        page.get_by_role("button", name=_(language, "Send invitations"), exact=True).click()
        sent = _n(
            language,
            "Your invitation is on its way to %(count)s address.",
            "Your invitation is on its way to %(count)s addresses.",
            1,
            count=1,
        )
        expect(page.get_by_text(sent)).to_be_visible()
        (invitation,) = _emails_to(asgi_server, "friend@example.com")
        assert invitation["Subject"] == _(
            language,
            "%(name)s invites you to %(site_name)s",
            name=member.name,
            site_name=settings.SITE_NAME,
        )
        body = _body(invitation)
        assert _(language, "Join here:") in body
        assert (
            _(
                language,
                "%(sender)s invites you to %(site_name)s, a community for people who love "
                "what we make.",
                sender=member.name,
                site_name=settings.SITE_NAME,
            )
            in body
        )

        # --- A month on, the survey asks; the member answers 10. -------------------------
        User.objects.filter(pk=member.pk).update(date_joined=timezone.now() - timedelta(days=40))
        page.goto("/")
        card = page.get_by_role(
            "group", name=_(language, "How likely are you to recommend us to a friend?")
        )
        card.get_by_role(
            "button", name=_(language, "%(n)s out of 10, extremely likely", n=10), exact=True
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            _(language, "Thank you for answering")
        )
        expect(
            page.get_by_text(_(language, "You said %(score)s out of 10.", score=10))
        ).to_be_visible()
        expect(page.get_by_role("heading", name=_(language, "Bring a friend"))).to_be_visible()
        _expect_language(page, language)
    finally:
        if context is not None:
            context.close()
