"""Putting a starting template on an empty board: its events on the timeline and its notes in
their lanes, as one change in the board's history."""

from django.contrib.auth.models import User as Account
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from fractional_indexing import generate_n_keys_between

from workshops import protocol
from workshops.access import User, require_facilitator
from workshops.kinds import Kind
from workshops.models import Operation, Sticky, Workshop
from workshops.services.board import render_board
from workshops.services.people import facilitator_participant
from workshops.starters import STARTERS


def workshop_apply_starter(*, workshop: Workshop, by: User, starter: str) -> int:
    """Fill an empty board from a starter; returns the board's sequence number after it.

    The blank starter adds nothing, so it changes nothing and logs nothing.
    """
    require_facilitator(workshop=workshop, user=by)
    if not isinstance(by, Account):  # a facilitator always has an account
        raise PermissionDenied("Only the facilitators of this workshop can do that.")
    chosen = STARTERS.get(starter)
    if chosen is None:
        raise ValidationError(f"There is no starting template called {starter!r}.")
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if not locked.is_active:
            raise ValidationError("This workshop has ended: reopen it to change its board.")
        if Sticky.objects.filter(workshop=locked, deleted_at__isnull=True).exists():
            raise ValidationError(
                "Starters go on an empty board: this one has stickies already. "
                "Delete them first, or add the steps by hand."
            )
        if not chosen.events:
            return locked.seq
        me = facilitator_participant(workshop=locked, user=by)
        stickies: list[Sticky] = []
        event_ranks = generate_n_keys_between(None, None, len(chosen.events))
        for planned, rank in zip(chosen.events, event_ranks, strict=True):
            event = Sticky(
                workshop=locked,
                kind=Kind.EVENT,
                text=planned.text,
                parked=False,
                parallel=planned.parallel,
                rank=rank,
                created_by=me,
            )
            stickies.append(event)
            # One run of ranks for all the event's notes keeps their order within each lane.
            note_ranks = generate_n_keys_between(None, None, len(planned.notes))
            for note, note_rank in zip(planned.notes, note_ranks, strict=True):
                stickies.append(
                    Sticky(
                        workshop=locked,
                        kind=note.kind,
                        text=note.text,
                        event=event,
                        parked=False,
                        rank=note_rank,
                        created_by=me,
                    )
                )
        Sticky.objects.bulk_create(stickies)
        locked.seq += 1
        Workshop.objects.filter(pk=locked.pk).update(seq=locked.seq)
        Operation.objects.create(
            workshop=locked,
            seq=locked.seq,
            participant=me,
            action="starter",
            summary=f"applied the starter “{chosen.name}”",
            stickies=[str(sticky.pk) for sticky in stickies],
        )
        seq = workshop.seq = locked.seq
        transaction.on_commit(
            lambda: protocol.publish(
                locked.pk, protocol.snapshot(seq=seq, html=render_board(locked))
            )
        )
    return seq
