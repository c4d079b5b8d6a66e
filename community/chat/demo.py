"""Demo chat: a public lobby, a members-only room, an Estonian room and a short
conversation in each. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from community.chat.models import ChatMessage, Room
from community.models import User

ROOMS = [
    ("lobby", "Lobby", Room.Visibility.PUBLIC, "Say hello, ask anything. Everyone can read.", ""),
    ("members-lounge", "Members' lounge", Room.Visibility.MEMBERS, "For signed-in members.", ""),
    # A room that talks in Estonian (its language shows in the room list).
    (
        "eesti-nurk",
        "Eesti nurk",
        Room.Visibility.PUBLIC,
        "Juttu ajame eesti keeles: leib, saiad, retseptid ja kõik muu, mis ahjus valmib.",
        "et",
    ),
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
    (
        "eesti-nurk",
        "ana",
        30,
        "Tere tulemast Eesti nurka! Siin võib rääkida kõigest, mis ahjus valmib.",
    ),
    (
        "eesti-nurk",
        "leo",
        25,
        "Tere! Küpsetasin eile esimest korda rukkileiba. Koorik tuli ilus ja krõbe, sisu veel "
        "veidi niiske.",
    ),
    (
        "eesti-nurk",
        "ana",
        20,
        "Väga tubli, @leo! Lase leival järgmine kord enne lõikamist täiesti jahtuda, siis "
        "tuleb sisu parem.",
    ),
]


def load(*, stdout) -> None:
    rooms = {}
    for position, (slug, name, visibility, description, language) in enumerate(ROOMS):
        rooms[slug], _ = Room.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "visibility": visibility,
                "description": description,
                "position": position,
                "language": language,
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
