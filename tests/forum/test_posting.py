"""start_topic and reply: the rules, the counters, the signals and the notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from community.forum import actions
from community.forum.actions import PostingError, rules
from community.forum.models import Post, StartPermission, Topic, TopicUser
from community.models import Notification
from community.signals import content_published
from hearth.rules import RuleError
from tests.factories import make_member
from tests.forum.factories import make_category, make_reply, make_tag, make_topic


@pytest.fixture
def category(db):
    return make_category(name="Baking", slug="baking")


@pytest.fixture
def captured_signals():
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    content_published.connect(receiver)
    yield received
    content_published.disconnect(receiver)


def test_it_starts_a_topic_with_its_opening_post(member, category):
    topic = actions.start_topic(
        category=category, author=member, title="  My   first loaf ", body="It **rose**!"
    )
    topic.refresh_from_db()
    assert topic.title == "My first loaf"
    assert topic.slug == "my-first-loaf"
    assert topic.get_absolute_url() == f"/forum/t/{topic.pk}-my-first-loaf/"
    first = topic.posts.get()
    assert first.number == 1 and first.author == member
    assert first.html == "<p>It <strong>rose</strong>!</p>\n"
    assert topic.reply_count == 0 and topic.posts_total == 1 and topic.last_post_number == 1
    assert topic.last_poster == member
    category.refresh_from_db()
    assert category.topic_count == 1 and category.last_topic == topic


def test_the_author_watches_and_has_read_their_new_topic(member, category):
    topic = make_topic(author=member, category=category)
    state = TopicUser.objects.get(member=member, topic=topic)
    assert state.watching is True and state.last_read_number == 1


def test_it_sends_content_published_after_commit(
    member, other_member, category, captured_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        topic = make_topic(author=member, category=category)
    with django_capture_on_commit_callbacks(execute=True):
        post = make_reply(topic=topic, author=other_member)
    kinds = [(kw["kind"], kw["obj"], kw["author"]) for _, kw in captured_signals]
    assert kinds == [("topic", topic, member), ("post", post, other_member)]


def test_content_published_names_what_holds_the_content(
    member, other_member, category, captured_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        topic = make_topic(author=member, category=category)
        make_reply(topic=topic, author=other_member)
    senders = [(sender, kw["container"]) for sender, kw in captured_signals]
    assert senders == [(Topic, None), (Post, topic)]


def test_it_sends_nothing_when_the_post_is_refused(member, category, captured_signals):
    with pytest.raises(PostingError):
        actions.start_topic(category=category, author=member, title="Fine title", body="  ")
    assert captured_signals == []
    assert not Topic.objects.exists()


def test_replies_are_numbered_and_the_counters_follow(member, other_member, category):
    topic = make_topic(author=member, category=category)
    a = make_reply(topic=topic, author=other_member)
    b = make_reply(topic=topic, author=member)
    assert (a.number, b.number) == (2, 3)
    topic.refresh_from_db()
    assert topic.reply_count == 2
    assert topic.last_poster == member
    assert topic.last_activity_at == b.created_at
    assert topic.last_post_number == 3


@pytest.mark.parametrize("body", ["", "   ", "\n\t\n", "\u200b\u200b"])
def test_it_refuses_an_empty_post(member, category, body):
    topic = make_topic(author=member, category=category)
    with pytest.raises(PostingError, match="empty"):
        actions.reply(topic=topic, author=member, body=body)


def test_it_refuses_a_post_over_20000_characters_and_says_how_long_it_is(member, category):
    topic = make_topic(author=member, category=category)
    with pytest.raises(PostingError) as info:
        actions.reply(topic=topic, author=member, body="x" * 20_001)
    assert str(info.value) == (
        "A post can be at most 20,000 characters (this one has 20,001). "
        "Split it into two posts or shorten it."
    )
    make_reply(topic=topic, author=member, body="x" * 20_000)


def test_it_refuses_more_than_5_mentions(member, category):
    for name in ("ann", "bob", "cat", "dan", "eve", "fay"):
        make_member(username=name)
    body = "Hi @ann @bob @cat @dan @eve @fay"
    with pytest.raises(PostingError, match="at most 5 people; this one mentions 6"):
        actions.start_topic(category=category, author=member, title="Hello all", body=body)
    make_topic(author=member, category=category, body="Hi @ann @bob @cat @dan @eve @nobody")


def test_it_refuses_titles_that_are_too_short_or_too_long(member, category):
    with pytest.raises(PostingError, match="at least 5"):
        actions.start_topic(category=category, author=member, title=" hi ", body="Body")
    with pytest.raises(PostingError, match=r"this one has 151\)"):
        actions.start_topic(category=category, author=member, title="t" * 151, body="Body")


def test_it_makes_members_wait_20_seconds_between_posts_and_says_until_when(member, category):
    topic = actions.start_topic(category=category, author=member, title="First one", body="A")
    with pytest.raises(PostingError) as info:
        actions.reply(topic=topic, author=member, body="Again")
    message = str(info.value)
    assert "please wait 2" in message or "please wait 1" in message
    assert "you can post again at" in message
    assert topic.posts.count() == 1


def test_a_refusal_is_the_sites_one_kind_with_a_code_and_when_to_try_again(member, category):
    topic = make_topic(author=member, category=category)
    rules.claim_interval(member)
    with pytest.raises(RuleError) as info:
        actions.reply(topic=topic, author=member, body="Again")
    assert isinstance(info.value, PostingError)
    assert info.value.code == "too_fast" and 0 < info.value.retry_after <= 20
    assert info.value.message == str(info.value)


def test_a_refused_post_does_not_cost_the_member_a_wait(member, category):
    topic = make_topic(author=member, category=category)
    with pytest.raises(PostingError):
        actions.reply(topic=topic, author=member, body="   ")
    actions.reply(topic=topic, author=member, body="Now with words")


def test_moderators_are_exempt_from_the_posting_interval(moderator, category):
    topic = actions.start_topic(category=category, author=moderator, title="Rules here", body="A")
    actions.reply(topic=topic, author=moderator, body="B")
    actions.reply(topic=topic, author=moderator, body="C")
    assert topic.posts.count() == 3


def test_a_new_account_may_start_3_topics_on_its_first_day(db, category):
    newcomer = make_member(username="newbie", joined_days_ago=0)
    for i in range(3):
        make_topic(author=newcomer, category=category, title=f"Newcomer topic {i}")
    with pytest.raises(PostingError, match="3 topics in their first day; you can start more from"):
        make_topic(author=newcomer, category=category, title="One too many")


def test_a_new_account_may_post_10_replies_on_its_first_day(db, member, category):
    newcomer = make_member(username="newbie", joined_days_ago=0)
    topic = make_topic(author=member, category=category)
    for _ in range(10):
        make_reply(topic=topic, author=newcomer)
    with pytest.raises(PostingError, match="10 replies in their first day"):
        make_reply(topic=topic, author=newcomer)
    older = make_member(username="oldtimer", joined_days_ago=2)
    for _ in range(11):
        make_reply(topic=topic, author=older)


def test_silenced_members_cannot_post_and_are_told_until_when(member, category):
    topic = make_topic(author=member, category=category)
    member.silenced_until = timezone.now() + timedelta(days=2)
    member.save()
    with pytest.raises(PostingError, match="silenced by a moderator until"):
        actions.reply(topic=topic, author=member, body="Let me speak")
    with pytest.raises(PostingError, match="silenced"):
        actions.start_topic(category=category, author=member, title="Let me speak", body="x")


def test_only_moderators_start_topics_in_announcements(member, moderator):
    news = make_category(name="Announcements", who_may_start=StartPermission.MODERATORS)
    with pytest.raises(PostingError, match="Only moderators can start topics in Announcements"):
        actions.start_topic(category=news, author=member, title="My announcement", body="x")
    topic = make_topic(author=moderator, category=news)
    make_reply(topic=topic, author=member)


def test_replies_to_a_locked_topic_are_refused_with_a_clear_message(member, moderator, category):
    topic = make_topic(author=member, category=category)
    actions.set_locked(topic=topic, moderator=moderator, locked=True)
    with pytest.raises(PostingError, match="This topic is locked: it no longer takes replies."):
        actions.reply(topic=topic, author=member, body="Hello?")
    make_reply(topic=topic, author=moderator, body="Moderators may still reply.")


def test_members_pick_existing_tags_and_moderators_may_create_new_ones(member, moderator, category):
    make_tag("sourdough")
    topic = make_topic(author=member, category=category, tags=("Sourdough",))
    assert [t.name for t in topic.tags.all()] == ["sourdough"]
    with pytest.raises(PostingError, match="Unknown tag “rye”"):
        make_topic(author=member, category=category, tags=("rye",))
    topic = make_topic(author=moderator, category=category, tags=("rye", "sourdough"))
    assert sorted(t.name for t in topic.tags.all()) == ["rye", "sourdough"]


def test_a_topic_has_at_most_5_tags(moderator, category):
    with pytest.raises(PostingError, match="at most 5 tags; you gave 6"):
        make_topic(author=moderator, category=category, tags=tuple("abcdef"))


@pytest.mark.parametrize("bad", ["<script>", "a" * 31, 'x"onmouseover=alert(1)', "../etc"])
def test_tag_names_are_letters_digits_spaces_and_hyphens(moderator, category, bad):
    with pytest.raises(PostingError, match="not a valid tag"):
        make_topic(author=moderator, category=category, tags=(bad,))


def test_watchers_are_notified_of_replies_but_not_about_their_own(member, other_member, category):
    topic = make_topic(author=member, category=category)
    make_reply(topic=topic, author=other_member)
    note = Notification.objects.get(recipient=member)
    assert note.kind == "forum_reply"
    assert note.text == f"Sam replied in “{topic.title}”"
    assert note.url == topic.post_url(2) == f"{topic.get_absolute_url()}#post-2"
    assert not Notification.objects.filter(recipient=other_member).exists()
    # Sam now watches too (he replied): Maya's answer notifies him.
    make_reply(topic=topic, author=member)
    assert Notification.objects.filter(recipient=other_member, kind="forum_reply").count() == 1


def test_a_member_who_stopped_watching_is_not_notified_even_after_replying(
    member, other_member, category
):
    topic = make_topic(author=member, category=category)
    actions.set_watching(topic=topic, member=other_member, watching=False)
    make_reply(topic=topic, author=other_member)
    make_reply(topic=topic, author=member)
    assert not Notification.objects.filter(recipient=other_member).exists()
    assert TopicUser.objects.get(member=other_member, topic=topic).watching is False


def test_mentions_notify_and_email_the_member_once(
    member, other_member, category, django_capture_on_commit_callbacks
):
    topic = make_topic(author=member, category=category)
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(topic=topic, author=other_member, body="@maya @maya what do you think?")
    notes = Notification.objects.filter(recipient=member)
    assert [n.kind for n in notes] == ["forum_mention"]  # not also "forum_reply"
    assert notes[0].text == f"Sam mentioned you in “{topic.title}”"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["maya@example.com"]
    assert "Sam mentioned you" in mail.outbox[0].subject
    assert topic.post_url(2) in mail.outbox[0].body


def test_mention_emails_respect_the_members_setting(
    member, other_member, category, django_capture_on_commit_callbacks
):
    member.email_on_mention = False
    member.save()
    topic = make_topic(author=other_member, category=category)
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(topic=topic, author=other_member, body="Ping @maya")
    assert Notification.objects.filter(recipient=member, kind="forum_mention").count() == 1
    assert mail.outbox == []


def test_mentions_in_a_hidden_topic_do_not_notify_members(
    member, other_member, moderator, category
):
    topic = make_topic(author=moderator, category=category)
    actions.hide_topic(topic=topic, moderator=moderator, reason="Draft")
    make_reply(topic=topic, author=moderator, body="Hey @sam")
    assert not Notification.objects.filter(recipient=other_member).exists()


def test_reply_refuses_a_hidden_or_deleted_topic(member, other_member, moderator, category):
    topic = make_topic(author=member, category=category)
    actions.hide_topic(topic=topic, moderator=moderator, reason="Spam")
    with pytest.raises(PostingError, match="no longer available"):
        actions.reply(topic=topic, author=other_member, body="Hi")


def test_image_attachments_are_stored_and_shown_in_the_post(member, category):
    from community.uploads import process_uploaded_image
    from tests.factories import image_upload

    content = process_uploaded_image(image_upload("loaf.png"), max_dimension=2000)
    topic = actions.start_topic(
        category=category,
        author=member,
        title="Look at this",
        body="My loaf:",
        images=[actions.ImageAttachment(content=content, alt_text="A round loaf")],
    )
    post = topic.posts.get()
    image = post.images.get()
    assert image.image.name.startswith("forum/")
    assert f'<img src="{image.image.url}" alt="A round loaf"' in post.html


def test_posts_keep_their_number_when_a_reply_is_deleted(member, other_member, category):
    topic = make_topic(author=member, category=category)
    doomed = make_reply(topic=topic, author=other_member)
    actions.delete_post(post=doomed, member=other_member)
    survivor = make_reply(topic=topic, author=other_member)
    assert survivor.number == 3
    topic.refresh_from_db()
    assert topic.reply_count == 1
    numbers = Post.objects.filter(topic=topic).order_by("number").values_list("number", flat=True)
    assert list(numbers) == [1, 2, 3]


def test_a_failing_signal_receiver_never_breaks_a_saved_post(
    member, category, django_capture_on_commit_callbacks, caplog
):
    def broken(sender, **kwargs):
        raise RuntimeError("listener bug")

    content_published.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            topic = make_topic(author=member, category=category)
    finally:
        content_published.disconnect(broken)
    assert Topic.objects.filter(pk=topic.pk).exists()
    failures = [r for r in caplog.records if r.name == "community.live" and r.exc_info]
    assert len(failures) == 1 and str(failures[0].exc_info[1]) == "listener bug"


# --- text as members type it --------------------------------------------------------


def test_bidi_and_invisible_characters_never_reach_a_title_a_body_or_a_tag(moderator, category):
    # A right-to-left override makes "txt.exe" read as "exe.txt"; zero-width spaces hide
    # words from search and from the mention and tag rules.
    topic = actions.start_topic(
        category=category,
        author=moderator,
        title="Invoice\u202etxt.exe \u2066for\u2069 you",
        body="Open\u200b me\u202e now\r\nplease\ufeff",
        tags=["\u202ebread\u200d"],
    )
    topic.refresh_from_db()
    assert topic.title == "Invoicetxt.exe for you"
    post = topic.posts.get()
    assert post.source == "Open me now\nplease"
    assert "\u202e" not in post.html and "\u200b" not in post.html
    assert [tag.name for tag in topic.tags.all()] == ["bread"]


def test_a_title_of_only_invisible_characters_is_too_short(member, category):
    with pytest.raises(PostingError, match="at least 5"):
        actions.start_topic(
            category=category, author=member, title="\u202e\u200b\u2066\u2069\u200f\u200e", body="x"
        )


def test_an_edit_is_cleaned_the_same_way(member, category):
    topic = make_topic(author=member, category=category)
    actions.edit_post(
        post=topic.posts.get(), editor=member, body="Fixed\u202e text", title="New\u200b title"
    )
    topic.refresh_from_db()
    assert topic.title == "New title"
    assert topic.posts.get().source == "Fixed text"
