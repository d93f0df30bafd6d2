"""The websocket protocol, in one place: commands a browser may send, messages the server
sends, close codes, and how a message reaches every socket of a board.

docs/protocol.md describes the same thing for people; keep the two in step.
"""

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction

from workshops import fanout
from workshops.limits import LIMITS
from workshops.models import Workshop

# Close codes (4000-4999 are the application's own).
CLOSE_FORBIDDEN = 4403  # not (or no longer) allowed on this board: do not reconnect
CLOSE_NOT_FOUND = 4404  # no such workshop: do not reconnect
CLOSE_ABUSIVE = 4429  # too many bad or too many frames: reconnecting later is allowed
CLOSE_TOO_SLOW = 4408  # fell too far behind reading: reconnect and catch up


class ProtocolError(Exception):
    """A frame the server cannot accept; the message is for the person at the browser."""

    def __init__(self, code: str, message: str, op: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.op = op


# ----- commands in -----

END = "end"  # `after` left out: the end of the place


@dataclass(frozen=True)
class Place:
    """Where a sticky sits: parked, on the timeline (events) or in a lane under `event`."""

    parked: bool
    event: UUID | None = None


@dataclass(frozen=True)
class Ping:
    """Keeps presence fresh; answered with a pong carrying the board's sequence number."""


@dataclass(frozen=True)
class Sync:
    """Asks for every change after `since` (the last sequence number this client holds)."""

    since: int


@dataclass(frozen=True)
class Editing:
    """Says which sticky this person is editing now (None: none). Not stored."""

    sticky: UUID | None


@dataclass(frozen=True)
class Add:
    op: str
    kind: str
    text: str
    place: Place
    after: UUID | str | None = END


@dataclass(frozen=True)
class Update:
    op: str
    sticky: UUID
    text: str | None = None
    kind: str | None = None
    parallel: bool | None = None


@dataclass(frozen=True)
class Move:
    op: str
    sticky: UUID
    place: Place
    after: UUID | str | None = END


@dataclass(frozen=True)
class Delete:
    op: str
    sticky: UUID


@dataclass(frozen=True)
class Restore:
    op: str
    sticky: UUID


Command = Ping | Sync | Editing | Add | Update | Move | Delete | Restore
BoardCommand = Add | Update | Move | Delete | Restore


class _Frame:
    """Reads the fields of one command, refusing wrong types with a clear message."""

    def __init__(self, content: dict[str, Any], op: str | None) -> None:
        self.content, self.op = content, op

    def refuse(self, message: str) -> ProtocolError:
        return ProtocolError("invalid", message, self.op)

    def string(self, name: str, *, limit: int = 10_000) -> str:
        value = self.content.get(name)
        if not isinstance(value, str):
            raise self.refuse(f"'{name}' must be a string.")
        if len(value) > limit:
            raise self.refuse(f"'{name}' is too long.")
        return value

    def optional_string(self, name: str) -> str | None:
        return None if self.content.get(name) is None else self.string(name)

    def uuid(self, name: str, *, optional: bool = False) -> UUID | None:
        value = self.content.get(name)
        if value is None and optional:
            return None
        if isinstance(value, str):
            try:
                return UUID(value)
            except ValueError:
                pass
        raise self.refuse(f"'{name}' must be a sticky id.")

    def sticky(self) -> UUID:
        value = self.uuid("sticky")
        assert value is not None
        return value

    def boolean(self, name: str, *, optional: bool = False) -> bool | None:
        value = self.content.get(name)
        if value is None and optional:
            return None
        if not isinstance(value, bool):
            raise self.refuse(f"'{name}' must be true or false.")
        return value

    def integer(self, name: str) -> int:
        value = self.content.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.refuse(f"'{name}' must be a whole number, 0 or more.")
        return value

    def place(self) -> Place:
        value = self.content.get("place")
        if not isinstance(value, dict):
            raise self.refuse("'place' must be an object with 'parked' and 'event'.")
        inner = _Frame(value, self.op)
        parked = inner.boolean("parked")
        assert parked is not None
        return Place(parked=parked, event=inner.uuid("event", optional=True))

    def after(self) -> UUID | str | None:
        if "after" not in self.content:
            return END
        return self.uuid("after", optional=True)


def _op(frame: _Frame) -> str:
    value = frame.content.get("op")
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise frame.refuse("Every change needs an 'op': the client's id for it, 1-64 characters.")
    return value


def _read_command(name: str, frame: _Frame) -> Command:
    match name:
        case "ping":
            return Ping()
        case "sync":
            return Sync(since=frame.integer("since"))
        case "editing":
            return Editing(sticky=frame.uuid("sticky", optional=True))
        case "add":
            return Add(
                op=_op(frame),
                kind=frame.string("kind"),
                text=frame.string("text"),
                place=frame.place(),
                after=frame.after(),
            )
        case "update":
            update = Update(
                op=_op(frame),
                sticky=frame.sticky(),
                text=frame.optional_string("text"),
                kind=frame.optional_string("kind"),
                parallel=frame.boolean("parallel", optional=True),
            )
            if update.text is None and update.kind is None and update.parallel is None:
                raise frame.refuse("An update changes 'text', 'kind' or 'parallel'.")
            return update
        case "move":
            return Move(
                op=_op(frame), sticky=frame.sticky(), place=frame.place(), after=frame.after()
            )
        case "delete":
            return Delete(op=_op(frame), sticky=frame.sticky())
        case "restore":
            return Restore(op=_op(frame), sticky=frame.sticky())
    raise ProtocolError("unknown_command", f"Unknown command {name!r}.", frame.op)


COMMAND_NAMES = ("ping", "sync", "editing", "add", "update", "move", "delete", "restore")


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
    if not isinstance(name, str) or name not in COMMAND_NAMES:
        raise ProtocolError("unknown_command", f"Unknown command {name!r}.", op)
    return _read_command(name, _Frame(content, op))


# ----- messages out -----


def error(code: str, message: str, op: str | None = None) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, "op": op}


