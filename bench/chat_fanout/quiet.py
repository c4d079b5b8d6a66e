"""Diagnostic only, never the headline: Hearth with other apps' content listeners off.

``uvicorn bench.chat_fanout.quiet:application`` serves exactly Hearth's application
(authentication, the ChatConsumer, persistence through ``send_message``, the room
hub) except that the receivers other apps connect to ``content_published``,
``content_removed`` and ``reaction_added`` (today: the referral hub's points and
stages) are disconnected. Comparing ``hearth`` with ``hearth-quiet`` shows how much of
a message's cost is chat's own and how much is spent by those listeners, which run
after commit in the same thread as the send.
"""

from __future__ import annotations

from hearth.asgi import application  # sets Django up first


def _disconnect_content_listeners() -> None:
    from community.signals import content_published, content_removed, reaction_added

    for signal in (content_published, content_removed, reaction_added):
        signal.receivers = []
        signal.sender_receivers_cache.clear()


_disconnect_content_listeners()

__all__ = ["application"]
