"""Trust levels (issue 11): earned by taking part, thresholds from settings, and what a
new member (level 0) cannot do yet: clickable links, images, many invitations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from community import trust
from community.chat import actions as chat_actions
from community.chat.actions import message_payload
from community.forum import actions as forum
from community.forum.models import TopicUser
from community.models import MemberDay, User
from community.moderation import actions as moderation
from community.moderation.models import Penalty
from community.uploads import process_uploaded_image
from referrals import invites
from referrals.actions import ReferralError
from tests.chat.factories import make_message, make_room
from tests.factories import image_upload, make_editor, make_member, make_moderator
from tests.forum.factories import bulk_posts, make_category, make_reply, make_topic

pytestmark = pytest.mark.django_db

LINK = "https://bakery.example/rye"


def new_member(**overrides) -> User:
    """A member whose level comes from their activity alone (none yet)."""
    return make_member(trust_level=None, **overrides)


def earn_member_level(member: User) -> None:
    """What the default thresholds ask for level 1: read five posts, write one."""
    someone = make_member()
    topic = make_topic(author=someone)
    bulk_posts(topic, someone, 4)
    TopicUser.objects.update_or_create(member=member, topic=topic, defaults={"last_read_number": 5})
    make_reply(topic=topic, author=member)
    trust.forget(member.pk)


def fresh(member: User) -> User:
    return User.objects.get(pk=member.pk)


# --- levels ----------------------------------------------------------------------------


def test_a_new_account_is_level_0_and_told_what_unlocks_the_next():
    member = new_member(joined_days_ago=0)
    assert trust.trust_level(member) == trust.NEW
    unlock = trust.next_unlock(member)
    assert unlock == (
        "To unlock links, images and more invitations: wait 2 more days, read 5 more posts "
        "and write your first post."
    )


def test_reading_and_a_first_post_after_two_days_make_a_member():
    member = new_member(joined_days_ago=3)
    assert trust.trust_level(member) == trust.NEW
    earn_member_level(member)
    assert trust.trust_level(fresh(member)) == trust.MEMBER
    assert trust.next_unlock(fresh(member)).startswith("To unlock the regular level: visit on")


def test_a_hidden_post_does_not_count():
    member = new_member(joined_days_ago=3)
    earn_member_level(member)
    post = member.posts.get()
    post.hide(by=make_moderator(), reason="Spam")
    trust.forget(member.pk)
    assert trust.trust_level(fresh(member)) == trust.NEW


def test_regulars_visit_often_reply_often_and_have_no_recent_penalty():
    member = new_member(joined_days_ago=40)
    earn_member_level(member)
    topic = make_topic(author=make_member())
    bulk_posts(topic, member, 10)
    MemberDay.objects.bulk_create(
        [MemberDay(member=member, day=date.today() - timedelta(days=n)) for n in range(20)]
    )
    trust.forget(member.pk)
    assert trust.trust_level(fresh(member)) == trust.REGULAR
    assert trust.next_unlock(fresh(member)) == ""
    User.objects.filter(pk=member.pk).update(silenced_until=timezone.now() - timedelta(days=3))
    trust.forget(member.pk)
    assert trust.trust_level(fresh(member)) == trust.MEMBER
    assert "without a moderator's penalty" in trust.next_unlock(fresh(member))


def test_the_thresholds_come_from_settings(settings):
    member = new_member(joined_days_ago=0)
    settings.HEARTH_TRUST_LEVELS = {"member": {"days_since_joined": 0, "posts_read": 0, "posts": 0}}
    assert trust.trust_level(member) == trust.MEMBER
    # a partial dict keeps the other defaults
    assert trust.thresholds()["regular"]["replies"] == 10


def test_staff_count_as_regulars():
    assert trust.trust_level(make_moderator(trust_level=None)) == trust.REGULAR
    assert trust.trust_level(make_editor(trust_level=None)) == trust.REGULAR


def test_a_granted_level_is_a_floor():
    assert trust.trust_level(make_member(trust_level=1, joined_days_ago=0)) == trust.MEMBER


def test_the_level_is_cached_until_something_changes_it(django_assert_num_queries):
    member = new_member(joined_days_ago=3)
    trust.trust_level(member)
    again = fresh(member)  # a new request: the same member, loaded afresh
    with django_assert_num_queries(0):
        assert trust.trust_level(again) == trust.NEW


# --- days visited ------------------------------------------------------------------------


def test_a_visit_day_is_written_once_a_day_not_once_a_request(
    member_client, member, django_assert_num_queries
):
    assert MemberDay.objects.filter(member=member).count() == 1  # signing in counts
    MemberDay.objects.all().delete()
    cache.clear()
    member_client.get("/")
    member_client.get("/forum/")
    assert list(MemberDay.objects.values_list("day", flat=True)) == [timezone.localdate()]


# --- what level 0 cannot do ------------------------------------------------------------


def test_a_new_members_forum_links_are_text_and_a_members_are_links():
    newcomer = new_member(joined_days_ago=3)
    topic = make_topic(author=newcomer, body=f"See {LINK} and [my shop]({LINK}).")
    html = topic.posts.get(number=1).html
    assert "<a " not in html
    assert LINK in html and "my shop" in html

    regular = make_member()
    reply = make_reply(topic=topic, author=regular, body=f"See {LINK}")
    assert f'<a href="{LINK}" rel="nofollow ugc noopener">{LINK}</a>' in reply.html


def test_a_new_members_post_page_shows_the_link_as_text(visitor_client):
    newcomer = new_member(joined_days_ago=3)
    topic = make_topic(author=newcomer, body=f"Cheap flour at {LINK}")
    page = visitor_client.get(topic.get_absolute_url()).content.decode()
    assert f"Cheap flour at {LINK}" in page
    assert f'href="{LINK}"' not in page


def test_a_new_members_chat_links_are_text():
    room = make_room()
    newcomer = new_member(joined_days_ago=3)
    theirs = message_payload(make_message(room, newcomer, f"look {LINK}"))
    assert theirs["html"] == f"look {LINK}"
    ours = message_payload(make_message(room, make_member(), f"look {LINK}"))
    assert f'<a href="{LINK}"' in ours["html"]


def test_the_chat_room_page_shows_a_new_members_link_as_text(member_client):
    room = make_room()
    make_message(room, new_member(joined_days_ago=3), f"newcomer {LINK}")
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert f"newcomer {LINK}" in page
    assert f'href="{LINK}"' not in page


def test_a_new_member_cannot_attach_an_image():
    newcomer = new_member(joined_days_ago=3)
    image = forum.ImageAttachment(
        content=process_uploaded_image(image_upload("loaf.png")), alt_text="A loaf"
    )
    with pytest.raises(forum.PostingError) as refused:
        forum.start_topic(
            category=make_category(),
            author=newcomer,
            title="My first loaf",
            body="Look!",
            images=[image],
        )
    assert refused.value.message.startswith("New members cannot attach images yet. To unlock")
    assert not newcomer.topics.exists()


def test_a_new_member_sees_why_the_image_was_refused_on_the_reply_form():
    newcomer = new_member(joined_days_ago=3)
    topic = make_topic(author=make_member())
    client = Client()
    client.force_login(newcomer)
    response = client.post(
        f"/forum/t/{topic.pk}/reply/",
        {"body": "See photo", "image": image_upload(), "image_alt": "My oven"},
        follow=True,
    )
    assert response.status_code == 200
    assert "New members cannot attach images yet." in response.content.decode()
    assert not topic.posts.filter(author=newcomer).exists()


def test_the_third_invitation_of_the_day_from_a_new_member_is_refused(settings):
    settings.REFERRAL_INVITES_PER_DAY = 10
    newcomer = new_member(joined_days_ago=0)
    invites.send_invites(sender=newcomer, emails=["a@example.org", "b@example.org"])
    with pytest.raises(ReferralError) as refused:
        invites.send_invites(sender=newcomer, emails=["c@example.org"])
    assert refused.value.message.startswith(
        "You have sent your 2 invitations for today. Try again tomorrow. New members send "
        "fewer invitations. To unlock"
    )


def test_a_member_may_send_more_invitations(settings):
    settings.REFERRAL_INVITES_PER_DAY = 10
    member = make_member()
    result = invites.send_invites(sender=member, emails=[f"f{n}@example.org" for n in range(3)])
    assert result.remaining_today == 7


# --- the profile -------------------------------------------------------------------------


def test_the_member_sees_their_level_and_what_unlocks_the_next():
    newcomer = new_member(username="robin", joined_days_ago=0)
    client = Client()
    client.force_login(newcomer)
    page = client.get("/members/robin/").content.decode()
    assert "Your trust level: <strong>new member</strong>." in page
    assert "To unlock links, images and more invitations:" in page


def test_others_see_the_level_name_but_not_the_steps(member_client):
    new_member(username="robin", joined_days_ago=0)
    page = member_client.get("/members/robin/").content.decode()
    assert "New member" in page
    assert "To unlock" not in page
    assert "Your trust level" not in page


def test_a_new_member_cannot_add_an_image_to_a_guide():
    from tests.blog.test_guide_editor import form_data

    client = Client()
    client.force_login(new_member(joined_days_ago=3))
    response = client.post("/guides/new/", form_data(image=image_upload(), image_alt="A loaf"))
    assert response.status_code == 200
    assert "New members cannot add images yet. To unlock" in response.content.decode()


def test_a_new_members_reply_and_topic_forms_offer_no_image_field_and_say_why():
    newcomer = new_member(joined_days_ago=3)
    topic = make_topic(author=make_member())
    client = Client()
    client.force_login(newcomer)
    for path in (topic.get_absolute_url(), f"/forum/t/{topic.pk}/reply/", "/forum/new/"):
        page = client.get(path).content.decode()
        assert 'type="file"' not in page, path
        assert "Images unlock once you have taken part a little" in page, path


def test_a_members_reply_form_offers_the_image_field():
    member = new_member(joined_days_ago=3)
    earn_member_level(member)
    topic = make_topic(author=make_member())
    client = Client()
    client.force_login(member)
    page = client.get(f"/forum/t/{topic.pk}/reply/").content.decode()
    assert 'type="file"' in page
    assert "Images unlock" not in page


def test_a_chat_mute_or_a_hidden_post_in_the_window_keeps_a_member_from_regular():
    member = new_member(joined_days_ago=40)
    earn_member_level(member)
    bulk_posts(make_topic(author=make_member()), member, 10)
    MemberDay.objects.bulk_create(
        [MemberDay(member=member, day=date.today() - timedelta(days=n)) for n in range(20)]
    )
    trust.forget(member.pk)
    assert trust.trust_level(fresh(member)) == trust.REGULAR
    moderator = make_moderator()

    chat_actions.mute_member(
        room=make_room(), member=member, moderator=moderator, minutes=30, reason="heated"
    )
    assert trust.trust_level(fresh(member)) == trust.MEMBER
    assert "without a moderator's penalty" in trust.next_unlock(fresh(member))

    # Out of the window, it no longer counts.
    long_ago = timezone.now() - timedelta(days=70)
    Penalty.objects.filter(member=member).update(starts_at=long_ago, ends_at=long_ago)
    trust.forget(member.pk)
    assert trust.trust_level(fresh(member)) == trust.REGULAR

    post = member.posts.order_by("-id").first()
    forum.hide_post(post=post, moderator=moderator, reason="Off-topic")
    assert trust.trust_level(fresh(member)) == trust.MEMBER

    # A penalty lifted on appeal was a mistake: it does not hold the member back.
    penalty = Penalty.objects.get(member=member, kind=Penalty.Kind.HIDDEN_POST)
    appeal = moderation.appeal(penalty=penalty, member=member, text="It was on topic.")
    moderation.decide_appeal(
        appeal=appeal, moderator=make_moderator(), decision="lift", reply="Fair enough."
    )
    trust.forget(member.pk)
    assert trust.trust_level(fresh(member)) == trust.REGULAR


def test_many_members_kept_levels_come_in_one_read_of_the_cache(
    monkeypatch, django_assert_num_queries
):
    earned, fresh = new_member(), new_member()
    earn_member_level(earned)
    assert trust.trust_level(User.objects.get(pk=earned.pk)) == trust.MEMBER  # now kept
    members = [User.objects.get(pk=earned.pk), User.objects.get(pk=fresh.pk)]
    reads: list[list[str]] = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(keys) or get_many(keys))

    trust.recall_levels(members)

    assert len(reads) == 1 and len(reads[0]) == 2
    cache.clear()  # what was recalled is on the rows now: nothing read again
    with django_assert_num_queries(0):
        assert trust.trust_level(members[0]) == trust.MEMBER
    assert trust.trust_level(members[1]) == trust.NEW  # not kept: computed as before
