"""The ceiling: a bare `websockets` server that broadcasts each frame to every socket.

``python -m bench.chat_fanout.bare_server PORT``. No Django, no database, no auth: it
encodes each message once and hands it to ``websockets.broadcast``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from datetime import UTC, datetime

from websockets.asyncio.server import broadcast, serve

AUTHOR = {"id": 1, "username": "sender", "name": "Sender", "url": "/members/sender/"}


async def main(port: int) -> None:
    clients: set = set()
    ids = itertools.count(1)

    async def handler(websocket) -> None:
        clients.add(websocket)
        try:
            async for text in websocket:
                data = json.loads(text)
                frame = {
                    "type": "message",
                    "message": {
                        "id": next(ids),
                        "author": AUTHOR,
                        "body": data["body"],
                        "created_at": datetime.now(UTC).isoformat(),
                        "edited_at": None,
                        "reactions": {},
                    },
                }
                broadcast(clients, json.dumps(frame, separators=(",", ":")))
        finally:
            clients.discard(websocket)

    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None):
        await asyncio.Future()


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(main(int(sys.argv[1])))
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        asyncio.run(main(int(sys.argv[1])))
