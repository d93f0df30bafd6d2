"""The map a workshop produced, as both exports read it: the steps in order with what sits under
each, what was left parked, and what the board shows when it is worked out (pain hot spots, who
and what takes part where). One place computes it, so the PDF and the JSON never disagree."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.utils import timezone

from workshops.kinds import KINDS, Kind, KindInfo
from workshops.models import Participant, Sticky, Workshop
from workshops.selectors import board_of

HOT_SPOTS = 5  # the most painful steps a map lists


@dataclass(frozen=True)
class Note:
    """A sticky as the map shows it."""

    id: UUID
    kind: KindInfo
    text: str
    by: str | None  # who wrote it, when known


@dataclass(frozen=True)
class Lane:
    kind: KindInfo
    notes: list[Note]


@dataclass(frozen=True)
class Step:
    """An event on the timeline, numbered from 1 (left) and with its lanes in board order."""

    number: int
    event: Note
    parallel: bool  # happens alongside the step before
    lanes: list[Lane]

    def notes(self, kind: str) -> list[Note]:
        return next(lane.notes for lane in self.lanes if lane.kind.kind == kind)


@dataclass(frozen=True)
class HotSpot:
    step: Step
    pain_points: int
    questions: int
    share: float  # of all pain points placed on the timeline


@dataclass(frozen=True)
class Involvement:
    """A person, team, system or tool named on the map, and the steps it appears under.
    Stickies with the same text (ignoring case and spacing) are the same one."""

    name: str
    steps: list[int]


@dataclass(frozen=True)
class Map:
    workshop: Workshop
    exported_at: datetime
    steps: list[Step]
    parked_events: list[Note]
    parked_notes: list[Note]
    participants: list[Participant]
    hot_spots: list[HotSpot]
    people: list[Involvement]
    systems: list[Involvement]
    counts: dict[str, int]  # live stickies by kind, wherever they are

    @property
    def timings_recorded(self) -> bool:
        """Boards do not record timings yet, so lead time and bottleneck are not worked out."""
        return False

    @property
    def pain_on_timeline(self) -> int:
        return sum(len(step.notes(Kind.PAIN)) for step in self.steps)


def _note(sticky: Sticky) -> Note:
    author = None if sticky.anonymous else sticky.created_by  # posted without a name
    return Note(sticky.pk, KINDS[sticky.kind], sticky.text, author.name if author else None)


def _same(text: str) -> str:
    return " ".join(text.split()).casefold()


def _involvement(steps: list[Step], kind: str) -> list[Involvement]:
    """Who or what appears under which steps, the most involved first."""
    names: dict[str, str] = {}
    where: dict[str, list[int]] = {}
    for step in steps:
        for note in step.notes(kind):
            key = _same(note.text)
            if not key:
                continue
            names.setdefault(key, " ".join(note.text.split()))
            if step.number not in where.setdefault(key, []):
                where[key].append(step.number)
    ranked = sorted(where, key=lambda key: (-len(where[key]), where[key][0], key))
    return [Involvement(names[key], where[key]) for key in ranked]


def _hot_spots(steps: list[Step]) -> list[HotSpot]:
    """The steps with pain points on them, the most first; ties go to the step with more open
    questions, then to the earlier one."""
    total = sum(len(step.notes(Kind.PAIN)) for step in steps)
    painful = [step for step in steps if step.notes(Kind.PAIN)]
    painful.sort(
        key=lambda step: (
            -len(step.notes(Kind.PAIN)),
            -len(step.notes(Kind.QUESTION)),
            step.number,
        )
    )
    return [
        HotSpot(
            step=step,
            pain_points=len(step.notes(Kind.PAIN)),
            questions=len(step.notes(Kind.QUESTION)),
            share=len(step.notes(Kind.PAIN)) / total,
        )
        for step in painful[:HOT_SPOTS]
    ]


def map_of(workshop: Workshop) -> Map:
    """The workshop's map as it stands now (two queries: the stickies, the participants)."""
    board = board_of(workshop)
    steps = [
        Step(
            number=number,
            event=_note(column.event),
            parallel=column.event.parallel and number > 1,
            lanes=[Lane(kind, [_note(sticky) for sticky in notes]) for kind, notes in column.lanes],
        )
        for number, column in enumerate(board.columns, start=1)
    ]
    counts = Counter(
        note.kind.kind.value for step in steps for lane in step.lanes for note in lane.notes
    )
    counts[Kind.EVENT.value] = len(steps) + len(board.parked_events)
    for sticky in board.parked_notes:
        counts[sticky.kind] += 1
    return Map(
        workshop=workshop,
        exported_at=timezone.now(),
        steps=steps,
        parked_events=[_note(sticky) for sticky in board.parked_events],
        parked_notes=[_note(sticky) for sticky in board.parked_notes],
        participants=list(workshop.participants.filter(removed_at__isnull=True)),
        hot_spots=_hot_spots(steps),
        people=_involvement(steps, Kind.PERSON),
        systems=_involvement(steps, Kind.SYSTEM),
        counts={kind: counts[kind] for kind in KINDS},
    )
