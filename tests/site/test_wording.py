"""Words a person reads: whole verbs, plurals and relative times (issue 11).

Counts go through ngettext / {% blocktranslate count %} and relative times through
naturaltime, so "1 friends", "0 minutes ago" and "silenceed" cannot come back (and the
translations of issue 17 get every plural form).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.actions import notify
from referrals.models import Award, AwardRun, ThankYouTask, Visit
from tests.factories import make_member
from tests.forum.factories import make_category, make_reply, make_topic
from tests.referrals.factories import converted_referral, link_for

pytestmark = pytest.mark.django_db


# --- "Ana Kowalska is silenceed" -------------------------------------------------------


@pytest.mark.parametrize("action,word", [("silence", "silenced"), ("suspend", "suspended")])
def test_a_moderator_reads_the_penalty_in_whole_words(moderator_client, action, word):
    ana = make_member(username="ana", display_name="Ana Kowalska")
    response = moderator_client.post(
        "/members/ana/moderate/",
        {"action": action, "days": 1, "reason": "Cool off"},
        follow=True,
    )
    content = response.content.decode()
    assert f"Ana Kowalska is {word} until" in content
    assert "silenceed" not in content and "suspendeded" not in content
    assert ana.pk


# --- "1 friends" -----------------------------------------------------------------------


def test_the_first_badge_says_one_friend(member):
    converted_referral(referrer=member)
    text = member.notifications.get(kind="referral_badge").text
    assert "1 friend took part for real" in text
    assert "1 friends" not in text


def _award(member, converted: int) -> ThankYouTask:
    run = AwardRun.objects.create(period="2026-04")
    award = Award.objects.create(run=run, period="2026-04", rank=1, member=member, converted=1)
    Award.objects.filter(pk=award.pk).update(converted=converted)
    award.refresh_from_db()
    return ThankYouTask.objects.create(member=member, kind="award", period="2026-04", award=award)


@pytest.mark.parametrize("converted,words", [(1, "1 friend)"), (2, "2 friends)")])
def test_the_thank_you_list_counts_friends(editor_client, member, converted, words):
    _award(member, converted)
    content = editor_client.get("/admin/referrals/thank-you/").content.decode()
    assert words in content
    assert "1 friends" not in content


# --- "1 converted referrals" -------------------------------------------------------------


def test_the_thank_you_page_counts_one_converted_referral(editor_client, member):
    converted_referral(referrer=member)
    task = _award(member, 1)
    content = editor_client.get(f"/admin/referrals/thank-you/{task.pk}/").content.decode()
    assert "Rank #1 with 1 converted referral." in content
    assert "1 converted referral in all." in content
    assert "1 converted referrals" not in content


def test_the_thank_you_page_counts_several_converted_referrals(editor_client, member):
    converted_referral(referrer=member)
    converted_referral(referrer=member)
    task = _award(member, 2)
    content = editor_client.get(f"/admin/referrals/thank-you/{task.pk}/").content.decode()
    assert "Rank #1 with 2 converted referrals." in content
    assert "2 converted referrals in all." in content


# --- "0 minutes ago" -----------------------------------------------------------------------


def test_a_notification_from_just_now_does_not_say_0_minutes_ago(member_client, member):
    notify(recipient=member, kind="mention", text="Sam mentioned you.", url="/")
    content = member_client.get("/notifications/").content.decode()
    assert "0 minutes ago" not in content
    assert "now" in content


def test_an_older_notification_says_how_long_ago(member_client, member):
    notify(recipient=member, kind="mention", text="Sam mentioned you.", url="/")
    member.notifications.update(created_at=timezone.now() - timedelta(minutes=1, seconds=5))
    content = member_client.get("/notifications/").content.decode()
    assert "a minute ago" in content


def test_the_forum_does_not_say_0_minutes_ago(member_client, member, other_member):
    category = make_category()
    topic = make_topic(author=member, category=category, title="Sourdough starters")
    pages = [
        member_client.get("/forum/").content.decode(),
        member_client.get(category.get_absolute_url()).content.decode(),
    ]
    for content in pages:
        assert "0 minutes ago" not in content
        assert "now" in content
    assert "<strong>0</strong> replies" in pages[1]
    make_reply(topic=topic, author=other_member)
    content = member_client.get(category.get_absolute_url()).content.decode()
    assert "<strong>1</strong> reply<" in content


# --- "0 visits from crawlers … are not counted as visits" -----------------------------------


def _crawler_visits(member, count: int) -> None:
    link = link_for(member)
    now = timezone.now()
    for n in range(count):
        Visit.objects.create(
            link=link, is_crawler=True, created_at=now, day=now.date(), visitor=f"bot{n}"
        )


@pytest.mark.parametrize(
    "count,words,not_words",
    [
        (0, "No visits from crawlers or link previews this period.", "0 visits"),
        (
            1,
            "1 visit from a crawler or link preview is not counted above.",
            "1 visits",
        ),
        (
            2,
            "2 visits from crawlers or link previews are not counted above.",
            "2 visit from",
        ),
    ],
)
def test_the_dashboard_counts_crawler_visits_in_words(
    editor_client, member, count, words, not_words
):
    _crawler_visits(member, count)
    content = editor_client.get("/admin/referrals/dashboard/").content.decode()
    assert words in content
    assert not_words not in content


def test_plurals_in_templates_go_through_ngettext_not_pluralize():
    """Django's |pluralize glues English endings on ("repl" + "ies"); languages with three or
    four plural forms need whole sentences, so every plural is a {% blocktranslate count %}."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in root.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "bench" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "|pluralize" in line
    ]
    assert offenders == []
