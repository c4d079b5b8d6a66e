"""Pin, lock, hide, move and edit: moderators only, each in Wagtail's audit log."""

from __future__ import annotations

import pytest
from wagtail.models import ModelLogEntry

from community.forum import actions
from community.forum.models import Category
from community.signals import content_published, content_removed
from tests.forum.factories import make_category, make_reply, make_topic


@pytest.fixture
def category(db):
    return make_category(name="Baking", slug="baking")


@pytest.fixture
def topic(member, category):
    return make_topic(author=member, category=category, title="Proofing baskets")


def _actions_logged() -> list[str]:
    return list(ModelLogEntry.objects.order_by("timestamp", "id").values_list("action", flat=True))


@pytest.mark.parametrize(
    "action, field, value, logged",
    [
        ("pin", "pinned", True, "hearth.forum.pin"),
        ("lock", "locked", True, "hearth.forum.lock"),
    ],
)
def test_moderators_pin_and_lock_and_it_is_logged(
    moderator_client, topic, action, field, value, logged
):
    response = moderator_client.post(f"/forum/t/{topic.pk}/moderate/", {"action": action})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert getattr(topic, field) is value
    assert _actions_logged() == [logged]
    undo = {"pin": "unpin", "lock": "unlock"}[action]
    moderator_client.post(f"/forum/t/{topic.pk}/moderate/", {"action": undo})
    topic.refresh_from_db()
    assert getattr(topic, field) is not value
    assert _actions_logged() == [
        logged,
        logged.replace(".pin", ".unpin").replace(".lock", ".unlock"),
    ]


def test_members_and_visitors_cannot_moderate(member_client, editor_client, visitor_client, topic):
    for client in (member_client, editor_client):
        assert client.post(f"/forum/t/{topic.pk}/moderate/", {"action": "pin"}).status_code == 403
    assert (
        visitor_client.post(f"/forum/t/{topic.pk}/moderate/", {"action": "pin"}).status_code == 302
    )
    topic.refresh_from_db()
    assert not topic.pinned and not _actions_logged()


def test_hiding_a_topic_needs_a_reason_and_updates_the_counts(
    moderator_client, topic, category, django_capture_on_commit_callbacks
):
    response = moderator_client.post(
        f"/forum/t/{topic.pk}/moderate/", {"action": "hide"}, follow=True
    )
    assert "Give a reason; the author will see it." in response.content.decode()
    removed = []

    def receiver(sender, **kwargs):
        removed.append((kwargs["kind"], kwargs["container"]))

    content_removed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            moderator_client.post(
                f"/forum/t/{topic.pk}/moderate/", {"action": "hide", "reason": "Duplicate"}
            )
    finally:
        content_removed.disconnect(receiver)
    topic.refresh_from_db()
    category.refresh_from_db()
    assert topic.hidden and topic.hidden_reason == "Duplicate"
    assert category.topic_count == 0 and category.last_topic is None
    assert removed == [("topic", None)]
    entry = ModelLogEntry.objects.get(action="hearth.forum.hide_topic")
    assert entry.data == {"reason": "Duplicate"}
    # A sentence naming the topic by its title, with a link (community.moderation).
    assert entry.message == (
        f'Hid the topic “<a href="{topic.get_absolute_url()}">Proofing baskets</a>” — “Duplicate”'
    )


def test_unhiding_a_topic_publishes_it_again(
    moderator, topic, category, django_capture_on_commit_callbacks
):
    actions.hide_topic(topic=topic, moderator=moderator, reason="Oops")
    published = []

    def receiver(sender, **kwargs):
        published.append(kwargs["kind"])

    content_published.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.unhide_topic(topic=topic, moderator=moderator)
    finally:
        content_published.disconnect(receiver)
    category.refresh_from_db()
    assert published == ["topic"] and category.topic_count == 1


def test_moving_a_topic_updates_both_categories(moderator_client, topic, category, other_member):
    make_reply(topic=topic, author=other_member)
    other = make_category(name="Kit", slug="kit")
    response = moderator_client.post(
        f"/forum/t/{topic.pk}/moderate/", {"action": "move", "category": "kit"}, follow=True
    )
    assert "The topic is moved to Kit." in response.content.decode()
    topic.refresh_from_db()
    category.refresh_from_db()
    other.refresh_from_db()
    assert topic.category == other
    assert (category.topic_count, other.topic_count) == (0, 1)
    assert other.last_topic == topic and other.last_activity_at == topic.last_activity_at
    entry = ModelLogEntry.objects.get(action="hearth.forum.move")
    assert entry.data == {"from": "baking", "to": "kit", "from_name": "Baking", "to_name": "Kit"}
    assert "from “Baking” to “Kit”" in entry.message


def test_moving_to_an_unknown_category_is_a_clear_error(moderator_client, topic, category):
    response = moderator_client.post(
        f"/forum/t/{topic.pk}/moderate/", {"action": "move", "category": "nowhere"}, follow=True
    )
    assert "Select a valid choice" in response.content.decode()
    topic.refresh_from_db()
    assert topic.category == category


