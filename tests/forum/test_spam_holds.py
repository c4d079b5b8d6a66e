"""Spam signals hold a post for a moderator instead of publishing it (community.forum.spam):
too many links from a new member, the same words in another topic within the hour, a new
member posting in many topics within minutes. Held posts are their author's and the
moderators' only until a moderator approves (published then, once) or rejects them (the
author is told why)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.forum import actions as forum_actions
from community.forum.actions.posting import approve_held_post, reject_held_post
from community.forum.models import Post, Topic
from community.models import Notification
from community.review import needs_review
from community.signals import content_published, warm_action
from tests.factories import make_member, make_moderator
from tests.forum.factories import make_category, make_reply, make_topic
from tests.inbox.conftest import INBOX

pytestmark = pytest.mark.django_db

LINKS = "Try https://a.example, https://b.example and https://c.example today."
COPY = "Buy my sourdough course now, best price on the whole internet, limited offer!"


@pytest.fixture
def category():
    return make_category(name="Baking", slug="baking")


@pytest.fixture
def newcomer():
    """A new member (trust level 0): joined today, has not taken part yet."""
    return make_member(username="nora", display_name="Nora", joined_days_ago=3, trust_level=0)


@pytest.fixture
def topic(category):
    return make_topic(author=make_member(username="sam"), category=category, title="Rye starter")


@pytest.fixture
def signals():
    received: list[tuple[str, dict]] = []

    def published(sender, **kwargs):
        received.append(("published", kwargs))

    def warm(sender, **kwargs):
        received.append((kwargs["action"], kwargs))

    def review(sender, **kwargs):
        received.append(("review", kwargs))

    content_published.connect(published)
    warm_action.connect(warm)
    needs_review.connect(review)
    yield received
    content_published.disconnect(published)
    warm_action.disconnect(warm)
    needs_review.disconnect(review)


def _held_reply(topic: Topic, newcomer) -> Post:
    post = make_reply(topic=topic, author=newcomer, body=LINKS)
    assert post.held_at is not None
    return post


# --- each signal holds ------------------------------------------------------------------


def test_a_new_members_post_with_too_many_links_is_held_and_says_why(topic, newcomer):
    post = make_reply(topic=topic, author=newcomer, body=LINKS)
    assert post.held_at is not None
    assert post.held_reason == ("it has 3 links; new members may post 2 before a moderator looks")


def test_a_new_member_may_post_two_links(topic, newcomer):
    post = make_reply(topic=topic, author=newcomer, body="See https://a.example and www.b.example")
    assert post.held_at is None


def test_the_limits_come_from_the_settings(settings, topic, newcomer):
    settings.HEARTH_SPAM = {"new_member_max_links": 5}
    assert make_reply(topic=topic, author=newcomer, body=LINKS).held_at is None


def test_the_same_words_in_another_topic_within_the_hour_are_held(category):
    member = make_member()  # an established member (trust level 1)
    make_topic(author=member, category=category, title="Course one", body=COPY)
    other = make_topic(author=make_member(), category=category, title="Other topic")
    post = make_reply(topic=other, author=member, body="  " + COPY.upper().replace(" ", "\n "))
    assert post.held_at is not None
    assert "the same words were posted in “Course one”" in post.held_reason


def test_the_same_words_an_hour_later_are_not_held(category):
    member = make_member()
    first = make_topic(author=member, category=category, title="Course one", body=COPY)
    first.posts.update(created_at=timezone.now() - timedelta(minutes=61))
    other = make_topic(author=make_member(), category=category, title="Other topic")
    assert make_reply(topic=other, author=member, body=COPY).held_at is None


def test_a_new_topic_repeating_a_recent_post_is_held_with_its_topic(category):
    member = make_member()
    make_topic(author=member, category=category, title="Course one", body=COPY)
    topic = make_topic(author=member, category=category, title="Course two", body=COPY)
    assert topic.held_at is not None
    assert topic.posts.get(number=1).held_at is not None


def test_a_new_member_posting_in_many_topics_within_minutes_is_held(category, newcomer):
    topics = [
        make_topic(author=make_member(), category=category, title=f"Topic {n}") for n in range(4)
    ]
    posts = [make_reply(topic=t, author=newcomer, body=f"Hello {n}") for n, t in enumerate(topics)]
    assert [p.held_at is not None for p in posts] == [False, False, False, True]
    assert posts[3].held_reason == (
        "it is a post in 4 topics within 10 minutes; new members may post in 3 before a "
        "moderator looks"
    )


def test_moderators_and_regulars_are_never_held(category, topic):
    for author in (make_moderator(), make_member(trust_level=2)):
        make_topic(author=author, category=category, title="Course one", body=COPY + LINKS)
        post = make_reply(topic=topic, author=author, body=COPY + LINKS)
        assert post.held_at is None


# --- who sees a held post -----------------------------------------------------------------


def test_a_held_reply_is_its_authors_and_the_moderators_only(
    topic, newcomer, client, moderator_client, member_client
):
    post = _held_reply(topic, newcomer)
    url = topic.get_absolute_url()
    assert "a.example" not in client.get(url).content.decode()
    assert "a.example" not in member_client.get(url).content.decode()
    assert "Nora" not in member_client.get(url).content.decode()
    assert "a.example" in moderator_client.get(url).content.decode()
    client.force_login(newcomer)
    assert "a.example" in client.get(url).content.decode()
    assert member_client.get(f"/forum/p/{post.pk}/").status_code == 404


def test_a_held_reply_is_left_out_of_counts(topic, newcomer):
    _held_reply(topic, newcomer)
    topic.refresh_from_db()
    assert (topic.reply_count, topic.last_post_number, topic.last_poster.username) == (0, 1, "sam")


def test_a_held_topic_is_not_listed_searched_or_opened_by_others(
    category, newcomer, client, member_client, moderator_client
):
    topic = make_topic(author=newcomer, category=category, title="Croissant deals", body=LINKS)
    assert topic.held_at is not None
    category.refresh_from_db()
    assert category.topic_count == 0
    for reader in (client, member_client, moderator_client):
        assert "Croissant deals" not in reader.get("/forum/").content.decode()
        assert "Croissant deals" not in reader.get(category.get_absolute_url()).content.decode()
        assert "Croissant deals" not in reader.get("/search/?q=croissant").content.decode()
    assert client.get(topic.get_absolute_url()).status_code == 404
    assert member_client.get(topic.get_absolute_url()).status_code == 404
    assert moderator_client.get(topic.get_absolute_url()).status_code == 200
    client.force_login(newcomer)
    assert client.get(topic.get_absolute_url()).status_code == 200


def test_a_held_post_notifies_nobody_and_publishes_nothing(topic, newcomer, signals):
    make_member(username="olga")
    make_reply(topic=topic, author=newcomer, body=LINKS + " @olga @sam")
    assert not Notification.objects.filter(recipient__username__in=["olga", "sam"]).exists()
    assert [name for name, _ in signals] == []


def test_the_author_is_told_the_post_waits_and_why(topic, newcomer, client):
    client.force_login(newcomer)
    response = client.post(f"/forum/t/{topic.pk}/reply/", {"body": LINKS}, follow=True)
    page = response.content.decode()
    assert "Your post is waiting for a moderator because it has 3 links" in page


def test_the_author_of_a_held_topic_is_told_too(category, newcomer, client):
    client.force_login(newcomer)
    data = {"category": category.slug, "title": "Croissant deals", "body": LINKS}
    page = client.post("/forum/new/", data, follow=True).content.decode()
    assert "Your post is waiting for a moderator because it has 3 links" in page
    assert "Your topic is up" not in page


def test_moderators_are_rung_when_a_post_is_held(
    topic, newcomer, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _held_reply(topic, newcomer)
    bell = Notification.objects.get(recipient=moderator, kind="review_needed")
    assert "held for review: it has 3 links" in bell.text
    assert "kind=held_post" in bell.url


# --- approving and rejecting --------------------------------------------------------------


def test_approving_publishes_once_with_notifications_and_the_points_signal(
    topic, newcomer, moderator, signals, django_capture_on_commit_callbacks
):
    make_member(username="olga")
    post = make_reply(topic=topic, author=newcomer, body=LINKS + " @olga")
    signals.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve_held_post(post=post, moderator=moderator)
    post.refresh_from_db()
    topic.refresh_from_db()
    assert (post.held_at, post.held_reason) == (None, "")
    assert (topic.reply_count, topic.last_post_number) == (1, 2)
    assert sorted(name for name, _ in signals) == ["first_post", "published"]
    assert Notification.objects.filter(recipient__username="olga", kind="forum_mention").exists()
    assert Notification.objects.filter(recipient__username="sam", kind="forum_reply").exists()
    assert Notification.objects.filter(recipient=newcomer, kind="forum_approved").exists()

    signals.clear()
    with pytest.raises(Exception, match="already approved"):
        approve_held_post(post=post, moderator=moderator)
    assert signals == []
    assert Notification.objects.filter(recipient__username="olga").count() == 1


def test_approving_a_held_topic_lists_it(category, newcomer, moderator, client):
    topic = make_topic(author=newcomer, category=category, title="Croissant deals", body=LINKS)
    approve_held_post(post=topic.posts.get(number=1), moderator=moderator)
    topic.refresh_from_db()
    category.refresh_from_db()
    assert topic.held_at is None
    assert category.topic_count == 1
    assert "Croissant deals" in client.get("/forum/").content.decode()
    assert "Croissant deals" in client.get("/search/?q=croissant").content.decode()


def test_rejecting_deletes_the_post_and_tells_the_author_why(topic, newcomer, moderator, client):
    post = _held_reply(topic, newcomer)
    reject_held_post(post=post, moderator=moderator, reason="Advertising is not allowed.")
    post.refresh_from_db()
    assert post.deleted_at is not None
    bell = Notification.objects.get(recipient=newcomer, kind="forum_rejected")
    assert "Advertising is not allowed." in bell.text
    client.force_login(newcomer)
    assert "a.example" not in client.get(topic.get_absolute_url()).content.decode()


def test_only_moderators_approve_or_reject(topic, newcomer, member):
    post = _held_reply(topic, newcomer)
    with pytest.raises(Exception, match="Only moderators"):
        approve_held_post(post=post, moderator=member)
    with pytest.raises(Exception, match="Only moderators"):
        reject_held_post(post=post, moderator=member, reason="No")
    post.refresh_from_db()
    assert post.held_at is not None and post.deleted_at is None


# --- the review inbox ---------------------------------------------------------------------


def test_the_inbox_lists_held_posts_with_the_reason(topic, newcomer, moderator_client):
    post = _held_reply(topic, newcomer)
    page = moderator_client.get(INBOX, {"kind": "held_post"}).content.decode()
    assert "Reply by Nora in “Rye starter”" in page
    assert "it has 3 links" in page
    assert f"held_post:{post.pk}" in page


def test_the_inbox_approves_and_a_second_decision_changes_nothing(
    topic, newcomer, moderator_client, signals, django_capture_on_commit_callbacks
):
    post = _held_reply(topic, newcomer)
    signals.clear()
    ref = f"held_post:{post.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        first = moderator_client.post(
            INBOX + "decide/", {"ref": ref, "decision": "approve"}, follow=True
        )
    assert "approved and published" in first.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        again = moderator_client.post(
            INBOX + "decide/",
            {"ref": ref, "decision": "reject", "reason": "Spam"},
            follow=True,
        )
    assert "already approved, rejected or deleted" in again.content.decode()
    post.refresh_from_db()
    assert post.held_at is None and post.deleted_at is None
    assert [name for name, _ in signals].count("published") == 1


def test_the_inbox_rejects_in_bulk_with_one_reason(category, moderator_client):
    posts = []
    for n in range(2):
        author = make_member(username=f"spammer{n}", trust_level=0)
        t = make_topic(author=make_member(), category=category, title=f"Topic {n}")
        posts.append(make_reply(topic=t, author=author, body=LINKS))
    refs = [f"held_post:{p.pk}" for p in posts]
    moderator_client.post(
        INBOX + "bulk/", {"items": refs, "decision": "reject", "reason": "Advertising."}
    )
    for post in posts:
        post.refresh_from_db()
        assert post.deleted_at is not None
        assert Notification.objects.filter(recipient=post.author, kind="forum_rejected").exists()


def test_members_and_editors_cannot_decide(topic, newcomer, member_client, editor_client):
    post = _held_reply(topic, newcomer)
    for client in (member_client, editor_client):
        response = client.post(
            INBOX + "decide/", {"ref": f"held_post:{post.pk}", "decision": "approve"}
        )
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert "/login/" in response["Location"] or response["Location"].rstrip("/") == (
                "/admin"
            )
    post.refresh_from_db()
    assert post.held_at is not None


# "٠١٢٣٤٥٦٧٨٩": int() reads these as digits, so "١" would be item 1.
ARABIC_INDIC = str.maketrans(
    "0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
)


def _junk_keys(pk: int) -> list[str]:
    return ["²", str(pk).translate(ARABIC_INDIC), "9" * 25, "-1", ""]


@pytest.mark.parametrize(
    ("kind", "decision", "gone"),
    [
        ("flag", "dismiss", "This post was deleted or its flags were reviewed meanwhile."),
        ("held_post", "approve", "This post was already approved, rejected or deleted"),
    ],
)
def test_a_junk_key_for_a_forum_item_is_told_as_gone_and_changes_nothing(
    topic, newcomer, moderator_client, kind, decision, gone
):
    post = _held_reply(topic, newcomer)
    for flagger in (make_member(), make_member()):
        forum_actions.flag_post(post=post, flagger=flagger, reason="spam")
    for key in _junk_keys(post.pk):
        response = moderator_client.post(
            INBOX + "decide/", {"ref": f"{kind}:{key}", "decision": decision}, follow=True
        )
        assert response.status_code == 200, key
        assert gone in response.content.decode(), key
    post.refresh_from_db()
    assert (post.held_at is not None, post.open_flag_count) == (True, 2)


def test_the_topic_page_marks_a_held_post_for_its_author_and_moderators(
    topic, newcomer, client, moderator_client
):
    post = _held_reply(topic, newcomer)
    client.force_login(newcomer)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert f'id="post-{post.number}" class="post is-held"' in page
    assert "Waiting for a moderator because it has 3 links" in page
    assert "Review it in the inbox" not in page
    seen_by_moderator = moderator_client.get(topic.get_absolute_url()).content.decode()
    assert "Waiting for a moderator because it has 3 links" in seen_by_moderator
    assert 'href="/admin/inbox/?kind=held_post">Review it in the inbox' in seen_by_moderator


def test_a_held_topic_says_so_on_its_page(category, newcomer, client):
    topic = make_topic(author=newcomer, category=category, title="Croissant deals", body=LINKS)
    client.force_login(newcomer)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "This topic is waiting for a moderator because it has 3 links" in page


def test_unhiding_a_post_that_is_still_held_publishes_nothing(
    topic, newcomer, signals, django_capture_on_commit_callbacks
):
    post = _held_reply(topic, newcomer)
    moderator = make_moderator(username="mia")
    with django_capture_on_commit_callbacks(execute=True):
        forum_actions.hide_post(post=post, moderator=moderator, reason="Looks like an advert")
        forum_actions.unhide_post(post=post, moderator=moderator)
    assert [name for name, _ in signals if name == "published"] == []
    post.refresh_from_db()
    assert post.held_at is not None and not post.hidden
