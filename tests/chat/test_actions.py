"""The chat verbs: cross-app signals after commit, turn into topic, rendering."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from community.chat import actions
from community.chat.actions import ChatError
from community.chat.models import ChatMessage
from community.chat.text import body_html
from community.signals import content_published, content_removed, reaction_added
from tests.chat.factories import make_message, make_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    events = []

    def listener(signal_name):
        def receive(sender, **kwargs):
            events.append((signal_name, sender, kwargs))

        return receive

    receivers = {
        content_published: listener("published"),
        content_removed: listener("removed"),
        reaction_added: listener("reaction"),
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver)
    yield events
    for signal, receiver in receivers.items():
        signal.disconnect(receiver)


def test_sending_publishes_after_commit(heard, member, django_capture_on_commit_callbacks):
    room = make_room()
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.send_message(room=room, author=member, body="hi")
        assert heard == []
    assert heard == [
        (
            "published",
            ChatMessage,
            {
                "signal": content_published,
                "author": member,
                "obj": message,
                "kind": "chat",
                "container": None,
                "place": f"chat.room:{room.slug}",
            },
        )
    ]


def test_deleting_sends_content_removed(heard, member, django_capture_on_commit_callbacks):
    message = make_message(make_room(), member)
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_message(message=message, actor=member)
    assert [(name, kw["obj"], kw["kind"]) for name, _, kw in heard] == [
        ("removed", message, "chat")
    ]


def test_only_a_new_reaction_sends_reaction_added(
    heard, member, other_member, django_capture_on_commit_callbacks
):
    message = make_message(make_room(), member)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.react(message=message, member=other_member, kind="like") is True
        assert actions.react(message=message, member=other_member, kind="like", on=True) is True
        assert actions.react(message=message, member=other_member, kind="like") is False
    assert len(heard) == 1
    name, _, kwargs = heard[0]
    assert name == "reaction"
    assert kwargs["obj"] == message and kwargs["author"] == member
    assert kwargs["reactor"] == other_member and kwargs["kind"] == "like"
    assert kwargs["container"] is None and kwargs["converts"] is False


def test_a_failing_listener_does_not_lose_the_message(member, django_capture_on_commit_callbacks):
    def broken(sender, **kwargs):
        raise RuntimeError("listener bug")

    content_published.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message = actions.send_message(room=make_room(), author=member, body="kept")
    finally:
        content_published.disconnect(broken)
    assert ChatMessage.objects.get() == message


def test_nobody_reacts_to_a_deleted_message(member, other_member):
    message = make_message(make_room(), member)
    actions.delete_message(message=message, actor=member)
    with pytest.raises(ChatError):
        actions.react(message=message, member=other_member, kind="like")


def test_a_message_loses_bidi_overrides_and_zero_width_characters(member):
    body = "see \u202egpj.exe\u202c\u200b and \u2066this\u2069"
    message = actions.send_message(room=make_room(), author=member, body=body)
    message.refresh_from_db()
    assert message.body == "see gpj.exe and this"


def test_a_mention_in_a_members_room_reaches_members_only(member, other_member):
    from community.models import Notification

    room = make_room()
    actions.send_message(room=room, author=member, body="@sam and @maya and @nobody")
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["sam"]


def test_a_message_body_is_shown_escaped_with_links_and_line_breaks():
    assert body_html("a <b>\nhttps://x.org/p?q=1&r=2.") == (
        'a &lt;b&gt;<br><a href="https://x.org/p?q=1&amp;r=2" rel="nofollow ugc noopener" '
        'target="_blank">https://x.org/p?q=1&amp;r=2</a>.'
    )


# --- turn into topic ------------------------------------------------------------------------


def test_a_moderator_turns_messages_into_a_forum_topic(
    moderator_client, moderator, member, other_member
):
    from community.forum.models import Topic
    from tests.forum.factories import make_category

    category = make_category()
    room = make_room(name="Lobby", category=category)
    first = make_message(room, member, "Should we meet *monthly*?")
    make_message(room, other_member, "unrelated")
    second = make_message(room, other_member, "Yes!\nFirst Saturday?")
    url = reverse("chat:topic", args=[room.slug])
    page = moderator_client.get(url).content.decode()
    assert "Should we meet *monthly*?" in page
    response = moderator_client.post(
        url,
        {"title": "Monthly meetups", "category": category.pk, "messages": [first.pk, second.pk]},
    )
    topic = Topic.objects.get()
    assert response.status_code == 302 and response.url == topic.get_absolute_url()
    assert topic.title == "Monthly meetups" and topic.category == category
    body = topic.posts.order_by("number").first().source
    assert "**Maya** (@maya) wrote on" in body and r"> Should we meet \*monthly\*?" in body
    assert "**Sam** (@sam) wrote on" in body and "> First Saturday?" in body
    assert "unrelated" not in body
    assert body.index("Maya") < body.index("Sam")
    assert f"[Lobby]({room.get_absolute_url()})" in body
    entry = ModelLogEntry.objects.get(action="hearth.chat.topic")
    assert entry.data["messages"] == [first.pk, second.pk]


def test_turn_into_topic_needs_a_moderator_and_a_message(member_client, moderator_client):
    from tests.forum.factories import make_category

    category = make_category()
    room = make_room()
    url = reverse("chat:topic", args=[room.slug])
    assert member_client.get(url).status_code == 403
    assert member_client.post(url, {"title": "x"}).status_code == 403
    response = moderator_client.post(url, {"title": "Empty", "category": category.pk})
    assert response.status_code == 200
    assert "Choose at least one message to quote." in response.content.decode()
    assert moderator_client.put(url).status_code == 405


def test_several_messages_are_saved_in_order_with_a_reason_for_each_refusal(
    member, django_capture_on_commit_callbacks, heard
):
    room = make_room()
    with django_capture_on_commit_callbacks(execute=True):
        results = actions.send_messages(
            room=room, author=member, bodies=["one", " ", "two", "x" * 2001]
        )
    assert [r.body if isinstance(r, ChatMessage) else r.code for r in results] == [
        "one",
        "invalid",
        "two",
        "invalid",
    ]
    assert results[0].pk < results[2].pk
    assert [kw["obj"] for _, _, kw in heard] == [results[0], results[2]]


def test_a_quoted_display_name_cannot_become_markup_in_the_topic(moderator, member):
    from tests.forum.factories import make_category

    member.display_name = "[support](https://evil.example) **boss**"
    member.save(update_fields=["display_name"])
    category = make_category()
    room = make_room(name="Help *desk* [x](https://evil.example)")
    message = make_message(room, member, "hello")
    topic = actions.turn_into_topic(
        room=room, moderator=moderator, messages=[message], category=category, title="Quoted"
    )
    html = topic.posts.order_by("number").first().html
    # The words stay words: no link disguised as "support" or "x", no nested bold.
    assert ">support</a>" not in html and ">x</a>" not in html
    assert "<strong>boss</strong>" not in html and "<em>desk</em>" not in html
    assert "<strong>[support](" in html and ") **boss**</strong>" in html
    assert "Help *desk* [x](" in html
