"""The board: adding, changing, moving, deleting and restoring stickies, and catching up.

Every operation locks the workshop's row, so a board's changes are applied one at a time in
the order of its sequence number; each is logged as an Operation (history, catch-up, and the
record that a client's command id was applied), committed, and only then broadcast.
"""

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from fractional_indexing import generate_key_between

from workshops import protocol
from workshops.kinds import KINDS, LANE_KINDS, Kind, KindInfo
from workshops.limits import LIMITS
from workshops.models import Operation, Participant, Sticky, Workshop
from workshops.protocol import END, Place
from workshops.services import rows


class Gone(Exception):
    """The sticky was deleted (or never was on this board)."""


class AlreadyApplied(Exception):
    """A resent command whose id was applied before: confirm it, apply nothing."""

    def __init__(self, seq: int) -> None:
        super().__init__(seq)
        self.seq = seq


@dataclass
class Change:
    """An operation under way: the locked board, who acts, and what it changed."""

    workshop: Workshop
    by: Participant
    op: str | None
    seq: int
    changed: dict[UUID, Sticky] = field(default_factory=dict)
    sticky: Sticky | None = None  # the one the command is about, read as the change began

    def touch(self, sticky: Sticky) -> None:
        sticky.version += 1
        sticky.updated_at = timezone.now()
        if sticky._state.adding:
            rows.insert(sticky)
        else:
            rows.update(sticky)
        self.changed[sticky.pk] = sticky


# One round trip opens every change: it takes the board's next sequence number (which locks the
# board's row until the commit, so a board's changes apply one at a time), and reads whether the
# board is active, whether the sender is still on it, and whether this command id was applied.
BEGIN_SQL = f"""
    UPDATE {Workshop._meta.db_table} SET seq = seq + 1 WHERE id = %s
    RETURNING seq, ended_at,
        (SELECT removed_at IS NULL FROM {Participant._meta.db_table}
          WHERE id = %s AND workshop_id = %s),
        (SELECT seq FROM {Operation._meta.db_table} WHERE workshop_id = %s AND client_op = %s)
"""  # noqa: S608 (table names come from the models; every value is a parameter)


def _begin(
    *, workshop: Workshop, by: Participant | None, op: str | None, sticky_id: UUID | None = None
) -> Change:
    """Take the board's next sequence number, refusing what the sender may not do now and
    spotting a resent command; with `sticky_id`, read that sticky in the same round trip (it
    is read after the board is locked). Call inside the operation's transaction: a refusal
    rolls the sequence number back."""
    if by is None:
        raise PermissionDenied("Observers can look at the board but not change it.")
    with connection.cursor() as cursor:
        cursor.execute(BEGIN_SQL, [workshop.pk, by.pk, workshop.pk, workshop.pk, op])
        answer = rows.ask_sticky(workshop.pk, sticky_id) if sticky_id else None
        row = cursor.fetchone()
    found = answer() if answer else None
    if row is None:
        raise PermissionDenied("This workshop no longer exists.")
    # (`ended_at IS NULL` would be neater, but SQLite 3.40 answers it wrongly in RETURNING.)
    seq, ended_at, present, applied = row
    if applied is not None:
        raise AlreadyApplied(applied)
    if not present:
        raise PermissionDenied("You are no longer on this board.")
    if ended_at is not None:
        raise PermissionDenied("This workshop has ended: its board is read-only.")
    return Change(workshop=workshop, by=by, op=op, seq=seq, sticky=found)


def _finish(change: Change, *, action: str, summary: str) -> int:
    workshop = change.workshop
    operation = Operation(
        workshop=workshop,
        seq=change.seq,
        participant=change.by,
        client_op=change.op,
        action=action,
        summary=summary[:400],
        stickies=[str(sticky_id) for sticky_id in change.changed],
    )
    rows.insert(operation)
    seq, op, by, stickies = change.seq, change.op, change.by.pk, list(change.changed.values())
    transaction.on_commit(
        lambda: protocol.publish(
            workshop.pk, protocol.patch(seq=seq, op=op, by=by, stickies=patches(stickies))
        )
    )
    transaction.on_commit(lambda: setattr(workshop, "seq", max(workshop.seq, seq)))
    return seq


