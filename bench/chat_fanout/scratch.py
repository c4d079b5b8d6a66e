"""The scratch database of a scenario: rooms, members and signed-in sessions.

Called in the parent process after ``run._configure_environment`` pointed Django at a
fresh SQLite file (or ``DATABASE_URL``). Members get an unusable password (no hashing
cost; their sessions still carry a valid auth hash) and one database session each,
exactly what a browser that signed in would hold.
"""

from __future__ import annotations


def prepare(rooms: list[str], *, members: int, moderators: int = 0) -> tuple[list[str], list[str]]:
    """Migrate, make the rooms and the people; return (member sessions, moderator sessions)."""
    from datetime import timedelta

    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from community.chat.models import Room
    from community.models import MODERATORS_GROUP, User

    call_command("migrate", verbosity=0, interactive=False)
    Room.objects.bulk_create(
        [Room(slug=slug, name=slug.replace("-", " ").title()) for slug in rooms],
        ignore_conflicts=True,
    )
    users = User.objects.bulk_create(
        [
            User(username=f"bench{i}", email=f"bench{i}@example.com", password="!bench")
            for i in range(members + moderators)
        ],
        batch_size=500,
    )
    if moderators:
        Group.objects.get(name=MODERATORS_GROUP).user_set.add(*users[members:])
    store = SessionStore()
    expires = timezone.now() + timedelta(days=1)
    sessions = [
        Session(
            session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
            session_data=store.encode(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
            ),
            expire_date=expires,
        )
        for user in users
    ]
    Session.objects.bulk_create(sessions, batch_size=500)
    keys = [s.session_key for s in sessions]
    return keys[:members], keys[members:]
