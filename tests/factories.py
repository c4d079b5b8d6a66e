"""Plain factory functions for tests: make_member(**overrides) and friends."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from community.models import EDITORS_GROUP, MEMBERS_GROUP, MODERATORS_GROUP, User

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def make_member(*, groups: list[str] | None = None, verified: bool = True, **overrides) -> User:
    n = next(_counter)
    username = overrides.pop("username", f"member{n}")
    email = overrides.pop("email", f"{username}@example.com")
    joined_days_ago = overrides.pop("joined_days_ago", 30)
    # Personas who joined a while ago are established members (trust level 1, granted); one
    # who joined in the last two days, or trust_level=None, has the level their activity
    # earns (community.trust): a new member (level 0) until they take part.
    established = 1 if joined_days_ago >= 2 else None
    overrides.setdefault("trust_level_granted", overrides.pop("trust_level", established))
    user = User.objects.create_user(
        username=username,
        email=email,
        password=overrides.pop("password", PASSWORD),
        date_joined=timezone.now() - timedelta(days=joined_days_ago),
        **overrides,
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    for name in groups if groups is not None else [MEMBERS_GROUP]:
        group, _ = Group.objects.get_or_create(name=name)
        user.groups.add(group)
    return user


def make_moderator(**overrides) -> User:
    return make_member(groups=[MEMBERS_GROUP, MODERATORS_GROUP], **overrides)


def make_editor(**overrides) -> User:
    return make_member(groups=[MEMBERS_GROUP, EDITORS_GROUP], **overrides)


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (64, 64), color=(200, 80, 20), **save_kwargs
) -> bytes:
    out = io.BytesIO()
    mode = "RGB" if fmt in ("JPEG", "WEBP") else "RGBA"
    Image.new(mode, size, color).save(out, format=fmt, **save_kwargs)
    return out.getvalue()


def image_upload(
    name: str = "photo.png", fmt: str = "PNG", size: tuple[int, int] = (64, 64), **kwargs
) -> SimpleUploadedFile:
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}.get(
        fmt, "application/octet-stream"
    )
    return SimpleUploadedFile(name, image_bytes(fmt, size, **kwargs), content_type=content_type)
