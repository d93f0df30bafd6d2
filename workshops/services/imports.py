"""Importing a map: a `p2pboard-map` version 2 file (docs/export-format.md) becomes a new
workshop, made through the same services as every other change, so its history shows how it was
built. The file is checked whole first (`workshops.exports.document`); then the workshop is made
in one transaction: all of it, or nothing.

What cannot come back as it was is said in the result, not guessed: votes come as totals (a file
never says who voted, and no voter is invented: a pain point carries its total,
`Sticky.carried_votes`, counted like any vote and cleared with them), facilitators other than the
one importing (they have no account here: they come back as participants), and a sticky with no
author (the importer writes it)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, TypeVar
from uuid import UUID, uuid4

from django.contrib.auth.models import User as Account
from django.core.exceptions import PermissionDenied, ValidationError

from workshops.exports.document import (
    MOST_BYTES,
    DocumentError,
    Plan,
    PlannedSticky,
    parse,
    too_big,
)
from workshops.models import Participant, Workshop, default_sizes
from workshops.protocol import Place
from workshops.services.actions import action_add
from workshops.services.agenda import board_update, followup_set, timer_set, workshop_end
from workshops.services.changes import Gone, all_or_nothing
from workshops.services.merges import stickies_merge
from workshops.services.people import (
    facilitator_participant,
    participant_join,
    participant_remove,
    participant_rename,
)
from workshops.services.sizing import timing_set
from workshops.services.stickies import Written, place_stickies, stickies_add_written, sticky_move
from workshops.services.workshops import workshop_create

Result = TypeVar("Result")
MERGED_AT_ONCE = 50  # LIMITS.ids_per_command: as many as one merge command may name


class ImportRefused(DocumentError):
    """The file cannot be imported: each problem with where it is. Nothing was made."""


@dataclass
class Imported:
    workshop: Workshop
    facilitator: Participant
    notes: list[str] = field(default_factory=list)  # what did not come back as it was
    # Each sticky's id in the file (those that have one): its id on the new board.
    ids: dict[str, UUID] = field(default_factory=dict)


def read_upload(source: IO[bytes], size: int | None = None) -> bytes:
    """The file's bytes, refusing one over the limit before reading it all (its size, when
    known, first; else by reading one byte past the limit at most)."""
    if size is not None and size > MOST_BYTES:
        raise ImportRefused([too_big(size)])
    raw = source.read(MOST_BYTES + 1)
    if len(raw) > MOST_BYTES:
        raise ImportRefused([too_big(size or len(raw))])
    return raw


def number_text(value: float) -> str:
    """A number as plain decimal text that reads back as the same float ("2.5", not "2.5e+00")."""
    text = format(Decimal(repr(float(value))), "f")
    return text.removesuffix(".0")


def _said(estimate: dict[str, Any] | None) -> str | None:
    if estimate is None:
        return None
    low, high = number_text(estimate["low"]), number_text(estimate["high"])
    return f"{low}-{high} {estimate['unit']}"


def workshop_import(*, owner: Account, raw: bytes) -> Imported:
    """A new workshop owned by `owner`, made from a map file's bytes; ImportRefused (nothing
    made) when the file cannot be imported, saying what is wrong and where."""
    try:
        plan = parse(raw)
    except DocumentError as problems:
        raise ImportRefused(problems.problems) from None
    with all_or_nothing():
        return _Builder(owner, plan).build()


class _Builder:
    """Makes the planned workshop, change by change, acting as the people who wrote it."""

    def __init__(self, owner: Account, plan: Plan) -> None:
        self.owner, self.plan = owner, plan
        self.ids: dict[str, UUID] = {}  # a sticky's id in the file: its id on the new board
        self.people: dict[str, Participant] = {}  # by name: the first of that name
        self.gone: list[Participant] = []  # authors who are no longer in the workshop
        self.notes: list[str] = []
        self.unsigned = 0  # stickies with no author in the file
        self.pending: list[tuple[str, Written]] = []  # stickies to add, and where they are

    def step(self, where: str, run: Callable[[], Result]) -> Result:
        """Run one service (after the stickies gathered so far); a refusal (which the checks
        should have caught) undoes the whole import and says where it happened."""
        if self.pending:
            self.flush()
        try:
            return run()
        except (ValidationError, PermissionDenied, Gone) as refused:
            said = " ".join(refused.messages) if isinstance(refused, ValidationError) else refused
            raise ImportRefused([f"{where}: {said}"]) from None

    def build(self) -> Imported:
        plan = self.plan
        self.workshop = workshop_create(
            owner=self.owner,
            title=plan.title,
            goal=plan.goal,
            first_event=plan.first_event,
            last_event=plan.last_event,
        )
        self.join()
        self.settle(before=True)
        self.add_stickies()
        self.flush()
        self.merge()
        self.put_in_order()
        for timing in plan.timings:
            self.step(
                timing.where,
                lambda t=timing: timing_set(  # type: ignore[misc]
                    workshop=self.workshop,
                    by=self.me,
                    op=None,
                    events=[self.ids[ref] for ref in t.events],
                    size=t.size,
                    estimate=_said(t.estimate),
                    work=_said(t.work),
                    wait=_said(t.wait),
                ),
            )
        self.add_actions()
        self.follow_up()
        self.settle(before=False)
        for person in self.gone:
            participant_remove(workshop=self.workshop, by=self.owner, participant_id=person.pk)
        if plan.ended:
            workshop_end(workshop=self.workshop, by=self.me)
        if self.unsigned:
            self.notes.append(
                f"{self.unsigned} stick{'ies' if self.unsigned > 1 else 'y'} had no author in the"
                " file: they are yours on this board."
            )
        if plan.votes and plan.votes_shown:
            self.notes.append(
                f"The file's {plan.votes} vote{'s' * (plan.votes > 1)} on pain points came as"
                " totals: they count on this board, without who gave them, and go with"
                " “clear the votes”."
            )
        self.workshop.refresh_from_db()
        named = {sticky.ref for sticky in plan.stickies() if sticky.ref != sticky.where}
        ids = {ref: pk for ref, pk in self.ids.items() if ref in named}  # (not the id-less)
        return Imported(self.workshop, self.me, self.notes, ids)

    # ----- people -----

    def join(self) -> None:
        me = None
        for n, (name, role) in enumerate(self.plan.participants):
            if role == "facilitator" and me is None:
                me = facilitator_participant(workshop=self.workshop, user=self.owner)
                if me.name != name:
                    me = participant_rename(
                        workshop=self.workshop, by=self.owner, participant_id=me.pk, name=name
                    )
                person = me
            else:
                if role == "facilitator":
                    self.notes.append(
                        f"{name} ran the workshop with you and has no account here: they are"
                        " a participant of this one (add co-facilitators on its page)."
                    )
                person = self.step(
                    f"participants[{n}]",
                    lambda name=name: participant_join(workshop=self.workshop, name=name),  # type: ignore[misc]
                )
            self.people.setdefault(name, person)
        self.me = me or facilitator_participant(workshop=self.workshop, user=self.owner)
        self.people.setdefault(self.me.name, self.me)

    def author(self, sticky: PlannedSticky) -> Participant:
        """Who adds a sticky: its author, joined (and removed at the end) when they are no
        longer in the workshop; the importer for one posted without a name or with no author."""
        if sticky.anonymous or sticky.by is None:
            self.unsigned += not sticky.anonymous
            return self.me
        if sticky.by not in self.people:
            name = sticky.by
            person = self.step(
                f"{sticky.where}.by",
                lambda: participant_join(workshop=self.workshop, name=name),
            )
            self.people[sticky.by] = person
            self.gone.append(person)
        return self.people[sticky.by]

    # ----- the board's own state -----

    def settle(self, *, before: bool) -> None:
        """The settings, in two goes: before the stickies, what they need (the votes, the size
        scale, pain points without a name); after them, what would stop them going on (the
        silent brainstorm, the lock), the phase and the timer."""
        settings, workshop = self.plan.settings, self.workshop
        wanted: dict[str, Any] = {}
        if before:
            anonymous = any(sticky.anonymous for sticky in self.plan.stickies())
            scale = settings.sizes
            wanted = {
                "votes_each": settings.votes_each,
                "votes_per_sticky": settings.votes_per_sticky,
                "votes_hidden": settings.votes_hidden,
                "anonymous_pain": settings.anonymous_pain or anonymous,
                "sizes": scale if scale is not None and scale != default_sizes() else None,
                "calendar_days": settings.calendar_days,
            }
        else:
            wanted = {
                "anonymous_pain": settings.anonymous_pain,
                "phase": self.plan.phase,
                "private_brainstorm": settings.private_brainstorm,
                "locked": settings.locked,
            }
        workshop.refresh_from_db()
        changed = {
            name: value
            for name, value in wanted.items()
            if value is not None and getattr(workshop, name) != value
        }
        if changed:
            self.step(
                "workshop.settings",
                lambda: board_update(workshop=workshop, by=self.me, op=None, **changed),
            )
        if not before and settings.timer_length:
            for action in ("start", "pause"):  # set, waiting for the group to start it
                timer_set(
                    workshop=workshop,
                    by=self.me,
                    op=None,
                    action=action,
                    seconds=settings.timer_length,
                )

    def follow_up(self) -> None:
        follow_up = self.plan.follow_up
        if (follow_up.at, follow_up.minutes, follow_up.purposes, follow_up.notes) == (
            None, 60, [], "",
        ):  # fmt: skip
            return  # as a new workshop has it
        self.step(
            "follow_up",
            lambda: followup_set(
                workshop=self.workshop,
                by=self.me,
                op=None,
                at=follow_up.at or "",
                minutes=follow_up.minutes,
                purposes=follow_up.purposes,
                notes=follow_up.notes,
            ),
        )

    # ----- stickies -----

    def add(self, sticky: PlannedSticky, place: Place, sticky_id: UUID | None = None) -> UUID:
        """Add a sticky as its author wrote it: gathered, and added with the others in one
        change before the next change of another kind (`flush`). Returns its id."""
        pk = sticky_id or uuid4()
        written = Written(
            author=self.author(sticky),
            kind=sticky.kind,
            text=sticky.text,
            place=place,
            sticky_id=pk,
            anonymous=sticky.anonymous,
            carried_votes=sticky.votes if self.plan.votes_shown else 0,
            parallel=sticky.parallel,
            owner=sticky.owner or "",
        )
        self.pending.append((sticky.where, written))
        self.ids[sticky.ref] = pk
        return pk

    def flush(self) -> None:
        """The stickies gathered so far, added in one change."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        where = pending[0][0] if len(pending) == 1 else f"{pending[0][0]} and after"
        self.step(
            where,
            lambda: stickies_add_written(
                workshop=self.workshop,
                by=self.me,
                op=None,
                stickies=[written for _, written in pending],
            ),
        )

    def add_stickies(self) -> None:
        """Everything on the timeline, in order, each with its notes; then the parking. A parked
        event that notes wait for goes on the timeline with them first and leaves it, as it did
        on the board (so they come back with it); merged events that brought notes with them
        go on the timeline too, with those notes, until they are merged."""
        plan = self.plan
        waiting: dict[str, list[PlannedSticky]] = {}
        for note in plan.parked_notes:
            if note.event is not None:
                waiting.setdefault(note.event, []).append(note)
        brought: dict[str, list[PlannedSticky]] = {}
        for step in plan.steps:
            for note in step.notes:
                if note.merged_from is not None:
                    brought.setdefault(note.merged_from, []).append(note)
        for step in plan.steps:
            event = self.add(step.event, Place(parked=False))
            for note in step.notes:
                if note.merged_from is None:
                    self.add(note, Place(parked=False, event=event))
        for merged in plan.merged:
            if merged.ref in brought:
                event = self.add(merged, Place(parked=False))
                for note in brought[merged.ref]:
                    self.add(note, Place(parked=False, event=event))
            else:
                self.add(merged, Place(parked=True))
        for parked in plan.parked_events:
            if parked.ref not in waiting:
                self.add(parked, Place(parked=True))
        leaving = {event.ref: n for n, event in enumerate(plan.parked_events)}
        for note in plan.parked_notes:
            if note.event is None:
                self.add(note, Place(parked=True))
            elif note.event not in self.ids:  # the first note waiting for it: all of them
                self.leave_with_notes(plan.parked_events[leaving[note.event]], waiting)

    def leave_with_notes(
        self, parked: PlannedSticky, waiting: dict[str, list[PlannedSticky]]
    ) -> None:
        """A parked event with notes waiting for it: on the timeline with them, then to the
        parking, right after the parked event before it in the file that is there already."""
        event = self.add(parked, Place(parked=False))
        notes = waiting[parked.ref]
        # Notes of different lanes side by side leave in the order of their ids: ids in order.
        for note, pk in zip(notes, sorted(uuid4() for _ in notes), strict=True):
            self.add(note, Place(parked=False, event=event), sticky_id=pk)
        events = self.plan.parked_events
        before = events[: events.index(parked)]
        after = next((self.ids[e.ref] for e in reversed(before) if e.ref in self.ids), None)
        self.move(parked.where, event, Place(parked=True), after)

    def move(self, where: str, pk: UUID, place: Place, after: UUID | None) -> None:
        self.step(
            where,
            lambda: sticky_move(
                workshop=self.workshop,
                by=self.me,
                op=None,
                sticky_id=pk,
                place=place,
                after=after,
            ),
        )

    def merge(self) -> None:
        """Merge what was merged, the deepest first (a sticky merged into one that was merged
        in turn is merged before its own keeper leaves the board)."""
        merged = {one.ref: one for one in self.plan.merged}

        def depth(one: PlannedSticky) -> int:
            count, at = 0, one
            while at.merged_into in merged:
                count, at = count + 1, merged[at.merged_into]
            return count

        into: dict[str, list[PlannedSticky]] = {}
        for one in sorted(self.plan.merged, key=depth, reverse=True):
            into.setdefault(one.merged_into or "", []).append(one)
        for kept, ones in into.items():
            for start in range(0, len(ones), MERGED_AT_ONCE):
                group = ones[start : start + MERGED_AT_ONCE]
                self.step(
                    group[0].where,
                    lambda kept=kept, group=group: stickies_merge(  # type: ignore[misc]
                        workshop=self.workshop,
                        by=self.me,
                        op=None,
                        sticky_id=self.ids[kept],
                        stickies=[self.ids[one.ref] for one in group],
                    ),
                )

    def put_in_order(self) -> None:
        """Where a merge changed the order of a lane, or the notes of a parked event came
        between others in the parking, move what is out of place (the notes waiting for an
        event stay: moved by hand, a note no longer waits)."""
        plan = self.plan
        places: list[tuple[Place, list[PlannedSticky]]] = [(Place(parked=True), plan.parked_notes)]
        for step in plan.steps:
            event = self.ids[step.event.ref]
            for kind in {note.kind for note in step.notes if note.merged_from is not None}:
                notes = [note for note in step.notes if note.kind == kind]
                places.append((Place(parked=False, event=event), notes))
        for place, wanted in places:
            if len(wanted) > 1:
                self.order(place, wanted)

    def order(self, place: Place, wanted: list[PlannedSticky]) -> None:
        """Move each sticky not right after the one before it in the file there (none moves
        when the place is in order already)."""
        current = self.current(place, wanted[0].kind)
        for n, sticky in enumerate(wanted):
            pk = self.ids[sticky.ref]
            after = self.ids[wanted[n - 1].ref] if n else None
            at = current.index(pk)
            if sticky.event is not None or at == (current.index(after) + 1 if after else 0):
                continue
            self.move(sticky.where, pk, place, after)
            current.remove(pk)
            current.insert(current.index(after) + 1 if after else 0, pk)

    def current(self, place: Place, kind: str) -> list[UUID]:
        """The stickies of a place as they are ordered now."""
        return list(
            place_stickies(self.workshop, kind, place)
            .order_by("rank", "id")
            .values_list("pk", flat=True)
        )

    # ----- after the board -----

    def add_actions(self) -> None:
        for action in self.plan.actions:
            owner = self.people.get(action.owner or "") if action.owner_is_participant else None
            self.step(
                action.where,
                lambda a=action, owner=owner: action_add(  # type: ignore[misc]
                    workshop=self.workshop,
                    by=self.me,
                    op=None,
                    text=a.text,
                    owner=None if owner else a.owner,
                    owner_participant=owner.pk if owner else None,
                    due=a.due,
                    status=a.status,
                    source=self.ids[a.source] if a.source else None,
                    action_id=uuid4(),
                ),
            )
