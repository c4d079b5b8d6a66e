"""Writing one pre-encoded frame to many sockets without a coroutine per socket.

The room hub (fanout.py) has the same text for every socket. Through ASGI, each socket
still costs a chain of coroutine calls (middleware, server send, flow-control wait)
and the server frames the text again for every socket. When the socket is served by
uvicorn's ``websockets-sansio`` protocol (Hearth's production server), the hub instead
writes bytes straight to the connection's transport, as ``websockets.broadcast`` does:

- a connection without extensions gets the frame serialised once for the whole room
  (:func:`text_frame`: a server's frames are unmasked, so the bytes are identical);
  several messages saved together go out as their frames back to back, in one write
  (one system call per socket, not one per message);
- a connection that negotiated an extension (per-message compression) gets the
  payload through its own ``websockets`` protocol object, which compresses it.

This is an optimisation only. :func:`direct_writer` returns None for any other server
(daphne, test communicators), and the writer it returns answers "not now" whenever the
transport is paused or closing or the connection is not open, so the hub falls back to
the ordinary ASGI send, which waits for the buffer to drain under the hub's deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from websockets.protocol import State

DirectWriter = Callable[[Sequence[bytes], bytes], bool]


def text_frame(payload: bytes) -> bytes:
    """An unmasked, unfragmented websocket text frame (RFC 6455, section 5.2)."""
    length = len(payload)
    if length < 126:
        header = bytes((0x81, length))
    elif length < 65536:
        header = bytes((0x81, 126)) + length.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + length.to_bytes(8, "big")
    return header + payload


def direct_writer(send) -> DirectWriter | None:
    protocol = getattr(send, "__self__", None)
    needed = ("conn", "transport", "writable", "close_sent", "handshake_complete")
    if protocol is None or not all(hasattr(protocol, name) for name in needed):
        return None
    conn = protocol.conn
    if not all(hasattr(conn, name) for name in ("send_text", "data_to_send", "extensions")):
        return None

    def write(payloads: Sequence[bytes], frames: bytes) -> bool:
        """Write ``frames`` (the payloads' frames, back to back) in one go."""
        if (
            protocol.close_sent
            or not protocol.handshake_complete
            or not protocol.writable.is_set()
            or protocol.transport.is_closing()
            or getattr(conn, "state", State.OPEN) is not State.OPEN
            or getattr(conn, "expect_continuation_frame", False)
        ):
            return False
        if conn.extensions:
            for payload in payloads:
                conn.send_text(payload)
            protocol.transport.write(b"".join(conn.data_to_send()))
        else:
            protocol.transport.write(frames)
        return True

    return write
