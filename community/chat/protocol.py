"""The chat socket's JSON protocol: validating client frames (see docs/chat.md).

Every client frame is a JSON object with a ``type``. :func:`parse_frame` either returns
the validated fields or raises :class:`FrameError` with a code and a sentence for the
member; the consumer turns that into an ``error`` frame and carries on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from community.models import REACTION_KEYS

MAX_FRAME_BYTES = 16 * 1024
MAX_REF_LENGTH = 64
HISTORY_PAGE = 50
HISTORY_MAX = 100
MAX_ID = 2**63 - 1


class FrameError(Exception):
    def __init__(self, code: str, message: str, *, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


# type -> {field: (python type, required)}
_SCHEMAS: dict[str, dict[str, tuple[type, bool]]] = {
    "send": {"body": (str, True)},
    "edit": {"id": (int, True), "body": (str, True)},
    "delete": {"id": (int, True)},
    "react": {"id": (int, True), "reaction": (str, True), "on": (bool, False)},
    "typing": {},
    "history": {"before": (int, True), "limit": (int, False)},
    "since": {"after": (int, True)},
    "read": {"id": (int, True)},
    "ping": {},
}
CLIENT_TYPES = tuple(_SCHEMAS)
_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false"}


@dataclass(frozen=True)
class Frame:
    type: str
    fields: dict[str, Any]
    ref: str | None = None

    def __getitem__(self, key: str) -> Any:
        return self.fields[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


def frame_too_large(text: str) -> bool:
    # Cheap checks first: a str of n characters is between n and 4n UTF-8 bytes.
    if len(text) > MAX_FRAME_BYTES:
        return True
    if len(text) * 4 <= MAX_FRAME_BYTES:
        return False
    return len(text.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES


def parse_frame(text: str) -> Frame:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # deeply nested arrays exhaust the parser's stack
        raise FrameError("bad_json", "That frame is not valid JSON.") from None
    if not isinstance(data, dict):
        raise FrameError("bad_frame", "A frame must be a JSON object with a type.")
    ref = data.get("ref")
    if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_REF_LENGTH):
        raise FrameError("wrong_type", f"ref must be text of at most {MAX_REF_LENGTH} characters.")
    try:
        return _parse_fields(data, ref)
    except FrameError as error:
        error.ref = ref  # the answer to a frame echoes its ref, errors included
        raise


def _parse_fields(data: dict[str, Any], ref: str | None) -> Frame:
    kind = data.get("type")
    if kind is None:
        raise FrameError("missing_field", "The frame has no type.")
    if not isinstance(kind, str):
        raise FrameError("wrong_type", "type must be text.")
    schema = _SCHEMAS.get(kind)
    if schema is None:
        raise FrameError(
            "unknown_type",
            f"Unknown frame type {kind[:40]!r}; expected one of {', '.join(CLIENT_TYPES)}.",
        )
    fields: dict[str, Any] = {}
    for name, (expected, required) in schema.items():
        if name not in data or data[name] is None:
            if required:
                raise FrameError("missing_field", f"A {kind} frame needs {name}.")
            continue
        value = data[name]
        # bool is a subclass of int in Python; true is not a message id.
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise FrameError("wrong_type", f"{name} must be {_TYPE_NAMES[expected]}.")
        if expected is int and not 0 <= value <= MAX_ID:
            raise FrameError("bad_value", f"{name} is out of range.")
        fields[name] = value
    if kind == "react" and fields["reaction"] not in REACTION_KEYS:
        raise FrameError(
            "bad_value", f"Unknown reaction; expected one of {', '.join(REACTION_KEYS)}."
        )
    if kind == "history":
        limit = fields.get("limit", HISTORY_PAGE)
        if not 1 <= limit <= HISTORY_MAX:
            raise FrameError("bad_value", f"limit must be between 1 and {HISTORY_MAX}.")
        fields["limit"] = limit
    return Frame(type=kind, fields=fields, ref=ref)


def encode(frame: dict[str, Any]) -> str:
    """The one place frames are serialised: compact, UTF-8 kept as is."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def error_frame(code: str, message: str, *, ref: str | None = None, **extra: Any) -> dict:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if ref is not None:
        frame["ref"] = ref
    frame.update(extra)
    return frame
