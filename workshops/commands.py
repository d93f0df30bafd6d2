"""The commands a browser may send over the board's socket, declared once.

Each command says its fields and their types, the least role that may send it, and the service
that runs it (`workshops/services`, called with the workshop, the sender, `op` and the fields).
The parser reads this table, so do the consumer, the runner and the change skeleton (for the
role), and a test holds docs/protocol.md to it.
"""

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

from workshops.access import Role
from workshops.agenda import Phase
from workshops.limits import LIMITS
from workshops.protocol import END, Place, ProtocolError


class Type(StrEnum):
    """How a field is read (and how docs/protocol.md names it)."""

    TEXT = "string"
    ID = "id"  # a UUID
    BOOL = "boolean"
    COUNT = "integer"  # a whole number, 0 or more
    PLACE = "place"
    AFTER = "after"  # an id, null (first) or left out (the end)
    PHASE = "phase"  # one of workshops.agenda.Phase
    IDS = "ids"  # a list of UUIDs
    TEXTS = "strings"  # a list of strings
    OBJECT = "object"  # a JSON object, read by the service


@dataclass(frozen=True)
class Field:
    wire: str  # its name in the frame
    type: Type
    required: bool = True
    attr: str = ""  # its name in the command and the service's keyword, when not `wire`

    @property
    def name(self) -> str:
        return self.attr or self.wire


@dataclass(frozen=True)
class Spec:
    name: str
    fields: tuple[Field, ...]
    role: Role  # the least role that may send it
    service: str = ""  # the function of workshops.services that runs it; "" for the socket's own
    about: str = ""  # the field naming the sticky it changes: read as the change begins
    while_ended: bool = False  # allowed on an ended workshop
    while_locked: bool = False  # allowed to participants while the board is locked
    one_of: tuple[str, ...] = ()  # at least one of these fields must be given
    doc: str = ""

    @property
    def changes_board(self) -> bool:
        return bool(self.service)


OP = Field("op", Type.TEXT)


def _change(name: str, *fields: Field, role: Role = Role.PARTICIPANT, **spec: Any) -> Spec:
    return Spec(name, (OP, *fields), role, **spec)


STICKY = Field("sticky", Type.ID, attr="sticky_id")
ACTION = Field("action_id", Type.ID)


def _optional(wire: str, kind: Type, attr: str = "") -> Field:
    return Field(wire, kind, required=False, attr=attr)


BOARD_FIELDS = (
    _optional("title", Type.TEXT),
    _optional("goal", Type.TEXT),
    _optional("first_event", Type.TEXT),
    _optional("last_event", Type.TEXT),
    _optional("phase", Type.PHASE),
    _optional("private_brainstorm", Type.BOOL),
    _optional("locked", Type.BOOL),
    _optional("votes_each", Type.COUNT),
    _optional("votes_per_sticky", Type.COUNT),
    _optional("votes_hidden", Type.BOOL),
    _optional("anonymous_pain", Type.BOOL),
    _optional("sizes", Type.OBJECT),
    _optional("calendar_days", Type.BOOL),
)
ACTION_FIELDS = (
    _optional("owner", Type.TEXT),
    _optional("owner_participant", Type.COUNT),
    _optional("due", Type.TEXT),
    _optional("status", Type.TEXT),
)

