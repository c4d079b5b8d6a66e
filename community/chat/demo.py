"""Demo chat: a public lobby, a members-only room and a short conversation. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from community.chat.models import ChatMessage, Room
from community.models import User

ROOMS = [
    ("lobby", "Lobby", Room.Visibility.PUBLIC, "Say hello, ask anything. Everyone can read."),
    ("members-lounge", "Members' lounge", Room.Visibility.MEMBERS, "For signed-in members."),
]

# (room slug, username, minutes ago, body)
CONVERSATION = [
    ("lobby", "maya", 95, "Morning all! Anyone tried the new sourdough starter kit yet?"),
    ("lobby", "sam", 93, "Yes! Day three and it smells like apples. Is that normal?"),
    (
        "lobby",
        "priya",
        90,
        "Totally normal, @sam. The guide is here: https://example.com/guides/starter",
    ),
    ("lobby", "leo", 60, "Hi everyone, I'm new. Where do I start?"),
    ("lobby", "mo", 58, "Welcome @leo! The forum's Getting started category is a good first stop."),
    ("members-lounge", "ana", 40, "Brought two friends along to the meetup, they loved it."),
    ("members-lounge", "maya", 35, "That's lovely, Ana. Same time next month?"),
]


def load(*, stdout) -> None:
    rooms = {}
    for position, (slug, name, visibility, description) in enumerate(ROOMS):
        rooms[slug], _ = Room.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "visibility": visibility,
                "description": description,
                "position": position,
            },
        )
    people = {u.username: u for u in User.objects.filter(username__in={c[1] for c in CONVERSATION})}
    created = 0
    now = timezone.now()
    for slug, username, minutes_ago, body in CONVERSATION:
        author = people.get(username)
        if author is None:
            continue
        # Saved directly rather than through send_message: demo data must not notify,
        # broadcast or feed the referral hub. (room, author, body) identifies a line.
        _, was_created = ChatMessage.objects.get_or_create(
            room=rooms[slug],
            author=author,
            body=body,
            defaults={"created_at": now - timedelta(minutes=minutes_ago)},
        )
        created += was_created
    stdout.write(f"  chat: {len(rooms)} rooms, {created} new messages")
