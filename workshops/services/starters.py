"""Putting a starting template on an empty board: its events on the timeline and its notes in
their lanes, as one change in the board's history."""

from django.core.exceptions import ValidationError
from fractional_indexing import generate_n_keys_between

from workshops import starters
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop
from workshops.selectors import live
from workshops.services.changes import change


def workshop_apply_starter(
    *, workshop: Workshop, by: Participant | None, op: str | None = None, starter: str
) -> int:
    """Fill an empty board from a starter; returns the board's sequence number after it.

    The blank starter adds nothing, so it changes nothing and logs nothing; sent as a command
    (with an `op`, which must be confirmed or refused) it is refused as having nothing to add.
    """
    chosen = starters.STARTERS.get(starter)
    if chosen is not None and not chosen.events and op is None:
        return workshop.seq
    with change("starter", workshop=workshop, by=by, op=op) as now:
        if chosen is None:
            raise ValidationError(f"There is no starting template called {starter!r}.")
        if not chosen.events:
            raise ValidationError("The blank template has nothing to add.")
        if live(now.workshop).exists():
            raise ValidationError(
                "Starters go on an empty board: this one has stickies already. "
                "Delete them first, or add the steps by hand."
            )
        event_ranks = generate_n_keys_between(None, None, len(chosen.events))
        for planned, rank in zip(chosen.events, event_ranks, strict=True):
            event = Sticky(
                workshop=now.workshop,
                kind=Kind.EVENT,
                text=planned.text,
                parked=False,
                parallel=planned.parallel,
                rank=rank,
                created_by=now.by,
                version=0,
            )
            now.touch(event)
            # One run of ranks for all the event's notes keeps their order within each lane.
            note_ranks = generate_n_keys_between(None, None, len(planned.notes))
            for note, note_rank in zip(planned.notes, note_ranks, strict=True):
                now.touch(
                    Sticky(
                        workshop=now.workshop,
                        kind=note.kind,
                        text=note.text,
                        event=event,
                        parked=False,
                        rank=note_rank,
                        created_by=now.by,
                        version=0,
                    )
                )
        now.say(f"applied the starter “{chosen.name}”")
        return now.seq