# ----- reading the board -----


def _live(workshop: Workshop) -> Any:
    return Sticky.objects.filter(workshop=workshop, deleted_at__isnull=True).select_related(
        "created_by"
    )


def _siblings(workshop: Workshop, kind: str, place: Place) -> Any:
    """The stickies that share a place, in the order they are shown."""
    live = _live(workshop)
    if kind == Kind.EVENT:
        return live.filter(kind=Kind.EVENT, parked=place.parked)
    if place.parked:
        return live.exclude(kind=Kind.EVENT).filter(parked=True)
    return live.filter(kind=kind, parked=False, event_id=place.event)


def _sticky(change: Change, *, deleted: bool = False) -> Sticky:
    """The sticky the change is about; a deleted one only when asked for (to restore it)."""
    sticky = change.sticky
    if sticky is None:
        raise Gone("That sticky is not on this board.")
    if sticky.deleted_at is not None and not deleted:
        raise Gone("Someone deleted that sticky meanwhile.")
    return sticky


def _rank(
    workshop: Workshop, kind: str, place: Place, after: UUID | str | None, moving: UUID | None
) -> str:
    siblings = _siblings(workshop, kind, place).exclude(pk=moving).order_by("rank", "id")
    if after == END:
        last = siblings.reverse().values_list("rank", flat=True).first()
        return str(generate_key_between(last, None))
    if after is None:
        first = siblings.values_list("rank", flat=True).first()
        return str(generate_key_between(None, first))
    anchor = siblings.filter(pk=after).values_list("rank", flat=True).first()
    if anchor is None:
        raise ValidationError("The sticky to put it after is not in that place any more.")
    following = siblings.filter(rank__gt=anchor).values_list("rank", flat=True).first()
    return str(generate_key_between(anchor, following))


def _check_place(workshop: Workshop, kind: str, place: Place) -> Place:
    """A place a sticky of this kind can go to, or a clear refusal."""
    if kind == Kind.EVENT or place.parked:
        return Place(parked=place.parked, event=None)
    if place.event is None:
        raise ValidationError("Say which event it goes under, or park it.")
    on_timeline = _live(workshop).filter(pk=place.event, kind=Kind.EVENT, parked=False).exists()
    if not on_timeline:
        raise ValidationError("That event is no longer on the timeline.")
    return place


def _clean_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError("A sticky needs some text.")
    if len(cleaned) > LIMITS.sticky_text:
        raise ValidationError(f"A sticky holds {LIMITS.sticky_text} characters at most.")
    return cleaned


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError(f"Unknown kind of sticky {kind!r}.")
    return kind


def _check_room(workshop: Workshop) -> None:
    if _live(workshop).count() >= LIMITS.stickies_per_board:
        raise ValidationError(
            f"This board is full: it holds {LIMITS.stickies_per_board} stickies at most."
        )


def _a(kind: str) -> str:
    """'an event', 'a pain point': the kind as the history says it."""
    label = str(KINDS[kind].kind.label).lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _park_notes_of(change: Change, event: Sticky) -> None:
    """An event leaving the timeline takes its lanes with it: their stickies are parked."""
    for note in _live(change.workshop).filter(event=event, parked=False).order_by("rank", "id"):
        note.parked, note.event = True, None
        note.rank = _rank(change.workshop, note.kind, Place(parked=True), END, note.pk)
        change.touch(note)


def _quote(text: str) -> str:
    return f"“{text[:60]}{'…' if len(text) > 60 else ''}”"


# ----- operations -----


