"""The skeleton every change to a board goes through, written once.

`change()` opens the transaction, takes the board's next sequence number (which locks the board's
row until the commit, so a board's changes apply one at a time), refuses what the sender may not
do (the command's role, from `workshops/commands.py`; a removed participant; an ended workshop),
spots a resent command, and reads the sticky the command is about, all in one round trip. The
operation then changes what it changes through `Change.touch`; at the end the change is logged as
an Operation (history, catch-up, and the record that the sender's command id was applied),
committed, and only then broadcast, each viewer getting what they may see.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from workshops import entities, protocol
from workshops.access import Role
from workshops.commands import COMMANDS, Spec
from workshops.models import Action, Dismissal, Operation, Participant, Sticky, Timing, Workshop
from workshops.services import rows
from workshops.visibility import Viewer, sees_sticky


class Gone(Exception):
    """The sticky was deleted (or never was on this board, or is private to someone else)."""


class Conflict(Exception):
    """A text edit based on a version of the text that someone else has changed since: nothing
    is saved; the writer gets the current text to compare with theirs."""

    def __init__(self, sticky: Sticky) -> None:
        super().__init__("Someone else changed this sticky's text while you were editing it.")
        self.sticky = sticky


class AlreadyApplied(Exception):
    """A resent command whose id was applied before: confirm it, apply nothing."""

    def __init__(self, seq: int) -> None:
        super().__init__(seq)
        self.seq = seq


@dataclass
class Change:
    """A change under way: the locked board, who acts, and what it touched."""

    spec: Spec
    workshop: Workshop
    by: Participant
    op: str | None
    seq: int
    facilitator: bool
    sticky: Sticky | None = None  # the one the command is about, read as the change began
    touched: dict[str, entities.Entity] = field(default_factory=dict)
    said: list[str] = field(default_factory=list)
    anonymous: bool = False  # nobody but the sender learns who made this change
    _board: Workshop | None = None

    @property
    def viewer(self) -> Viewer:
        return Viewer(participant=self.by.pk, facilitator=self.facilitator)

    def touch(self, row: Sticky | Timing | Action | Dismissal) -> None:
        """Write a sticky (or another entity with a row of its own: a timing, an action, a
        dismissed pair), new or changed, with its next version."""
        row.version += 1
        if not isinstance(row, Dismissal):
            row.updated_at = timezone.now()
        if row._state.adding:
            rows.insert(row)
        else:
            rows.update(row)
        self.touched[entities.key(row)] = row

    def touch_tally(self) -> None:
        """The vote totals changed (or who may see them)."""
        board = self.board()
        board.votes_version += 1
        Workshop.objects.filter(pk=board.pk).update(votes_version=board.votes_version)
        self.touched[f"tally:{board.pk}"] = entities.Tally(board)

    def touch_round(self, *fields: str) -> None:
        """The estimation round changed: these fields of the board, and the picks."""
        board = self.board()
        board.round_version += 1
        Workshop.objects.filter(pk=board.pk).update(
            round_version=board.round_version, **{name: getattr(board, name) for name in fields}
        )
        self.touched[f"round:{board.pk}"] = entities.Round(board)

    def touch_all(self, stickies: list[Sticky], **values: object) -> None:
        """Give these stickies the same new values, each its next version, in one statement
        (a merge of many; they were read under the change's lock)."""
        moment = timezone.now()
        for sticky in stickies:
            for name, value in values.items():
                setattr(sticky, name, value)
            sticky.version += 1
            sticky.updated_at = moment
            self.touched[entities.key(sticky)] = sticky
        Sticky.objects.filter(pk__in=[sticky.pk for sticky in stickies]).update(
            version=F("version") + 1, updated_at=moment, **values
        )

    def reveal_all(self) -> list[Sticky]:
        """Make every private sticky of the board public, each with its next version, in one
        statement (a reveal changes hundreds at once). Returns them, deleted ones too."""
        revealed = rows.reveal(self.workshop.pk, timezone.now())
        for sticky in revealed:
            self.touched[entities.key(sticky)] = sticky
        return revealed

    def board(self) -> Workshop:
        """The board's own state as it is now (read once, under the change's lock)."""
        if self._board is None:
            self._board = Workshop.objects.get(pk=self.workshop.pk)
        return self._board

    def touch_participant(self, participant: Participant, *fields: str) -> None:
        """Write these fields of a participant with their next version, and read the rest back
        as stored: the object may be the sender's own, read when its socket opened, while other
        changes (their ready flag, a votes' clear) have moved the stored one on since; its
        state goes out with the new version, so it must be the stored one."""
        found = Participant.objects.filter(pk=participant.pk)
        found.update(
            version=F("version") + 1, **{name: getattr(participant, name) for name in fields}
        )
        participant.refresh_from_db()
        self.touched[entities.key(participant)] = participant

    def touch_board(self, *fields: str) -> None:
        """Write the board's own state (these fields of `board()`) with its next version."""
        board = self.board()
        board.version += 1
        board.seq = self.seq
        Workshop.objects.filter(pk=board.pk).update(
            version=board.version, **{name: getattr(board, name) for name in fields}
        )
        self.touched[entities.key(board)] = board

    def say(self, summary: str) -> None:
        """What the history says of this change, in words."""
        self.said.append(summary)

    def say_anonymously(self, summary: str) -> None:
        """Say it, and keep who did it from everyone else: the history shows nobody, and the
        others' patches carry neither `by` nor `op`."""
        self.said.append(summary)
        self.anonymous = True

    def about(self, *, deleted: bool = False) -> Sticky:
        """The sticky the command is about; a deleted one only when asked for (to restore it).
        Someone else's private sticky is not there for this sender."""
        sticky = self.sticky
        if sticky is None or not sees_sticky(self.viewer, sticky):
            raise Gone("That sticky is not on this board.")
        if sticky.deleted_at is not None and not deleted:
            raise Gone("Someone deleted that sticky meanwhile.")
        if sticky.merged_into_id is not None:
            raise Gone("That sticky was merged into another: split that one to get it back.")
        return sticky


_ONE_TRANSACTION: ContextVar[bool] = ContextVar("one_transaction", default=False)


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """Changes made within share one transaction without a savepoint each: a refusal of any
    undoes them all (an import, which makes a whole workshop or nothing)."""
    token = _ONE_TRANSACTION.set(True)
    try:
        with transaction.atomic():
            yield
    finally:
        _ONE_TRANSACTION.reset(token)


@contextmanager
def change(
    command: str,
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    about: UUID | None = None,
) -> Iterator[Change]:
    """Run the body as one change of the board by `by`, as the registry's command `command`."""
    spec = COMMANDS[command]
    with transaction.atomic(savepoint=not _ONE_TRANSACTION.get()):
        current = _begin(spec, workshop=workshop, by=by, op=op, about=about)
        yield current
        _finish(current)


@cache
def _begin_sql(*, facilitator: bool) -> str:
    """One statement opens every change: the board's next sequence number and what the
    refusals need to know; whether the sender is a facilitator only for the commands that
    need one (table names come from the models; every value is a parameter)."""
    quote = connection.ops.quote_name
    board, people = quote(Workshop._meta.db_table), quote(Participant._meta.db_table)
    log = quote(Operation._meta.db_table)
    co_facilitators = quote(Workshop.co_facilitators.through._meta.db_table)
    role = (
        f"""(SELECT user_id FROM {people} WHERE id = %s),
            (SELECT COUNT(*) FROM {co_facilitators} WHERE workshop_id = %s
                AND user_id = (SELECT user_id FROM {people} WHERE id = %s)),"""  # noqa: S608
        if facilitator
        else ""
    )
    return f"""
        UPDATE {board} SET seq = seq + 1 WHERE id = %s
        RETURNING seq, ended_at, private_brainstorm, locked, owner_id,
            (SELECT removed_at IS NULL FROM {people} WHERE id = %s AND workshop_id = %s),
            {role}
            (SELECT seq FROM {log}
                WHERE workshop_id = %s AND participant_id = %s AND client_op = %s)
    """  # noqa: S608


def _begin(
    spec: Spec, *, workshop: Workshop, by: Participant | None, op: str | None, about: UUID | None
) -> Change:
    """Take the board's next sequence number, refusing what the sender may not do now and
    spotting a resent command; with `about`, read that sticky in the same round trip (after the
    board is locked). A refusal rolls the sequence number back with the transaction."""
    if by is None:
        raise PermissionDenied("Observers can look at the board but not change it.")
    w, p = workshop.pk, by.pk
    needs_facilitator = spec.role is Role.FACILITATOR
    values = [w, p, w, *([p, w, p] if needs_facilitator else []), w, p, op]
    with connection.cursor() as cursor:
        cursor.execute(_begin_sql(facilitator=needs_facilitator), values)
        answer = rows.ask_sticky(w, about) if about else None
        row = cursor.fetchone()
    found = answer() if answer else None
    if row is None:
        raise PermissionDenied("This workshop no longer exists.")
    # (`ended_at IS NULL` would be neater, but SQLite 3.40 answers it wrongly in RETURNING.)
    seq, ended_at, private_brainstorm, locked, owner, present, *role, applied = row
    if applied is not None:
        raise AlreadyApplied(applied)
    if not present:
        raise PermissionDenied("You are no longer on this board.")
    facilitator = False
    if needs_facilitator:
        user, co_facilitator = role
        facilitator = user is not None and (user == owner or co_facilitator > 0)
        if not facilitator:
            raise PermissionDenied("Only the facilitators of this workshop can do that.")
    if ended_at is not None and not spec.while_ended:
        raise PermissionDenied("This workshop has ended: its board is read-only.")
    if locked and not needs_facilitator and not spec.while_locked:
        facilitator = is_facilitator(by, owner)
        if not facilitator:
            raise PermissionDenied("The facilitator has locked the board for now.")
    workshop.ended_at, workshop.private_brainstorm = ended_at, private_brainstorm
    workshop.locked = locked
    return Change(spec, workshop, by, op, seq, facilitator, sticky=found)


def is_facilitator(by: Participant, owner: int) -> bool:
    """Whether this participant acts for an account that runs the workshop (asked only where
    the answer matters: a locked board)."""
    user = Participant.objects.filter(pk=by.pk).values_list("user_id", flat=True).first()
    if user is None:
        return False
    runs = Workshop.co_facilitators.through.objects.filter(workshop_id=by.workshop_id, user_id=user)
    return user == owner or runs.exists()


def _finish(change: Change) -> None:
    workshop = change.workshop
    summary = "; ".join(change.said) or f"changed the board ({change.spec.name})"
    rows.insert(
        Operation(
            workshop=workshop,
            seq=change.seq,
            participant=change.by,
            client_op=change.op,
            action=change.spec.name,
            anonymous=change.anonymous,
            summary=summary[:400],
            entities=list(change.touched),
        )
    )
    seq, op, by, touched = change.seq, change.op, change.by.pk, list(change.touched.values())
    anonymous = change.anonymous

    def broadcast() -> None:
        patch = protocol.message("patch", seq=seq, op=op, by=by, entities=[])
        sender = by if anonymous else None
        protocol.publish_entities(workshop.pk, patch, entities.states(touched), sender=sender)
        workshop.seq = max(workshop.seq, seq)

    protocol.publish_on_commit(broadcast)
