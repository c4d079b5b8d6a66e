"""One process's chat sends, saved together.

Every socket used to take its sends to the process's one database thread on its own:
some nine statements and a transaction per socket, one after the other. With a hundred
members of different rooms writing each second that queue was the latency
(bench/chat_fanout, "rooms"). Now a socket hands its sends to the saver of its event
loop; whatever sockets hand over while a save runs goes to the database thread together
in the next round (``actions.send_from_sockets``: one transaction, one insert). A quiet
process saves a send at once, as before; a busy one saves more per round.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from channels.db import database_sync_to_async

from community.chat import actions
from community.chat.actions import ChatError, Sends

logger = logging.getLogger(__name__)

# Sockets per round at most, so one transaction stays short.
MAX_SOCKETS_PER_ROUND = 200

Result = list[int | ChatError | None]


class Saver:
    def __init__(self) -> None:
        self.waiting: list[tuple[Sends, asyncio.Future[Result]]] = []
        self.task: asyncio.Task | None = None

    async def save(self, room_id: int, member_id: int, bodies: list[str]) -> Result:
        """Per body, the new message's id, why it was refused, or None on a failure."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Result] = loop.create_future()
        self.waiting.append((Sends(room_id, member_id, list(bodies)), done))
        if self.task is None or self.task.done():
            self.task = loop.create_task(self._rounds())
        # The socket may close while it waits; the save goes on and is announced.
        return await asyncio.shield(done)

    async def _rounds(self) -> None:
        while self.waiting:
            round_, self.waiting = (
                self.waiting[:MAX_SOCKETS_PER_ROUND],
                self.waiting[MAX_SOCKETS_PER_ROUND:],
            )
            requests = [sends for sends, _ in round_]
            try:
                results = await _save(requests)
            except Exception:
                logger.exception("chat: saving %d sockets' messages failed", len(requests))
                results = [[None] * len(sends.bodies) for sends in requests]
            for (_, done), result in zip(round_, results, strict=True):
                if not done.done():
                    done.set_result(result)


@database_sync_to_async
def _save(requests: list[Sends]) -> list[Result]:
    return actions.send_from_sockets(requests)


_savers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Saver] = weakref.WeakKeyDictionary()


def get_saver() -> Saver:
    """The saver of the running event loop (tests run one loop per test)."""
    loop = asyncio.get_running_loop()
    saver = _savers.get(loop)
    if saver is None:
        saver = _savers[loop] = Saver()
    return saver
