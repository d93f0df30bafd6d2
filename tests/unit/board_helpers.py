"""Reading a board back in tests, and the changes every refusal test runs."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tests.factories import make_sticky
from workshops import services
from workshops.kinds import Kind
from workshops.models import Operation, Participant, Sticky, Workshop
from workshops.protocol import Place
from workshops.selectors import board_of

TIMELINE = Place(parked=False)
PARKED = Place(parked=True)


def under(event: Sticky) -> Place:
    """The lanes under an event."""
    return Place(parked=False, event=event.pk)


# ----- reading the board back -----


def seq_of(workshop: Workshop) -> int:
    return Workshop.objects.values_list("seq", flat=True).get(pk=workshop.pk)


def fresh(sticky: Sticky) -> Sticky:
    return Sticky.objects.get(pk=sticky.pk)


def timeline(workshop: Workshop) -> list[str]:
    return [column.event.text for column in board_of(workshop).columns]


def lane(workshop: Workshop, event: Sticky, kind: str) -> list[str]:
    [column] = [c for c in board_of(workshop).columns if c.event.pk == event.pk]
    lanes = {info.kind.value: notes for info, notes in column.lanes}
    return [note.text for note in lanes[kind]]


def parked_events(workshop: Workshop) -> list[str]:
    return [sticky.text for sticky in board_of(workshop).parked_events]


def parked_notes(workshop: Workshop) -> list[str]:
    return [sticky.text for sticky in board_of(workshop).parked_notes]


def last_change(workshop: Workshop, seq_before: int) -> Operation:
    """The one operation a change logged, having checked it took exactly the next seq."""
    assert seq_of(workshop) == seq_before + 1
    [operation] = Operation.objects.filter(workshop=workshop, seq__gt=seq_before)
    assert operation.seq == seq_before + 1
    return operation


def board_state(workshop: Workshop) -> tuple[int, list[int], list[Any]]:
    return (
        seq_of(workshop),
        list(Operation.objects.filter(workshop=workshop).values_list("seq", flat=True)),
        list(Sticky.objects.filter(workshop=workshop).order_by("id").values()),
    )


@contextmanager
def nothing_changes(workshop: Workshop) -> Iterator[None]:
    before = board_state(workshop)
    yield
    assert board_state(workshop) == before


# ----- every change, for the refusals that apply to all of them -----

Change = Callable[[Workshop, Participant | None, Sticky], Sticky]

CHANGES: dict[str, Change] = {
    "add": lambda workshop, by, sticky: services.sticky_add(
        workshop=workshop, by=by, op=None, kind=Kind.PAIN, text="Flaky tests", place=under(sticky)
    ),
    "update": lambda workshop, by, sticky: services.sticky_update(
        workshop=workshop, by=by, op=None, sticky_id=sticky.pk, text="Merged"
    ),
    "move": lambda workshop, by, sticky: services.sticky_move(
        workshop=workshop, by=by, op=None, sticky_id=sticky.pk, place=PARKED
    ),
    "delete": lambda workshop, by, sticky: services.sticky_delete(
        workshop=workshop, by=by, op=None, sticky_id=sticky.pk
    ),
    "restore": lambda workshop, by, sticky: services.sticky_restore(
        workshop=workshop, by=by, op=None, sticky_id=sticky.pk
    ),
}
EDITS = ["update", "move", "delete", "restore"]


def target_for(change: str, workshop: Workshop, by: Participant) -> Sticky:
    """An event on the timeline that the change could apply to (deleted, for a restore)."""
    event = make_sticky(workshop, by, text="Code reviewed")
    if change == "restore":
        services.sticky_delete(workshop=workshop, by=by, op=None, sticky_id=event.pk)
    return event
