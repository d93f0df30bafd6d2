"""The websocket protocol's server side: the messages the server sends (each shape declared once),
close codes, and how a message reaches every socket of a board, each viewer seeing what they may.

The commands a browser sends are declared in `workshops/commands.py`. docs/protocol.md describes
both for people, and a test holds it to this code.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction

from workshops import fanout
from workshops.limits import LIMITS
from workshops.visibility import EntityState

# Close codes (4000-4999 are the application's own).
CLOSE_FORBIDDEN = 4403  # not (or no longer) allowed on this board: do not reconnect
CLOSE_NOT_FOUND = 4404  # no such workshop: do not reconnect
CLOSE_ABUSIVE = 4429  # too many bad or too many frames: reconnecting later is allowed
CLOSE_TOO_SLOW = 4408  # fell too far behind reading: reconnect and catch up


# Every code an `error` message may carry, declared once (docs/protocol.md says when each is sent).
ERRORS: dict[str, str] = {
    "bad_frame": "a binary frame, or JSON that is not an object",
    "bad_json": "not JSON, or nested too deeply",
    "too_large": "a frame over the size limit",
    "unknown_command": "a type that is not a command",
    "invalid": "a field missing or of the wrong type, or a change that breaks a rule",
    "not_allowed": "the sender may not do this now",
    "gone": "the sticky is deleted, not on this board, or someone else's private one",
    "rate_limited": "a frame above the rate limit, dropped",
    "failed": "the server could not apply a change (nothing was changed): try again",
    "forbidden": "no role on this board",
    "not_found": "no such workshop",
}


class ProtocolError(Exception):
    """A frame the server cannot accept; the message is for the person at the browser."""

    def __init__(self, code: str, message: str, op: str | None = None) -> None:
        if code not in ERRORS:
            raise TypeError(f"Undeclared error code {code!r}.")
        super().__init__(message)
        self.code = code
        self.message = message
        self.op = op


END = "end"  # `after` left out: the end of the place


@dataclass(frozen=True)
class Place:
    """Where a sticky sits: parked, on the timeline (events) or in a lane under `event`."""

    parked: bool
    event: UUID | None = None


# ----- messages out: every shape, once -----

MESSAGES: dict[str, tuple[str, ...]] = {
    "welcome": ("seq", "role", "participant", "now"),
    "patch": ("seq", "op", "by", "entities"),
    "bulk": ("seq", "op", "by"),
    "catchup": ("seq", "entities"),
    "snapshot": ("seq", "html", "url", "board", "work"),
    "ack": ("op", "seq"),
    "presence": ("seq", "html", "count"),
    "editing": ("participant", "name", "colour", "sticky"),
    "pong": ("seq", "now"),
    "revoked": ("message",),
    "error": ("code", "message", "op"),
    "conflict": ("op", "sticky", "text", "text_version", "message"),
}


def message(kind: str, **fields: Any) -> dict[str, Any]:
    """A message of a declared shape: exactly its declared fields, or a programming error."""
    declared = MESSAGES[kind]
    if tuple(fields) != declared:
        raise TypeError(f"A {kind!r} message has the fields {declared}, not {tuple(fields)}.")
    return {"type": kind, **fields}


def now() -> int:
    """The server's clock, in milliseconds since the epoch: what a page sets its countdown by
    (its own clock may be off by minutes)."""
    return round(time.time() * 1000)


def error(code: str, text: str, op: str | None = None) -> dict[str, Any]:
    if code not in ERRORS:
        raise TypeError(f"Undeclared error code {code!r}.")
    return message("error", code=code, message=text, op=op)


def encode(content: dict[str, Any]) -> str:
    return json.dumps(content, separators=(",", ":"))


# ----- fan-out -----


def publish(workshop_id: int, content: dict[str, Any]) -> None:
    """Send one message, the same for every socket of a board, serialised once for all. A
    patch too big for one frame (Daphne refuses frames over 1 MiB) goes as a `bulk`: it says
    the change happened, and each screen catches up (over HTTP when that is big too)."""
    frame = encode(content)
    if len(frame) > LIMITS.frame_out_bytes and content["type"] == "patch":
        frame = encode(message("bulk", **{name: content[name] for name in MESSAGES["bulk"]}))
    fanout.hub.publish(workshop_id, frame)


async def apublish(workshop_id: int, content: dict[str, Any]) -> None:
    """The same, from the event loop itself."""
    await fanout.hub.apublish(workshop_id, encode(content))


def publish_entities(
    workshop_id: int,
    content: dict[str, Any],
    entities: list[EntityState],
    *,
    sender: int | None = None,
) -> None:
    """Send a message carrying entity states (`content["entities"]` is filled in here): one
    frame for all when everyone may see everything in it, else one per kind of viewer, each with
    what that viewer may see (workshops/visibility.py). Every socket gets it, so no viewer ever
    sees a gap in the sequence numbers. With `sender` (an anonymous change), only that
    participant's sockets get the message's `by` and `op`."""
    whole = content | {"entities": [entity.state for entity in entities]}
    if sender is None and all(entity.audience is None for entity in entities):
        publish(workshop_id, whole)
    elif sender is None and len(encode(whole)) > LIMITS.frame_out_bytes:
        publish(workshop_id, whole)  # too big: everyone catches up (publish says so)
    else:
        fanout.hub.publish_views(workshop_id, fanout.Views(content, entities, sender=sender))


def publish_on_commit(build: Callable[[], None]) -> None:
    """Run `build` (which publishes) once the transaction has committed: nothing is announced
    that was not stored. The one way anything is broadcast after a write."""
    transaction.on_commit(build)


def revoke_on_commit(
    workshop_id: int,
    *,
    text: str,
    participant_id: int | None = None,
    role: str | None = None,
    everyone: bool = False,
) -> None:
    """Close the sockets of one participant, of every socket with a role, or (`everyone`) every
    socket, on this board."""
    control = {
        "revoke": True,
        "frame": encode(message("revoked", message=text)),
        "participant": participant_id,
        "role": role,
        "everyone": everyone,
    }
    publish_on_commit(lambda: fanout.hub.publish_control(workshop_id, control))