COMMANDS: dict[str, Spec] = {
    spec.name: spec
    for spec in (
        Spec("ping", (), Role.OBSERVER, doc="keeps this connection counted as present"),
        Spec("sync", (Field("since", Type.COUNT),), Role.OBSERVER, doc="asks for what changed"),
        Spec("editing", (Field("sticky", Type.ID, required=False),), Role.PARTICIPANT,
             doc="tells the others what this person is editing"),
        _change("add", Field("kind", Type.TEXT), Field("text", Type.TEXT),
                Field("place", Type.PLACE), Field("after", Type.AFTER, required=False),
                Field("id", Type.ID, required=False, attr="sticky_id"),
                _optional("anonymous", Type.BOOL),
                service="sticky_add", doc="a new sticky"),
        _change("update", STICKY, Field("text", Type.TEXT, required=False),
                Field("base", Type.COUNT, required=False),
                Field("kind", Type.TEXT, required=False),
                Field("parallel", Type.BOOL, required=False),
                _optional("owner", Type.TEXT),
                service="sticky_update", about="sticky_id",
                one_of=("text", "kind", "parallel", "owner"), doc="sets each field given"),
        _change("move", STICKY, Field("place", Type.PLACE),
                Field("after", Type.AFTER, required=False),
                service="sticky_move", about="sticky_id", doc="moves a sticky"),
        _change("delete", STICKY, service="sticky_delete", about="sticky_id",
                doc="deletes a sticky (restorable)"),
        _change("restore", STICKY, service="sticky_restore", about="sticky_id",
                doc="brings a deleted sticky back"),
        _change("board", *BOARD_FIELDS, role=Role.FACILITATOR, service="board_update",
                one_of=tuple(field.wire for field in BOARD_FIELDS),
                doc="changes the workshop's own details, state and settings"),
        _change("timer", Field("action", Type.TEXT), Field("seconds", Type.COUNT, required=False),
                role=Role.FACILITATOR, service="timer_set",
                doc="starts, pauses, resumes, lengthens or stops the shared timebox"),
        _change("ready", Field("ready", Type.BOOL), service="ready_set", while_locked=True,
                doc="says this person is done with the phase, or not yet"),
        _change("follow", Field("target", Type.TEXT, required=False), role=Role.FACILITATOR,
                service="follow_set", doc="brings every screen to a part of the board"),
        _change("undo_participant", Field("participant", Type.COUNT), role=Role.FACILITATOR,
                service="participant_undo", doc="takes back what one person added and deleted"),
        _change("reveal", role=Role.FACILITATOR, service="board_reveal",
                doc="shows everyone the stickies written privately"),
        _change("merge", STICKY, Field("stickies", Type.IDS), service="stickies_merge",
                about="sticky_id", doc="merges duplicates into one sticky"),
        _change("split", STICKY, _optional("stickies", Type.IDS), service="sticky_split",
                about="sticky_id", doc="takes merged stickies out again"),
        _change("dismiss", STICKY, Field("other", Type.ID), service="duplicate_dismiss",
                about="sticky_id", doc="says two stickies are not duplicates"),
        _change("vote", STICKY, service="vote_add", about="sticky_id",
                doc="gives a pain point a vote"),
        _change("unvote", STICKY, service="vote_remove", about="sticky_id",
                doc="takes a vote back"),
        _change("votes_clear", role=Role.FACILITATOR, service="votes_clear",
                doc="takes every vote back"),
        _change("timing", Field("events", Type.IDS), _optional("size", Type.TEXT),
                _optional("estimate", Type.TEXT), _optional("work", Type.TEXT),
                _optional("wait", Type.TEXT), service="timing_set",
                one_of=("size", "estimate", "work", "wait"),
                doc="sizes a step, or a group of 2-3 consecutive steps"),
        _change("untime", Field("timing", Type.ID, attr="timing_id"), service="timing_clear",
                doc="takes a timing away"),
        _change("round", Field("action", Type.TEXT), _optional("events", Type.IDS),
                role=Role.FACILITATOR, service="round_set",
                doc="starts, reveals or ends an estimation round"),
        _change("pick", _optional("size", Type.TEXT), service="round_pick", while_locked=True,
                doc="picks a size in the estimation round"),
        _change("action_add", Field("text", Type.TEXT), *ACTION_FIELDS,
                _optional("source", Type.ID), _optional("id", Type.ID, attr="action_id"),
                service="action_add", while_ended=True, doc="a new follow-up action"),
        _change("action_update", ACTION, _optional("text", Type.TEXT), *ACTION_FIELDS,
                service="action_update", while_ended=True,
                one_of=("text", "owner", "owner_participant", "due", "status"),
                doc="sets each field of an action given"),
        _change("action_delete", ACTION, service="action_delete", while_ended=True,
                doc="deletes an action (restorable)"),
        _change("action_restore", ACTION, service="action_restore", while_ended=True,
                doc="brings a deleted action back"),
        _change("followup", _optional("at", Type.TEXT), _optional("minutes", Type.COUNT),
                _optional("purposes", Type.TEXTS), _optional("notes", Type.TEXT),
                role=Role.FACILITATOR, service="followup_set", while_ended=True,
                one_of=("at", "minutes", "purposes", "notes"),
                doc="sets the follow-up meeting and what the output is for"),
        _change("starter", Field("starter", Type.TEXT), role=Role.FACILITATOR,
                service="workshop_apply_starter", doc="fills an empty board from a template"),
        _change("end", role=Role.FACILITATOR, service="workshop_end",
                doc="ends the workshop: the board becomes read-only"),
        _change("reopen", role=Role.FACILITATOR, service="workshop_reopen", while_ended=True,
                doc="opens an ended workshop again"),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Command:
    """A frame the parser accepted: its spec, `op` (changes only) and its fields' values, by
    the names the service takes."""

    spec: Spec
    op: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name


# ----- reading frames -----


class _Reader:
    """Reads one command's fields, refusing wrong types with a clear message."""

    def __init__(self, content: dict[str, Any], op: str | None) -> None:
        self.content, self.op = content, op

    def refuse(self, message: str) -> ProtocolError:
        return ProtocolError("invalid", message, self.op)

    def read(self, spec: Field) -> Any:
        value = self.content.get(spec.wire)
        if spec.type is Type.AFTER:
            if spec.wire not in self.content:
                return END
            return None if value is None else self._uuid(spec.wire, value)
        if value is None:
            if spec.required:
                raise self.refuse(f"'{spec.wire}' is missing.")
            return None
        return READERS[spec.type](self, spec.wire, value)

    def _text(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.refuse(f"'{name}' must be a string.")
        if len(value) > LIMITS.frame_bytes:
            raise self.refuse(f"'{name}' is too long.")
        if not _is_text(value):
            raise self.refuse(f"'{name}' holds something that is not text (a lone surrogate).")
        return value

    def _uuid(self, name: str, value: Any) -> UUID:
        if isinstance(value, str):
            try:
                return UUID(value)
            except ValueError:
                pass
        raise self.refuse(f"'{name}' must be an id (a UUID).")

    def _bool(self, name: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.refuse(f"'{name}' must be true or false.")
        return value

    def _count(self, name: str, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.refuse(f"'{name}' must be a whole number, 0 or more.")
        return value

    def _phase(self, name: str, value: Any) -> str:
        if value not in Phase.values:
            known = ", ".join(Phase.values)
            raise self.refuse(f"'{name}' must be one of the agenda's phases: {known}.")
        return str(value)

    def _ids(self, name: str, value: Any) -> list[UUID]:
        if not isinstance(value, list) or len(value) > LIMITS.ids_per_command:
            raise self.refuse(f"'{name}' must be a list of at most {LIMITS.ids_per_command} ids.")
        return [self._uuid(name, item) for item in value]

    def _texts(self, name: str, value: Any) -> list[str]:
        if not isinstance(value, list) or len(value) > LIMITS.ids_per_command:
            raise self.refuse(
                f"'{name}' must be a list of at most {LIMITS.ids_per_command} strings."
            )
        return [self._text(name, item) for item in value]

    def _object(self, name: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.refuse(f"'{name}' must be an object.")
        return value

    def _place(self, name: str, value: Any) -> Place:
        if not isinstance(value, dict):
            raise self.refuse(f"'{name}' must be an object with 'parked' and 'event'.")
        inner = _Reader(value, self.op)
        parked = inner.read(Field("parked", Type.BOOL))
        event = inner.read(Field("event", Type.ID, required=False))
        return Place(parked=parked, event=event)


# How each type is read (AFTER is read apart: left out and null mean different things).
READERS = {
    Type.TEXT: _Reader._text,
    Type.ID: _Reader._uuid,
    Type.BOOL: _Reader._bool,
    Type.COUNT: _Reader._count,
    Type.PHASE: _Reader._phase,
    Type.PLACE: _Reader._place,
    Type.IDS: _Reader._ids,
    Type.TEXTS: _Reader._texts,
    Type.OBJECT: _Reader._object,
}


def _is_text(value: str) -> bool:
    """Encodable as UTF-8 (JSON lets a frame carry half a surrogate pair, which is not)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _valid_op(op: str | None) -> bool:
    return op is not None and 1 <= len(op) <= 64 and op.isprintable() and _is_text(op)


def parse(text: str | None) -> Command:
    """A frame as a command of the registry, or ProtocolError with a message for the person."""
    if text is None:
        raise ProtocolError("bad_frame", "Send text frames holding JSON objects.")
    if len(text.encode()) > LIMITS.frame_bytes:
        raise ProtocolError("too_large", f"A frame may hold {LIMITS.frame_bytes} bytes at most.")
    try:
        content = json.loads(text)
    except ValueError:
        raise ProtocolError("bad_json", "That frame is not valid JSON.") from None
    except RecursionError:
        raise ProtocolError("bad_json", "That frame is nested too deeply.") from None
    if not isinstance(content, dict):
        raise ProtocolError("bad_frame", "A frame must be a JSON object.")
    name = content.get("type")
    op = content.get("op") if isinstance(content.get("op"), str) else None
    op = op if op is None or _is_text(op) else None  # never echo what cannot be sent back
    spec = COMMANDS.get(name) if isinstance(name, str) else None
    if spec is None:
        raise ProtocolError("unknown_command", f"Unknown command {name!r}.", op)
    reader = _Reader(content, op)
    if spec.changes_board and not _valid_op(op):
        raise reader.refuse(
            "Every change needs an 'op': the client's id for it, 1-64 printable characters."
        )
    values = {f.name: reader.read(f) for f in spec.fields if f is not OP}
    if spec.one_of and all(values[f] is None for f in spec.one_of):
        said = ", ".join(f"'{name}'" for name in spec.one_of)
        raise reader.refuse(f"'{spec.name}' changes at least one of {said}.")
    return Command(spec, op if spec.changes_board else None, values)