def sticky_add(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    kind: str,
    text: str,
    place: Place,
    after: UUID | str | None = END,
) -> Sticky:
    with transaction.atomic():
        change = _begin(workshop=workshop, by=by, op=op)
        kind, text = _check_kind(kind), _clean_text(text)
        _check_room(change.workshop)
        place = _check_place(change.workshop, kind, place)
        sticky = Sticky(
            workshop=change.workshop,
            kind=kind,
            text=text,
            parked=place.parked,
            event_id=place.event,
            rank=_rank(change.workshop, kind, place, after, None),
            created_by=change.by,
            version=0,
        )
        change.touch(sticky)
        _finish(change, action="add", summary=f"added {_a(kind)} {_quote(text)}")
        return sticky


def sticky_update(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    sticky_id: UUID,
    text: str | None = None,
    kind: str | None = None,
    parallel: bool | None = None,
) -> Sticky:
    """Change text, kind or 'in parallel'; each field given is set (the last write wins)."""
    with transaction.atomic():
        change = _begin(workshop=workshop, by=by, op=op, sticky_id=sticky_id)
        sticky = _sticky(change)
        said = []
        if text is not None:
            sticky.text = _clean_text(text)
            said.append(f"edited {_quote(sticky.text)}")
        if kind is not None and _check_kind(kind) != sticky.kind:
            if sticky.on_timeline:
                _park_notes_of(change, sticky)
            crossing = Kind.EVENT in (kind, sticky.kind)
            sticky.kind = kind
            sticky.parallel = sticky.parallel and kind == Kind.EVENT
            if crossing:  # an event becoming a note, or the other way: it waits in the parking
                sticky.parked, sticky.event = True, None
            place = Place(parked=sticky.parked, event=sticky.event_id)
            sticky.rank = _rank(change.workshop, kind, place, END, sticky.pk)
            said.append(f"made {_quote(sticky.text)} {_a(kind)}")
        if parallel is not None:
            if not sticky.is_event:
                raise ValidationError("Only events can run in parallel with the one before.")
            sticky.parallel = parallel
            said.append(f"marked {_quote(sticky.text)} {'' if parallel else 'not '}in parallel")
        change.touch(sticky)
        _finish(change, action="update", summary="; ".join(said) or "changed a sticky")
        return sticky


def sticky_move(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    sticky_id: UUID,
    place: Place,
    after: UUID | str | None = END,
) -> Sticky:
    with transaction.atomic():
        change = _begin(workshop=workshop, by=by, op=op, sticky_id=sticky_id)
        sticky = _sticky(change)
        if after == sticky.pk:
            raise ValidationError("A sticky cannot go after itself.")
        place = _check_place(change.workshop, sticky.kind, place)
        if sticky.on_timeline and place.parked:
            _park_notes_of(change, sticky)
        sticky.rank = _rank(change.workshop, sticky.kind, place, after, sticky.pk)
        sticky.parked, sticky.event_id = place.parked, place.event
        change.touch(sticky)
        where = "the parking area" if place.parked else "the timeline"
        if not sticky.is_event and not place.parked:
            where = "an event"
        _finish(change, action="move", summary=f"moved {_quote(sticky.text)} in {where}")
        return sticky


def sticky_delete(
    *, workshop: Workshop, by: Participant | None, op: str | None, sticky_id: UUID
) -> Sticky:
    """Delete a sticky (it can be restored); an event's lanes go to the parking area."""
    with transaction.atomic():
        change = _begin(workshop=workshop, by=by, op=op, sticky_id=sticky_id)
        sticky = _sticky(change)
        if sticky.on_timeline:
            _park_notes_of(change, sticky)
        sticky.deleted_at = timezone.now()
        change.touch(sticky)
        _finish(change, action="delete", summary=f"deleted {_quote(sticky.text)}")
        return sticky