def test_unknown_moderation_actions_are_refused_politely(moderator_client, topic):
    response = moderator_client.post(
        f"/forum/t/{topic.pk}/moderate/", {"action": "explode"}, follow=True
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_hiding_a_post_keeps_the_counters_right_and_shows_a_placeholder(
    moderator_client, member_client, topic, other_member
):
    first = make_reply(topic=topic, author=other_member, body="Helpful")
    rude = make_reply(topic=topic, author=other_member, body="Something rude")
    response = moderator_client.post(
        f"/forum/p/{rude.pk}/moderate/", {"action": "hide", "reason": "Rude"}
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.reply_count == 1 and topic.last_post_number == first.number
    assert topic.last_activity_at == first.created_at
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert "This post was hidden by a moderator." in page and "Something rude" not in page
    mod_page = moderator_client.get(topic.get_absolute_url()).content.decode()
    assert "Something rude" in mod_page and "Hidden from members: Rude" in mod_page
    moderator_client.post(f"/forum/p/{rude.pk}/moderate/", {"action": "unhide"})
    topic.refresh_from_db()
    assert topic.reply_count == 2
    assert _actions_logged() == ["hearth.forum.hide_post", "hearth.forum.unhide_post"]


def test_members_cannot_hide_posts(member_client, topic, other_member):
    reply = make_reply(topic=topic, author=other_member)
    response = member_client.post(
        f"/forum/p/{reply.pk}/moderate/", {"action": "hide", "reason": "x"}
    )
    assert response.status_code == 403
    reply.refresh_from_db()
    assert not reply.hidden


def test_a_moderator_edit_of_someone_elses_post_is_logged(moderator_client, topic):
    post = topic.posts.get(number=1)
    moderator_client.post(
        f"/forum/p/{post.pk}/edit/", {"title": "Proofing baskets", "body": "Tidied"}
    )
    entry = ModelLogEntry.objects.get(action="hearth.forum.edit_post")
    assert entry.data["changed"] == ["body"]
    assert entry.message.startswith("Edited the text of ")
    assert "in “Proofing baskets”" in entry.message


def test_an_authors_own_edit_is_not_a_moderation_log_entry(member_client, topic):
    post = topic.posts.get(number=1)
    member_client.post(f"/forum/p/{post.pk}/edit/", {"title": "Proofing baskets", "body": "Mine"})
    assert not ModelLogEntry.objects.filter(action="hearth.forum.edit_post").exists()


def test_the_moderation_log_is_visible_to_moderators_in_the_admin(
    moderator_client, moderator, topic
):
    actions.set_locked(topic=topic, moderator=moderator, locked=True)
    page = moderator_client.get("/admin/reports/site-history/").content.decode()
    assert "Locked the topic" in page
    assert "Proofing baskets" in page


def test_the_topic_page_shows_moderation_tools_only_to_moderators(
    moderator_client, member_client, topic
):
    assert "Moderate this topic" in moderator_client.get(topic.get_absolute_url()).content.decode()
    assert "Moderate this topic" not in member_client.get(topic.get_absolute_url()).content.decode()


def test_category_counts_survive_a_mixture_of_changes(member, other_member, moderator, category):
    a = make_topic(author=member, category=category)
    b = make_topic(author=member, category=category)
    make_reply(topic=a, author=other_member)
    actions.hide_topic(topic=b, moderator=moderator, reason="x")
    actions.move_topic(topic=a, moderator=moderator, category=make_category(slug="elsewhere"))
    actions.unhide_topic(topic=b, moderator=moderator)
    category.refresh_from_db()
    assert category.topic_count == 1 and category.last_topic == b
    assert Category.objects.get(slug="elsewhere").topic_count == 1


def test_hiding_a_post_tells_other_apps_which_topic_held_it(
    moderator, topic, other_member, django_capture_on_commit_callbacks
):
    reply = make_reply(topic=topic, author=other_member)
    removed = []

    def receiver(sender, **kwargs):
        removed.append((kwargs["kind"], kwargs["obj"], kwargs["container"]))

    content_removed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.hide_post(post=reply, moderator=moderator, reason="Rude")
    finally:
        content_removed.disconnect(receiver)
    assert removed == [("post", reply, topic)]


def test_a_reason_of_invisible_characters_is_refused_with_a_message(
    moderator_client, topic, other_member
):
    reply = make_reply(topic=topic, author=other_member)
    for url in (f"/forum/p/{reply.pk}/moderate/", f"/forum/t/{topic.pk}/moderate/"):
        response = moderator_client.post(
            url, {"action": "hide", "reason": "\u200b\u202e "}, follow=True
        )
        assert response.status_code == 200
        assert "Give a reason; the author will see it." in response.content.decode()
    reply.refresh_from_db()
    topic.refresh_from_db()
    assert not reply.hidden and not topic.hidden


def test_a_hide_reason_is_cleaned_before_the_author_reads_it(moderator, topic):
    actions.hide_topic(topic=topic, moderator=moderator, reason="Spam\u202e  again ")
    topic.refresh_from_db()
    assert topic.hidden_reason == "Spam again"
