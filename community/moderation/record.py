"""The member record's sections that other apps own.

The moderators' member page (community.moderation.admin_views) shows penalties, appeals
and staff notes itself; what a member did elsewhere (posts and flags in the forum,
referrals and linked accounts in the referral hub) comes from the app that owns it, which
registers a :class:`RecordSection` in its ``AppConfig.ready``. So the moderation app
imports no app above it, the way ``hearth.sections`` and ``community.review`` work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from community.models import User


@dataclass(frozen=True)
class RecordSection:
    name: str  # unique: registering the same name again replaces it
    template: str  # rendered with ``member`` and ``data``
    data: Callable[[User], dict[str, Any]]
    order: int = 100


@dataclass(frozen=True)
class RenderedSection:
    template: str
    data: dict[str, Any]


_sections: dict[str, RecordSection] = {}


def register(section: RecordSection) -> None:
    _sections[section.name] = section


def sections_for(member: User) -> list[RenderedSection]:
    ordered = sorted(_sections.values(), key=lambda section: (section.order, section.name))
    return [RenderedSection(section.template, section.data(member)) for section in ordered]
