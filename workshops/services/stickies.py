"""Stickies: adding, changing, moving, deleting and restoring them, and the rules of where they
may sit. Each operation is one change (`services/changes.py`)."""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone
from fractional_indexing import generate_key_between

from workshops.kinds import KINDS, Kind
from workshops.limits import LIMITS
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import END, Place
from workshops.selectors import live
from workshops.services.changes import Change, change
from workshops.visibility import sees_sticky

# ----- the rules -----


def _siblings(workshop: Workshop, kind: str, place: Place) -> Any:
    """The stickies that share a place, in the order they are shown."""
    stickies = live(workshop)
    if kind == Kind.EVENT:
        return stickies.filter(kind=Kind.EVENT, parked=place.parked)
    if place.parked:
        return stickies.exclude(kind=Kind.EVENT).filter(parked=True)
    return stickies.filter(kind=kind, parked=False, event_id=place.event)


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


def _check_place(change: Change, kind: str, place: Place, *, private: bool) -> Place:
    """A place a sticky of this kind can go to, or a clear refusal. A note goes under an
    event on the timeline that its sender can see; under a private event only a private note
    goes (others could not see where it is)."""
    if kind == Kind.EVENT or place.parked:
        return Place(parked=place.parked, event=None)
    if place.event is None:
        raise ValidationError("Say which event it goes under, or park it.")
    event = live(change.workshop).filter(pk=place.event, kind=Kind.EVENT, parked=False).first()
    if event is None or not sees_sticky(change.viewer, event):
        raise ValidationError("That event is no longer on the timeline.")
    if event.private and not private:
        raise ValidationError("That event is private until the reveal: park the note for now.")
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
    if live(workshop).count() >= LIMITS.stickies_per_board:
        raise ValidationError(
            f"This board is full: it holds {LIMITS.stickies_per_board} stickies at most."
        )


def _a(kind: str) -> str:
    """'an event', 'a pain point': the kind as the history says it."""
    label = str(KINDS[kind].kind.label).lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def named(sticky: Sticky) -> str:
    """A sticky as the history names it: its text, quoted, unless it is private (the history
    is read by people who may not see it)."""
    if sticky.private:
        return f"a private {str(KINDS[sticky.kind].kind.label).lower()}"
    text = sticky.text
    return f"“{text[:60]}{'…' if len(text) > 60 else ''}”"


def _park_notes_of(change: Change, event: Sticky) -> None:
    """An event leaving the timeline takes its lanes with it: their stickies are parked."""
    for note in live(change.workshop).filter(event=event, parked=False).order_by("rank", "id"):
        note.parked, note.event = True, None
        note.rank = _rank(change.workshop, note.kind, Place(parked=True), END, note.pk)
        change.touch(note)


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
    """A new sticky; during a silent brainstorm it is private to its author until revealed."""
    with change("add", workshop=workshop, by=by, op=op) as now:
        kind, text = _check_kind(kind), _clean_text(text)
        _check_room(now.workshop)
        private = now.workshop.private_brainstorm
        place = _check_place(now, kind, place, private=private)
        sticky = Sticky(
            workshop=now.workshop,
            kind=kind,
            text=text,
            parked=place.parked,
            event_id=place.event,
            rank=_rank(now.workshop, kind, place, after, None),
            created_by=now.by,
            private=private,
            version=0,
        )
        now.touch(sticky)
        now.say(f"added {_a(kind)} {named(sticky)}" if not private else f"added {named(sticky)}")
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
    with change("update", workshop=workshop, by=by, op=op, about=sticky_id) as now:
        sticky = now.about()
        if text is not None:
            cleaned = _clean_text(text)
            if cleaned != sticky.text:
                sticky.text = cleaned
                sticky.text_version += 1
            now.say(f"edited {named(sticky)}")
        if kind is not None and _check_kind(kind) != sticky.kind:
            if sticky.on_timeline:
                _park_notes_of(now, sticky)
            crossing = Kind.EVENT in (kind, sticky.kind)
            sticky.kind = kind
            sticky.parallel = sticky.parallel and kind == Kind.EVENT
            if crossing:  # an event becoming a note, or the other way: it waits in the parking
                sticky.parked, sticky.event = True, None
            place = Place(parked=sticky.parked, event=sticky.event_id)
            sticky.rank = _rank(now.workshop, kind, place, END, sticky.pk)
            now.say(f"made {named(sticky)} {_a(kind)}")
        if parallel is not None:
            if not sticky.is_event:
                raise ValidationError("Only events can run in parallel with the one before.")
            sticky.parallel = parallel
            now.say(f"marked {named(sticky)} {'' if parallel else 'not '}in parallel")
        now.touch(sticky)
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
    with change("move", workshop=workshop, by=by, op=op, about=sticky_id) as now:
        sticky = now.about()
        if after == sticky.pk:
            raise ValidationError("A sticky cannot go after itself.")
        place = _check_place(now, sticky.kind, place, private=sticky.private)
        if sticky.on_timeline and place.parked:
            _park_notes_of(now, sticky)
        sticky.rank = _rank(now.workshop, sticky.kind, place, after, sticky.pk)
        sticky.parked, sticky.event_id = place.parked, place.event
        now.touch(sticky)
        where = "the parking area" if place.parked else "the timeline"
        if not sticky.is_event and not place.parked:
            where = "an event"
        now.say(f"moved {named(sticky)} in {where}")
        return sticky


def sticky_delete(
    *, workshop: Workshop, by: Participant | None, op: str | None, sticky_id: UUID
) -> Sticky:
    """Delete a sticky (it can be restored); an event's lanes go to the parking area."""
    with change("delete", workshop=workshop, by=by, op=op, about=sticky_id) as now:
        sticky = now.about()
        if sticky.on_timeline:
            _park_notes_of(now, sticky)
        sticky.deleted_at = timezone.now()
        now.touch(sticky)
        now.say(f"deleted {named(sticky)}")
        return sticky


def sticky_restore(
    *, workshop: Workshop, by: Participant | None, op: str | None, sticky_id: UUID
) -> Sticky:
    """Bring a deleted sticky back where it was, or to the parking area if that place is gone."""
    with change("restore", workshop=workshop, by=by, op=op, about=sticky_id) as now:
        sticky = now.about(deleted=True)
        if sticky.deleted_at is None:
            raise ValidationError("That sticky is on the board already.")
        _check_room(now.workshop)
        place = Place(parked=sticky.parked, event=sticky.event_id)
        if not sticky.is_event and not place.parked:
            try:
                _check_place(now, sticky.kind, place, private=sticky.private)
            except ValidationError:
                place = Place(parked=True)
        siblings = _siblings(now.workshop, sticky.kind, place)
        if siblings.filter(rank=sticky.rank).exists():  # its old spot was taken meanwhile
            following = siblings.filter(rank__gt=sticky.rank).order_by("rank")
            sticky.rank = generate_key_between(
                sticky.rank, following.values_list("rank", flat=True).first()
            )
        sticky.deleted_at = None
        sticky.parked, sticky.event_id = place.parked, place.event
        now.touch(sticky)
        now.say(f"restored {named(sticky)}")
        return sticky