def sticky_restore(
    *, workshop: Workshop, by: Participant | None, op: str | None, sticky_id: UUID
) -> Sticky:
    """Bring a deleted sticky back where it was, or to the parking area if that place is gone."""
    with transaction.atomic():
        change = _begin(workshop=workshop, by=by, op=op, sticky_id=sticky_id)
        sticky = _sticky(change, deleted=True)
        if sticky.deleted_at is None:
            raise ValidationError("That sticky is on the board already.")
        _check_room(change.workshop)
        place = Place(parked=sticky.parked, event=sticky.event_id)
        if not sticky.is_event and not place.parked:
            try:
                _check_place(change.workshop, sticky.kind, place)
            except ValidationError:
                place = Place(parked=True)
        siblings = _siblings(change.workshop, sticky.kind, place)
        if siblings.filter(rank=sticky.rank).exists():  # its old spot was taken meanwhile
            following = siblings.filter(rank__gt=sticky.rank).order_by("rank")
            sticky.rank = generate_key_between(
                sticky.rank, following.values_list("rank", flat=True).first()
            )
        sticky.deleted_at = None
        sticky.parked, sticky.event_id = place.parked, place.event
        change.touch(sticky)
        _finish(change, action="restore", summary=f"restored {_quote(sticky.text)}")
        return sticky


def run(command: protocol.BoardCommand, *, workshop: Workshop, by: Participant | None) -> Sticky:
    """Apply a command that came over the socket."""
    match command:
        case protocol.Add():
            return sticky_add(
                workshop=workshop, by=by, op=command.op, kind=command.kind, text=command.text,
                place=command.place, after=command.after,
            )  # fmt: skip
        case protocol.Update():
            return sticky_update(
                workshop=workshop, by=by, op=command.op, sticky_id=command.sticky,
                text=command.text, kind=command.kind, parallel=command.parallel,
            )  # fmt: skip
        case protocol.Move():
            return sticky_move(
                workshop=workshop, by=by, op=command.op, sticky_id=command.sticky,
                place=command.place, after=command.after,
            )  # fmt: skip
        case protocol.Delete():
            return sticky_delete(workshop=workshop, by=by, op=command.op, sticky_id=command.sticky)
        case protocol.Restore():
            return sticky_restore(workshop=workshop, by=by, op=command.op, sticky_id=command.sticky)


