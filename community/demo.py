"""Demo people. Idempotent: running it again changes nothing."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from community.models import EDITORS_GROUP, MEMBERS_GROUP, MODERATORS_GROUP, User

DEMO_PASSWORD = "hearth-demo-2026"

# username, display name, groups, bio, days since joining
DEMO_PEOPLE = [
    ("maya", "Maya Okafor", [MEMBERS_GROUP], "Weekend baker. I write guides.", 400),
    ("sam", "Sam Lindqvist", [MEMBERS_GROUP], "Here for the forum and the chat.", 200),
    ("priya", "Priya Raman", [MEMBERS_GROUP], "Answering questions since day one.", 320),
    ("leo", "Leo Martins", [MEMBERS_GROUP], "New around here; say hi!", 12),
    ("ana", "Ana Kowalska", [MEMBERS_GROUP], "I bring friends along.", 150),
    ("mo", "Mo Haddad", [MEMBERS_GROUP, MODERATORS_GROUP], "Keeping the place kind.", 500),
    ("eddie", "Eddie Brooks", [MEMBERS_GROUP, EDITORS_GROUP], "Editor of the brand blog.", 600),
]

DEMO_LOGINS = [
    ("member", "maya@example.com"),
    ("moderator", "mo@example.com"),
    ("editor", "eddie@example.com"),
]


def ensure_member(
    username: str,
    *,
    display_name: str = "",
    groups: list[str] | None = None,
    bio: str = "",
    joined_days_ago: int = 30,
    password: str = DEMO_PASSWORD,
) -> User:
    email = f"{username}@example.com"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": email,
            "display_name": display_name,
            "bio": bio,
            "date_joined": timezone.now() - timedelta(days=joined_days_ago),
            # The demo's people have been taking part for a while (community.trust).
            "trust_level_granted": 1 if joined_days_ago >= 2 else None,
        },
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    for name in groups or [MEMBERS_GROUP]:
        user.groups.add(Group.objects.get(name=name))
    return user


def load(*, stdout) -> dict[str, User]:
    people = {}
    for username, name, groups, bio, days in DEMO_PEOPLE:
        people[username] = ensure_member(
            username, display_name=name, groups=groups, bio=bio, joined_days_ago=days
        )
    stdout.write(f"  people: {len(people)} demo accounts")
    return people
