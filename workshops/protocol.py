"""The websocket protocol, in one place: commands a browser may send, messages the server
sends, close codes, and how a message reaches every socket of a board.

docs/protocol.md describes the same thing for people; keep the two in step.
"""

import json
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from workshops.limits import LIMITS
from workshops.models import Workshop

# Close codes (4000-4999 are the application's own).
CLOSE_FORBIDDEN = 4403  # not (or no longer) allowed on this board: do not reconnect
CLOSE_NOT_FOUND = 4404  # no such workshop: do not reconnect
CLOSE_ABUSIVE = 4429  # too many bad or too many frames: reconnecting later is allowed

# Layer event types (between server processes), handled by the consumer.
LAYER_FRAME = "board.frame"
LAYER_REVOKED = "access.revoked"


class ProtocolError(Exception):
    """A frame the server cannot accept; the message is for the person at the browser."""

    def __init__(self, code: str, message: str, op: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.op = op


# ----- commands in -----


@dataclass(frozen=True)
class Ping:
    """Keeps presence fresh; answered with a pong carrying the board's sequence number."""


Command = Ping

COMMANDS: dict[str, type[Command]] = {"ping": Ping}


def parse(text: str | None) -> Command:
    if text is None:
        raise ProtocolError("bad_frame", "Send text frames holding JSON objects.")
    if len(text.encode()) > LIMITS.frame_bytes:
        raise ProtocolError("too_large", f"A frame may hold {LIMITS.frame_bytes} bytes at most.")
    try:
        content = json.loads(text)
    except ValueError:
        raise ProtocolError("bad_json", "That frame is not valid JSON.") from None
    if not isinstance(content, dict):
        raise ProtocolError("bad_frame", "A frame must be a JSON object.")
    name = content.get("type")
    op = content.get("op") if isinstance(content.get("op"), str) else None
    if not isinstance(name, str) or name not in COMMANDS:
        raise ProtocolError("unknown_command", f"Unknown command {name!r}.", op)
    return COMMANDS[name]()


# ----- messages out -----


def error(code: str, message: str, op: str | None = None) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, "op": op}


def pong(seq: int) -> dict[str, Any]:
    return {"type": "pong", "seq": seq}


def welcome(*, workshop: Workshop, role: str, participant_id: int | None) -> dict[str, Any]:
    return {"type": "welcome", "seq": workshop.seq, "role": role, "participant": participant_id}


def presence(*, workshop: Workshop, html: str, count: int) -> dict[str, Any]:
    return {"type": "presence", "seq": workshop.seq, "html": html, "count": count}


def revoked(message: str) -> dict[str, Any]:
    return {"type": "revoked", "message": message}


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


# ----- fan-out -----


def group_name(workshop_id: int) -> str:
    return f"workshop.{workshop_id}"


def publish(workshop_id: int, message: dict[str, Any]) -> None:
    """Send one message to every socket of a board, serialised once for all of them."""
    layer = get_channel_layer()
    assert layer is not None
    async_to_sync(layer.group_send)(
        group_name(workshop_id), {"type": LAYER_FRAME, "frame": encode(message)}
    )


def publish_on_commit(workshop_id: int, message: dict[str, Any]) -> None:
    transaction.on_commit(lambda: publish(workshop_id, message))


def revoke_on_commit(
    workshop_id: int, *, message: str, participant_id: int | None = None, role: str | None = None
) -> None:
    """Close the sockets of one participant, or of every socket with a role, on this board."""

    def send() -> None:
        layer = get_channel_layer()
        assert layer is not None
        async_to_sync(layer.group_send)(
            group_name(workshop_id),
            {
                "type": LAYER_REVOKED,
                "frame": encode(revoked(message)),
                "participant": participant_id,
                "role": role,
            },
        )

    transaction.on_commit(send)
