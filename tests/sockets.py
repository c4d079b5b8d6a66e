"""Every websocket a test opens is recorded, so the root conftest closes it when the test
ends, also when it fails half-way (an open one would leak its task into the next test)."""

from __future__ import annotations

import contextlib

from channels.testing import WebsocketCommunicator

OPENED: list[WebsocketCommunicator] = []


def recorded(comm: WebsocketCommunicator) -> WebsocketCommunicator:
    """``comm``, to be closed after the test whatever happens."""
    OPENED.append(comm)
    return comm


async def close_all_opened() -> None:
    while OPENED:
        comm = OPENED.pop()
        if not comm.future.done():
            with contextlib.suppress(Exception):
                await comm.disconnect(timeout=5)
