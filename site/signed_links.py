"""Signed links that name a member and need no sign-in (unsubscribe from an email): the
member's id signed with a salt of the link's own, no expiry."""

from __future__ import annotations

from django.core import signing


def member_token(member_id: int, *, salt: str) -> str:
    return signing.dumps({"m": member_id}, salt=salt)


def read_member_token(token: str, *, salt: str) -> int | None:
    """The member id a token names, or None when it was changed, cut short or made with
    another salt."""
    try:
        payload = signing.loads(token, salt=salt)
    except (signing.BadSignature, ValueError, UnicodeError):
        return None
    member_id = payload.get("m") if isinstance(payload, dict) else None
    if not isinstance(member_id, int) or isinstance(member_id, bool):
        return None
    return member_id