def pong(seq: int) -> dict[str, Any]:
    return {"type": "pong", "seq": seq}


def welcome(*, workshop: Workshop, role: str, participant_id: int | None) -> dict[str, Any]:
    return {"type": "welcome", "seq": workshop.seq, "role": role, "participant": participant_id}


def presence(*, workshop: Workshop, html: str, count: int) -> dict[str, Any]:
    return {"type": "presence", "seq": workshop.seq, "html": html, "count": count}


def patch(
    *, seq: int, op: str | None, by: int | None, stickies: list[dict[str, Any]]
) -> dict[str, Any]:
    """A committed change: the new state of every sticky it touched, each with its html."""
    return {"type": "patch", "seq": seq, "op": op, "by": by, "stickies": stickies}


def ack(*, op: str, seq: int) -> dict[str, Any]:
    """A resent command that was already applied: confirmed, not applied again."""
    return {"type": "ack", "op": op, "seq": seq}


def catch_up(*, seq: int, stickies: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "catchup", "seq": seq, "stickies": stickies}


def snapshot(*, seq: int, html: str) -> dict[str, Any]:
    return {"type": "snapshot", "seq": seq, "html": html}


def editing(*, participant: int, name: str, colour: str, sticky: UUID | None) -> dict[str, Any]:
    return {
        "type": "editing",
        "participant": participant,
        "name": name,
        "colour": colour,
        "sticky": str(sticky) if sticky else None,
    }


def revoked(message: str) -> dict[str, Any]:
    return {"type": "revoked", "message": message}


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


# ----- fan-out -----


def publish(workshop_id: int, message: dict[str, Any]) -> None:
    """Send one message to every socket of a board, serialised once for all of them."""
    fanout.hub.publish(workshop_id, encode(message))


async def apublish(workshop_id: int, message: dict[str, Any]) -> None:
    await fanout.hub.apublish(workshop_id, encode(message))


def publish_on_commit(workshop_id: int, message: dict[str, Any]) -> None:
    transaction.on_commit(lambda: publish(workshop_id, message))


def revoke_on_commit(
    workshop_id: int, *, message: str, participant_id: int | None = None, role: str | None = None
) -> None:
    """Close the sockets of one participant, or of every socket with a role, on this board."""
    control = {
        "revoke": True,
        "frame": encode(revoked(message)),
        "participant": participant_id,
        "role": role,
    }
    transaction.on_commit(lambda: fanout.hub.publish_control(workshop_id, control))
