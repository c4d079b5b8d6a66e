"""Audit-log sentences a moderator reads without knowing the code.

Each formatter turns a log entry into a sentence naming who and what, with links: the
member's record in the admin, the post by its topic's title, the room by its name
("Silenced Ana Kowalska until 2 Dec, 14:00 — Personal attacks"). Entries keep what they
need in their data when they are written, so old rows read the same after a rename.

Wagtail shows ``capfirst(format_message(...))``; :class:`LinkedMessage` keeps the
sentence's links as markup through that (tests/moderation/test_audit_log.py renders
Wagtail's real site-history page to hold that against the installed version).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from wagtail.log_actions import LogFormatter

from community.moderation.actions import when


class LinkedMessage(SafeString):
    """A sentence with links that stays markup when Wagtail capitalises it."""

    def __getitem__(self, key: Any) -> LinkedMessage:
        return LinkedMessage(str.__getitem__(self, key))

    def __radd__(self, other: str) -> LinkedMessage:
        return LinkedMessage(str.__add__(str(other), str(self)))


def sentence(template: str, *args: Any, **kwargs: Any) -> LinkedMessage:
    return LinkedMessage(format_html(template, *args, **kwargs))


def member_link(data: dict, fallback: str = "a member") -> str:
    name = data.get("member_name") or data.get("member") or fallback
    member_id = data.get("member_id")
    if not member_id:
        return format_html("{}", name)
    return format_html(
        '<a href="{}">{}</a>', reverse("moderation_admin:member", args=[member_id]), name
    )


def _until(data: dict, key: str = "until") -> str:
    value = data.get(key)
    if not value:
        return "?"
    try:
        return when(datetime.fromisoformat(value))
    except ValueError:
        return str(value)


def _why(data: dict, key: str = "reason") -> str:
    """ " — Personal attacks" (the rule), else " — “free text”", else nothing."""
    title = data.get("reason_title") or ""
    text = data.get(key) or ""
    if title and text and text != title:
        return format_html(" — {}: “{}”", title, text)
    if title or text:
        return format_html(" — {}", title or text)
    return ""


def _formatter(label: str, render) -> type[LogFormatter]:
    def format_message(self, log_entry) -> str:
        return render(log_entry.data or {}, log_entry)

    return type(
        "HearthLogFormatter", (LogFormatter,), {"label": label, "format_message": format_message}
    )


def _penalty_given(verb: str):
    def render(data: dict, entry) -> str:
        return sentence(
            "{} {} until {}{}", verb, member_link(data, entry.label), _until(data), _why(data)
        )

    return render


def _unsuspended(data: dict, entry) -> str:
    return sentence(
        "Lifted the silence and suspension of {}{}",
        member_link(data, entry.label),
        format_html(" — “{}”", data["reason"]) if data.get("reason") else "",
    )


def _against(data: dict) -> str:
    """ "being silenced"; "the hiding of their post in “Rye”" (older rows: from "what")."""
    return data.get("against") or f"being {data.get('what', 'penalised')}"


def _lifted(data: dict, entry) -> str:
    until = format_html(" until {}", _until(data)) if data.get("until", "?") else ""
    return sentence(
        "Lifted the penalty of {} ({}{}){}",
        member_link(data, entry.label),
        data.get("what", "penalised"),
        until,
        format_html(" — “{}”", data["reason"]) if data.get("reason") else "",
    )


def _muted(data: dict, entry) -> str:
    return sentence(
        "Muted {} in the room {} until {}{}",
        member_link(data),
        data.get("room_name") or entry.label,
        _until(data),
        _why(data),
    )


def _unmuted(data: dict, entry) -> str:
    return sentence(
        "Lifted the mute of {} in the room {}{}",
        member_link(data),
        data.get("room_name") or entry.label,
        format_html(" — “{}”", data["reason"]) if data.get("reason") else "",
    )


def _auto_silence(data: dict, entry) -> str:
    return sentence(
        "Silenced {} for {} minutes for flooding the chat",
        entry.label,
        data.get("minutes", "?"),
    )


def _appealed(data: dict, entry) -> str:
    return sentence(
        '{} appealed against {} (<a href="{}">read the appeal</a>)',
        member_link(data, entry.label),
        _against(data),
        reverse("moderation_admin:appeal", args=[data["appeal"]]) if data.get("appeal") else "#",
    )


def _decided(data: dict, entry) -> str:
    decision = data.get("decision")
    if decision == "shorten":
        outcome = format_html("shortened it: it now ends {}", _until(data, "new_until"))
    elif decision == "lift":
        outcome = format_html("lifted it")
    elif data.get("until", "?"):
        outcome = format_html("upheld it: it stays until {}", _until(data))
    else:
        outcome = SafeString("upheld it")
    return sentence(
        "Decided the appeal of {} against {} and {}{}",
        member_link(data, entry.label),
        _against(data),
        outcome,
        format_html(" — reply: “{}”", data["reply"]) if data.get("reply") else "",
    )


LOG_ACTIONS: dict[str, type[LogFormatter]] = {
    "hearth.penalty.lift": _formatter("Lift penalty", _lifted),
    "hearth.appeal.create": _formatter("Appeal penalty", _appealed),
    "hearth.appeal.decide": _formatter("Decide appeal", _decided),
}

# Registered by the apps that write them (community, chat), with these sentences.
MEMBER_LOG_ACTIONS: dict[str, type[LogFormatter]] = {
    "hearth.member.silence": _formatter("Silence member", _penalty_given("Silenced")),
    "hearth.member.suspend": _formatter("Suspend member", _penalty_given("Suspended")),
    "hearth.member.unsuspend": _formatter("Lift suspension", _unsuspended),
}
CHAT_LOG_ACTIONS: dict[str, type[LogFormatter]] = {
    "hearth.chat.mute": _formatter("Mute in chat room", _muted),
    "hearth.chat.unmute": _formatter("Lift chat mute", _unmuted),
    "hearth.chat.auto_silence": _formatter("Silence for flooding", _auto_silence),
}
