"""The chat socket's JSON protocol: one declared schema per client frame type.

Every client frame is a JSON object with a ``type``; its fields are declared below as a
pydantic model (strict: a number is not text, ``true`` is not an id; unknown fields are
ignored; ``null`` counts as absent). :func:`parse_frame` returns the validated
:class:`Frame` or raises :class:`FrameError` with a code and a sentence for the member;
the consumer turns that into an ``error`` frame and carries on. docs/chat.md documents
these models, and tests/chat/test_protocol_docs.py checks that the two agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from community.models import REACTION_KEYS
from hearth.rules import RuleError

MAX_FRAME_BYTES = 16 * 1024
MAX_REF_LENGTH = 64
HISTORY_PAGE = 50
HISTORY_MAX = 100
MAX_ID = 2**63 - 1


class FrameError(RuleError):
    """A frame the protocol refuses: the project's refusal (``message``, ``code``) plus the
    ``ref`` of the frame, which its ``error`` frame echoes."""

    code = "bad_frame"

    def __init__(self, message: str, *, code: str, ref: str | None = None) -> None:
        super().__init__(message, code=code)
        self.ref = ref


MessageId = Annotated[int, Field(ge=0, le=MAX_ID)]
if TYPE_CHECKING:
    Reaction = str  # one of REACTION_KEYS: the set is data, so only pydantic can check it
else:
    Reaction = Literal[tuple(REACTION_KEYS)]


class _ClientFrame(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class SendFrame(_ClientFrame):
    """Save a message; everyone gets ``message``, the sender also ``ack``."""

    body: str


class EditFrame(_ClientFrame):
    """Own message, within the edit window → ``edited``."""

    id: MessageId
    body: str


class DeleteFrame(_ClientFrame):
    """Own message, or any as a moderator → ``deleted``."""

    id: MessageId


class ReactFrame(_ClientFrame):
    """``on: true`` sets, ``on: false`` removes, no ``on`` toggles → ``reaction``."""

    id: MessageId
    reaction: Reaction
    on: bool | None = None


class TypingFrame(_ClientFrame):
    """Relayed as ``typing``."""


class HistoryFrame(_ClientFrame):
    """→ ``history`` with the messages before that id."""

    before: MessageId
    limit: Annotated[int, Field(ge=1, le=HISTORY_MAX)] = HISTORY_PAGE


class SinceFrame(_ClientFrame):
    """The messages after that id this socket has not had → ``message`` frames, ``synced``."""

    after: MessageId


class ReadFrame(_ClientFrame):
    """Moves the member's read marker forward → ``read``."""

    id: MessageId


class PingFrame(_ClientFrame):
    """Keeps the member present → ``presence``."""


SCHEMAS: dict[str, type[_ClientFrame]] = {
    "send": SendFrame,
    "edit": EditFrame,
    "delete": DeleteFrame,
    "react": ReactFrame,
    "typing": TypingFrame,
    "history": HistoryFrame,
    "since": SinceFrame,
    "read": ReadFrame,
    "ping": PingFrame,
}
CLIENT_TYPES = tuple(SCHEMAS)


class _ServerFrame(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class StandingFrame(_ServerFrame):
    """Server → client, to the member's own sockets: whether they may write in this room
    changed (muted, silenced, lifted). ``notice`` is the penalty's notice as HTML (the
    reason, the rule, when it ends, the Appeal link), "" when they may write again."""

    type: Literal["standing"] = "standing"
    can_send: bool
    refusal: str
    notice: str


# The server frames declared as schemas (docs/chat.md follows them too).
SERVER_SCHEMAS: dict[str, type[_ServerFrame]] = {"standing": StandingFrame}
_TYPE_NAMES = {"int": "a whole number", "str": "text", "bool": "true or false"}


@dataclass(frozen=True)
class Frame:
    type: str
    fields: _ClientFrame
    ref: str | None = None

    def __getitem__(self, key: str) -> Any:
        return getattr(self.fields, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self.fields, key, default)


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
        raise FrameError(_("That frame is not valid JSON."), code="bad_json") from None
    if not isinstance(data, dict):
        raise FrameError(_("A frame must be a JSON object with a type."), code="bad_frame")
    ref = data.get("ref")
    if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_REF_LENGTH):
        raise FrameError(
            f"ref must be text of at most {MAX_REF_LENGTH} characters.", code="wrong_type"
        )
    try:
        return _parse_fields(data, ref)
    except FrameError as error:
        error.ref = ref  # the answer to a frame echoes its ref, errors included
        raise


def _parse_fields(data: dict[str, Any], ref: str | None) -> Frame:
    kind = data.get("type")
    if kind is None:
        raise FrameError(_("The frame has no type."), code="missing_field")
    if not isinstance(kind, str):
        raise FrameError(_("type must be text."), code="wrong_type")
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise FrameError(
            f"Unknown frame type {kind[:40]!r}; expected one of {', '.join(CLIENT_TYPES)}.",
            code="unknown_type",
        )
    fields = {
        name: value
        for name, value in data.items()
        if name in schema.model_fields and value is not None
    }
    try:
        return Frame(type=kind, fields=schema.model_validate(fields), ref=ref)
    except ValidationError as errors:
        raise _frame_error(kind, schema, errors.errors()[0]) from None


def _frame_error(kind: str, schema: type[_ClientFrame], error: Any) -> FrameError:
    name = str(error["loc"][0]) if error["loc"] else "frame"
    kind_of_error = error["type"]
    if kind_of_error == "missing":
        return FrameError(f"A {kind} frame needs {name}.", code="missing_field")
    if kind_of_error.endswith("_type"):
        expected = _TYPE_NAMES.get(kind_of_error.removesuffix("_type"), "something else")
        return FrameError(f"{name} must be {expected}.", code="wrong_type")
    if kind_of_error == "literal_error" and name == "reaction":
        return FrameError(
            f"Unknown reaction; expected one of {', '.join(REACTION_KEYS)}.", code="bad_value"
        )
    if name == "limit":
        return FrameError(f"limit must be between 1 and {HISTORY_MAX}.", code="bad_value")
    return FrameError(f"{name} is out of range.", code="bad_value")


def encode(frame: dict[str, Any]) -> str:
    """The one place frames are serialised: compact, UTF-8 kept as is."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def error_frame(code: str, message: str, *, ref: str | None = None, **extra: Any) -> dict:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if ref is not None:
        frame["ref"] = ref
    frame.update(extra)
    return frame
