"""Stickies: adding, changing, moving, deleting and restoring them, and the rules of where they
may sit. Each operation is one change (`services/changes.py`)."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from fractional_indexing import generate_key_between, generate_n_keys_between

from workshops import text as typed
from workshops.kinds import KINDS, Kind
from workshops.limits import LIMITS
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import END, Place
from workshops.selectors import live
from workshops.services.changes import Change, Conflict, change
from workshops.visibility import sees_sticky, stickies_seen_by

# ----- the rules -----


def place_stickies(workshop: Workshop, kind: str, place: Place) -> Any:
    """The stickies that share a place, in the order they are shown."""
    stickies = live(workshop)
    if kind == Kind.EVENT:
        return stickies.filter(kind=Kind.EVENT, parked=place.parked)
    if place.parked:
        return stickies.exclude(kind=Kind.EVENT).filter(parked=True)
    return stickies.filter(kind=kind, parked=False, event_id=place.event)


# Fractional ranks grow by a character or so each time a sticky goes between two neighbours
# whose ranks are next to each other; past this length the place is given fresh, short ranks.
LONGEST_RANK = 32


def _rank(
    change: Change, kind: str, place: Place, after: UUID | str | None, moving: UUID | None
) -> str:
    """The rank for a sticky going to `place`, right after `after` (None: first; END: last)."""
    siblings = (
        place_stickies(change.workshop, kind, place).exclude(pk=moving).order_by("rank", "id")
    )
    if after == END:
        last = siblings.reverse().values_list("rank", flat=True).first()
        key = str(generate_key_between(last, None))
    elif after is None:
        first = siblings.values_list("rank", flat=True).first()
        key = str(generate_key_between(None, first))
    else:
        anchor = siblings.filter(pk=after).values_list("rank", flat=True).first()
        if anchor is None:
            raise ValidationError("The sticky to put it after is not in that place any more.")
        following = siblings.filter(rank__gt=anchor).values_list("rank", flat=True).first()
        key = str(generate_key_between(anchor, following))
    if len(key) <= LONGEST_RANK:
        return key
    return _rebalance(change, list(siblings), after)


def rank_in(change: Change, sticky: Sticky, place: Place) -> str:
    """The rank for a sticky going to the end of `place`."""
    return _rank(change, sticky.kind, place, END, sticky.pk)


def _rebalance(change: Change, siblings: list[Sticky], after: UUID | str | None) -> str:
    """Give every sticky of a place a fresh, short rank in the same order, leaving room for
    one more right after `after`; returns that one's rank. Each sticky whose rank changed is
    written (and broadcast) as part of the change."""
    slot = len(siblings) if after == END else 0
    if after not in (END, None):
        slot = 1 + next(i for i, sticky in enumerate(siblings) if sticky.pk == after)
    keys = generate_n_keys_between(None, None, len(siblings) + 1)
    for sticky, key in zip(siblings, keys[:slot] + keys[slot + 1 :], strict=True):
        if sticky.rank != key:
            sticky.rank = key
            change.touch(sticky)
    return str(keys[slot])


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
    cleaned = typed.cleaned(text, lines=True)
    if typed.is_blank(cleaned):
        raise ValidationError("A sticky needs some text.")
    if len(cleaned) > LIMITS.sticky_text:
        raise ValidationError(f"A sticky holds {LIMITS.sticky_text} characters at most.")
    return cleaned


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError(f"Unknown kind of sticky {kind!r}.")
    return kind


def _check_room(change: Change) -> None:
    counted = live(change.workshop).aggregate(
        board=Count("pk"), mine=Count("pk", filter=Q(created_by=change.by))
    )
    if counted["board"] >= LIMITS.stickies_per_board:
        raise ValidationError(
            f"This board is full: it holds {LIMITS.stickies_per_board} stickies at most."
        )
    if counted["mine"] >= (most := LIMITS.stickies_per_participant):
        raise ValidationError(
            f"You have {most} stickies on this board, the most one person may have: "
            "delete or merge some first."
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


def park_notes_of(change: Change, event: Sticky) -> None:
    """An event leaving the timeline takes its lanes with it: their stickies are parked, and
    remember which event they came from."""
    for note in live(change.workshop).filter(event=event, parked=False).order_by("rank", "id"):
        note.parked, note.event, note.parked_from = True, None, event
        note.rank = _rank(change, note.kind, Place(parked=True), END, note.pk)
        change.touch(note)


def _bring_back_notes_of(change: Change, event: Sticky) -> None:
    """An event back on the timeline (restored, or placed again) takes back the notes it took
    to the parking area when it left, those still waiting there untouched, in their order."""
    waiting = live(change.workshop).filter(parked=True, parked_from=event).order_by("rank", "id")
    for note in waiting:
        place = Place(parked=False, event=event.pk)
        note.rank = _rank(change, note.kind, place, END, note.pk)
        note.parked, note.event_id, note.parked_from = False, event.pk, None
        change.touch(note)


def _where(change: Change, sticky: Sticky, place: Place) -> str:
    """Where a move took a sticky, as the history says it: which event, or after which one."""
    if place.parked:
        return "to the parking area"
    if not sticky.is_event:
        event = live(change.workshop).filter(pk=place.event).first()
        return f"under {named(event)}" if event else "under an event"
    before = (
        place_stickies(change.workshop, Kind.EVENT, place)
        .filter(rank__lt=sticky.rank)
        .exclude(pk=sticky.pk)
        .filter(stickies_seen_by(None))
        .order_by("-rank", "-id")
        .first()
    )
    return f"on the timeline after {named(before)}" if before else "to the start of the timeline"


def _say(now: Change, sticky: Sticky, summary: str) -> None:
    """Say what a change did; a change of a sticky posted without a name, by its author, keeps
    their name off it too (else the history and the patch would say who wrote it)."""
    if sticky.anonymous and sticky.created_by_id == now.by.pk:
        now.say_anonymously(summary)
    else:
        now.say(summary)


# ----- operations -----


def _carried(kind: str, votes: int) -> int:
    if votes and kind != Kind.PAIN:
        raise ValidationError("Votes go to pain points.")
    if not 0 <= votes <= LIMITS.carried_votes:
        raise ValidationError(f"A pain point carries {LIMITS.carried_votes:,} votes at most.")
    return votes


def sticky_add(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    kind: str,
    text: str,
    place: Place,
    after: UUID | str | None = END,
    sticky_id: UUID | None = None,
    anonymous: bool | None = None,
    carried_votes: int = 0,
) -> Sticky:
    """A new sticky; during a silent brainstorm it is private to its author until revealed.
    The sender may choose its id (`sticky_id`), so that its next add can go right after it
    before this one is confirmed. A pain point may be posted without a name when the
    facilitator allows it: nobody sees who wrote it, in the board or in the history.
    `carried_votes`: a pain point's vote total from an imported map (no socket command sets
    it)."""
    with change("add", workshop=workshop, by=by, op=op) as now:
        kind, text = _check_kind(kind), _clean_text(text)
        _check_room(now)
        if sticky_id is not None and Sticky.objects.filter(pk=sticky_id).exists():
            raise ValidationError("That sticky id is taken: make a new one.")
        private = now.workshop.private_brainstorm
        if anonymous and not (kind == Kind.PAIN and now.board().anonymous_pain):
            raise ValidationError(
                "Only pain points can be posted without a name, when the facilitator allows it."
            )
        place = _check_place(now, kind, place, private=private)
        sticky = Sticky(
            id=sticky_id or uuid4(),
            workshop=now.workshop,
            kind=kind,
            text=text,
            parked=place.parked,
            event_id=place.event,
            rank=_rank(now, kind, place, after, None),
            created_by=now.by,
            private=private,
            anonymous=bool(anonymous),
            carried_votes=_carried(kind, carried_votes),
            version=0,
        )
        now.touch(sticky)
        if sticky.carried_votes:
            now.touch_tally()
        if anonymous:
            now.say_anonymously(f"someone added {_a(kind)} without a name: {named(sticky)}")
        else:
            now.say(
                f"added {_a(kind)} {named(sticky)}" if not private else f"added {named(sticky)}"
            )
        return sticky


@dataclass(frozen=True)
class Written:
    """A sticky written elsewhere (in an imported map), to add as its author wrote it."""

    author: Participant | None
    kind: str
    text: str
    place: Place
    sticky_id: UUID = field(default_factory=uuid4)
    anonymous: bool = False
    carried_votes: int = 0
    parallel: bool = False
    owner: str = ""


def _place_key(kind: str, place: Place) -> tuple[object, ...]:
    if kind == Kind.EVENT:
        return (Kind.EVENT, place.parked)
    return ("parked notes",) if place.parked else (kind, place.event)


def stickies_add_written(
    *, workshop: Workshop, by: Participant | None, op: str | None, stickies: list[Written]
) -> list[Sticky]:
    """Stickies written elsewhere (an imported map), each by its author, at the end of their
    places in the order given, as one change by `by`: every rule of `sticky_add` holds for
    each (and of `sticky_update` for parallel events and checks' owners), and a refusal of any
    adds none. A note may go under an event added before it in the same list."""
    with change("add", workshop=workshop, by=by, op=op) as now:
        board = now.board()
        counted = live(now.workshop).aggregate(board=Count("pk"))
        if counted["board"] + len(stickies) > LIMITS.stickies_per_board:
            raise ValidationError(
                f"This board is full: it holds {LIMITS.stickies_per_board} stickies at most."
            )
        authors = Counter(one.author.pk for one in stickies if one.author is not None)
        if authors:
            have = dict(
                live(now.workshop)
                .filter(created_by__in=list(authors))
                .values_list("created_by")
                .annotate(n=Count("pk"))
            )
            for author, adding in authors.items():
                if have.get(author, 0) + adding > LIMITS.stickies_per_participant:
                    raise ValidationError(
                        f"One person may have {LIMITS.stickies_per_participant} stickies on a"
                        " board at most."
                    )
        ids = [one.sticky_id for one in stickies]
        if len(set(ids)) != len(ids) or Sticky.objects.filter(pk__in=ids).exists():
            raise ValidationError("A sticky id is taken: make new ones.")
        private = board.private_brainstorm
        events = dict(
            live(now.workshop).filter(kind=Kind.EVENT, parked=False).values_list("pk", "private")
        )
        last: dict[tuple[object, ...], str | None] = {}
        made: list[Sticky] = []
        for one in stickies:
            kind, text = _check_kind(one.kind), _clean_text(one.text)
            if one.anonymous and not (kind == Kind.PAIN and board.anonymous_pain):
                raise ValidationError(
                    "Only pain points can be posted without a name, when the facilitator allows it."
                )
            if one.parallel and kind != Kind.EVENT:
                raise ValidationError("Only events can run in parallel with the one before.")
            owner = " ".join(typed.cleaned(one.owner).split())
            if owner and kind != Kind.CHECK:
                raise ValidationError("Only checks and gates have an owner who signs them off.")
            if len(owner) > LIMITS.display_name * 2:
                raise ValidationError(
                    f"An owner's name holds {LIMITS.display_name * 2} characters at most."
                )
            place = one.place
            if kind == Kind.EVENT or place.parked:
                place = Place(parked=place.parked, event=None)
            elif place.event not in events:
                raise ValidationError("That event is no longer on the timeline.")
            elif events[place.event] and not private:
                raise ValidationError("That event is private until the reveal: park the note.")
            key = _place_key(kind, place)
            if key not in last:
                siblings = place_stickies(now.workshop, kind, place).order_by("-rank", "-id")
                last[key] = siblings.values_list("rank", flat=True).first()
            rank = str(generate_key_between(last[key], None))
            last[key] = rank
            sticky = Sticky(
                id=one.sticky_id,
                workshop=now.workshop,
                kind=kind,
                text=text,
                parked=place.parked,
                event_id=place.event,
                rank=rank,
                parallel=one.parallel,
                owner=owner,
                created_by=one.author,
                private=private,
                anonymous=one.anonymous,
                carried_votes=_carried(kind, one.carried_votes),
                version=0,
            )
            if kind == Kind.EVENT and not place.parked:
                events[sticky.pk] = private
            now.touch(sticky)
            made.append(sticky)
        if any(sticky.carried_votes for sticky in made):
            now.touch_tally()
        now.say(f"added {len(made)} stick{'y' if len(made) == 1 else 'ies'} from a map file")
        return made


def sticky_update(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    sticky_id: UUID,
    text: str | None = None,
    base: int | None = None,
    kind: str | None = None,
    parallel: bool | None = None,
    owner: str | None = None,
) -> Sticky:
    """Change text, kind, 'in parallel' or a check's owner; each field given is set. A text
    edit that names the version of the text it was based on (`base`) is refused when the text
    has changed since (Conflict): nobody's typing is saved over someone else's by surprise.
    Without `base`, the last write wins. Moves and kind changes do not change the text's version."""
    with change("update", workshop=workshop, by=by, op=op, about=sticky_id) as now:
        sticky = now.about()
        if text is not None:
            if base is not None and base != sticky.text_version:
                raise Conflict(sticky)
            cleaned = _clean_text(text)
            if cleaned != sticky.text:
                sticky.text = cleaned
                sticky.text_version += 1
            _say(now, sticky, f"edited {named(sticky)}")
        if kind is not None and _check_kind(kind) != sticky.kind:
            if sticky.on_timeline:
                park_notes_of(now, sticky)
            crossing = Kind.EVENT in (kind, sticky.kind)
            sticky.kind = kind
            sticky.parallel = sticky.parallel and kind == Kind.EVENT
            sticky.owner = sticky.owner if kind == Kind.CHECK else ""  # checks have owners
            if crossing:  # an event becoming a note, or the other way: it waits in the parking
                sticky.parked, sticky.event = True, None
            place = Place(parked=sticky.parked, event=sticky.event_id)
            sticky.rank = _rank(now, kind, place, END, sticky.pk)
            _say(now, sticky, f"made {named(sticky)} {_a(kind)}")
        if parallel is not None:
            if not sticky.is_event:
                raise ValidationError("Only events can run in parallel with the one before.")
            sticky.parallel = parallel
            _say(now, sticky, f"marked {named(sticky)} {'' if parallel else 'not '}in parallel")
        if owner is not None:
            if sticky.kind != Kind.CHECK:
                raise ValidationError("Only checks and gates have an owner who signs them off.")
            sticky.owner = " ".join(typed.cleaned(owner).split())
            if len(sticky.owner) > (most := LIMITS.display_name * 2):
                raise ValidationError(f"An owner's name holds {most} characters at most.")
            _say(now, sticky, f"gave {named(sticky)} its owner: {sticky.owner or 'nobody'}")
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
        returning = sticky.is_event and sticky.parked and not place.parked
        if sticky.on_timeline and place.parked:
            park_notes_of(now, sticky)
        sticky.rank = _rank(now, sticky.kind, place, after, sticky.pk)
        sticky.parked, sticky.event_id = place.parked, place.event
        sticky.parked_from = None  # placed by hand: it no longer waits for an event
        now.touch(sticky)
        if returning:
            _bring_back_notes_of(now, sticky)
        _say(now, sticky, f"moved {named(sticky)} {_where(now, sticky, place)}")
        return sticky


def sticky_delete(
    *, workshop: Workshop, by: Participant | None, op: str | None, sticky_id: UUID
) -> Sticky:
    """Delete a sticky (it can be restored); an event's lanes go to the parking area."""
    with change("delete", workshop=workshop, by=by, op=op, about=sticky_id) as now:
        sticky = now.about()
        if sticky.on_timeline:
            park_notes_of(now, sticky)
        sticky.deleted_at = timezone.now()
        now.touch(sticky)
        _say(now, sticky, f"deleted {named(sticky)}")
        return sticky


def sticky_restore(
    *, workshop: Workshop, by: Participant | None, op: str | None, sticky_id: UUID
) -> Sticky:
    """Bring a deleted sticky back where it was, or to the parking area if that place is gone."""
    with change("restore", workshop=workshop, by=by, op=op, about=sticky_id) as now:
        sticky = now.about(deleted=True)
        if sticky.deleted_at is None:
            raise ValidationError("That sticky is on the board already.")
        _check_room(now)
        bring_back(now, sticky)
        _say(now, sticky, f"restored {named(sticky)}")
        return sticky


def bring_back(now: Change, sticky: Sticky) -> None:
    """Put a deleted sticky back where it was, or in the parking area if that place is gone;
    an event takes back the notes it parked when it went."""
    place = Place(parked=sticky.parked, event=sticky.event_id)
    if not sticky.is_event and not place.parked:
        try:
            _check_place(now, sticky.kind, place, private=sticky.private)
        except ValidationError:
            place = Place(parked=True)
    siblings = place_stickies(now.workshop, sticky.kind, place)
    if siblings.filter(rank=sticky.rank).exists():  # its old spot was taken meanwhile
        following = siblings.filter(rank__gt=sticky.rank).order_by("rank")
        sticky.rank = generate_key_between(
            sticky.rank, following.values_list("rank", flat=True).first()
        )
    sticky.deleted_at = None
    sticky.parked, sticky.event_id = place.parked, place.event
    now.touch(sticky)
    if sticky.on_timeline:
        _bring_back_notes_of(now, sticky)