@contextmanager
def _pipelined() -> Iterator[None]:
    """On PostgreSQL, send statements without waiting for each one's answer until an answer is
    needed (a read, the end): a change's writes and the savepoints around it then cost no
    round trip of their own. A statement's error surfaces at the next read or at the end (as
    Django's own error, like any other)."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def run_together(
    commands: list[tuple[protocol.BoardCommand, Workshop, Participant | None]],
) -> list[Sticky | Exception]:
    """Apply several commands in one transaction, each in a savepoint of its own, so that one
    refused leaves the others be. All are committed, then broadcast, with one commit: the disk
    is flushed once for all of them. Returns each command's sticky, or why it was refused.

    Boards are taken in the order of their ids (a board's own commands keep their order), so
    two processes doing this at once wait for each other's boards but never deadlock.

    A statement the database refuses (which checks in Python should have prevented) may
    surface, in a pipeline, only at a later command's read: then nothing is committed and the
    commands are applied again one by one, so that only the faulty one is refused."""
    try:
        return _run_group(commands)
    except DatabaseError:
        if len(commands) == 1:
            raise
    outcomes: list[Sticky | Exception] = []
    for command in commands:
        try:
            outcomes.extend(_run_group([command]))
        except DatabaseError as failure:
            outcomes.append(failure)
    return outcomes


def _run_group(
    commands: list[tuple[protocol.BoardCommand, Workshop, Participant | None]],
) -> list[Sticky | Exception]:
    outcomes: list[Sticky | Exception] = [RuntimeError("not run")] * len(commands)
    by_board = sorted(range(len(commands)), key=lambda index: commands[index][1].pk)
    # (The transaction opens first: psycopg can't leave autocommit within a pipeline.)
    with transaction.atomic(), _pipelined():
        for index in by_board:
            command, workshop, by = commands[index]
            try:
                outcomes[index] = run(command, workshop=workshop, by=by)
            except DatabaseError:
                raise  # the whole group is rolled back: see run_together
            except Exception as refusal:  # rolled back to its savepoint; raised to its sender
                outcomes[index] = refusal
    return outcomes


# ----- rendering and catching up -----


@dataclass
class Column:
    event: Sticky
    lanes: list[tuple[KindInfo, list[Sticky]]]


@dataclass
class Board:
    columns: list[Column]
    parked_events: list[Sticky]
    parked_notes: list[Sticky]
    count: int


def board_of(workshop: Workshop) -> Board:
    """Every live sticky of the board, arranged as it is drawn (one query)."""
    stickies = list(_live(workshop).select_related("created_by").order_by("rank", "id"))
    timeline = [s for s in stickies if s.kind == Kind.EVENT and not s.parked]
    lanes: dict[tuple[UUID, str], list[Sticky]] = {}
    for sticky in stickies:
        if sticky.kind != Kind.EVENT and not sticky.parked and sticky.event_id:
            lanes.setdefault((sticky.event_id, sticky.kind), []).append(sticky)
    columns = [
        Column(event, [(KINDS[kind], lanes.get((event.pk, kind), [])) for kind in LANE_KINDS])
        for event in timeline
    ]
    return Board(
        columns=columns,
        parked_events=[s for s in stickies if s.kind == Kind.EVENT and s.parked],
        parked_notes=[s for s in stickies if s.kind != Kind.EVENT and s.parked],
        count=len(stickies),
    )


def patches(stickies: Iterable[Sticky]) -> list[dict[str, Any]]:
    """The state of each sticky as screens need it, rendered once for everyone."""
    out = []
    for sticky in stickies:
        state: dict[str, Any] = {
            "id": str(sticky.pk),
            "kind": sticky.kind,
            "parked": sticky.parked,
            "event": str(sticky.event_id) if sticky.event_id else None,
            "rank": sticky.rank,
            "version": sticky.version,
            "deleted": sticky.deleted_at is not None,
        }
        if not state["deleted"]:
            state["html"] = sticky.html
        out.append(state)
    return out


def board_context(workshop: Workshop) -> dict[str, Any]:
    """What the board's templates need, on the page and in a fresh render alike."""
    return {
        "workshop": workshop,
        "kinds": KINDS.values(),
        "lane_kinds": [KINDS[kind] for kind in LANE_KINDS],
        "lane_names": {kind: KINDS[kind].lane for kind in LANE_KINDS},
        "limits": LIMITS,
    }


def render_board(workshop: Workshop) -> str:
    """The whole board as the page shows it. A board that has not changed since it was last
    drawn (the same sequence number, the same authors) is not drawn again: people joining a
    workshop together get the same render."""
    authors = tuple(
        Participant.objects.filter(workshop=workshop).values_list("pk", "name", "colour")
    )
    events = (workshop.first_event, workshop.last_event)
    key = (workshop.pk, workshop.slug, workshop.seq, events, hash(authors))
    html = _boards.get(key)
    if html is None:
        context = board_context(workshop) | {"board": board_of(workshop)}
        html = render_to_string("workshops/board.html#board-content", context)
        with _boards_lock:
            if len(_boards) >= 32:
                _boards.clear()
            _boards[key] = html
    return html


_boards: dict[tuple[object, ...], str] = {}
_boards_lock = threading.Lock()


def catch_up(*, workshop: Workshop, since: int) -> dict[str, Any]:
    """What a client that holds the board as of `since` needs: the current state of every
    sticky changed after it, or the whole board when it missed too much."""
    seq = Workshop.objects.values_list("seq", flat=True).get(pk=workshop.pk)
    missed = seq - since
    if missed == 0:
        return protocol.catch_up(seq=seq, stickies=[])
    if missed < 0 or missed > LIMITS.catch_up_operations:
        workshop.seq = seq
        return protocol.snapshot(seq=seq, html=render_board(workshop))
    touched: set[str] = set()
    for ids in Operation.objects.filter(workshop=workshop, seq__gt=since).values_list(
        "stickies", flat=True
    ):
        touched.update(ids)
    changed = Sticky.objects.filter(workshop=workshop, pk__in=touched).select_related("created_by")
    return protocol.catch_up(seq=seq, stickies=patches(changed))
