"""The map a workshop produced, as every export and the board's insight strip read it: the steps
in order with what sits under each and their timings, what was left parked, the actions, and what
the map says when it is worked out (`workshops.insight`: lead time, bottlenecks, pain hot spots,
hand-offs, gates; who and what takes part where). One place computes it, so the outputs never
disagree."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from django.utils import timezone

from workshops import insight
from workshops.kinds import KINDS, Kind, KindInfo
from workshops.models import Action, Participant, Sticky, Timing, Workshop
from workshops.selectors import board_of, live, vote_totals
from workshops.timings import Estimate
from workshops.visibility import stickies_seen_by


@dataclass(frozen=True)
class Note:
    """A sticky as the map shows it."""

    id: UUID
    kind: KindInfo
    text: str
    by: str | None  # who wrote it, when known
    votes: int = 0  # when the votes are shown to everyone


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

    @property
    def votes(self) -> int:
        return self.event.votes + sum(note.votes for lane in self.lanes for note in lane.notes)


@dataclass(frozen=True)
class HotSpot:
    step: Step
    pain_points: int
    questions: int
    votes: int
    share: float  # of the pain on the timeline, each pain point and vote counting one


@dataclass(frozen=True)
class StepTiming:
    """A timing as it was given, for the steps it covers (one, or a group of 2-3)."""

    steps: list[int]
    size: str | None
    estimate: Estimate | None
    work: Estimate | None
    wait: Estimate | None

    @property
    def said(self) -> str:
        """ "M", "2-5 days", "M (2-5 days)", "work 1 day, wait 3 days" """
        parts = []
        if self.size and self.estimate:
            parts.append(f"{self.size} ({self.estimate})")
        elif self.size or self.estimate:
            parts.append(str(self.size or self.estimate))
        if self.work:
            parts.append(f"work {self.work}")
        if self.wait:
            parts.append(f"wait {self.wait}")
        return ", ".join(parts)


@dataclass(frozen=True)
class ActionItem:
    text: str
    owner: str | None  # a participant's name, or a person or team in words
    due: date | None
    status: str
    status_label: str
    step: int | None  # the step it came from, when it came from one on the timeline
    source: str | None  # the text of the sticky it came from


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
    timings: list[StepTiming]  # in timeline order
    votes_shown: bool  # False: the votes are hidden, and nothing here counts them
    actions: list[ActionItem]
    insight: insight.Insight

    @property
    def timings_recorded(self) -> bool:
        return self.insight.lead_time is not None

    @property
    def pain_on_timeline(self) -> int:
        return sum(len(step.notes(Kind.PAIN)) for step in self.steps)


def _note(sticky: Sticky, votes: dict[UUID, int] | None = None) -> Note:
    author = None if sticky.anonymous else sticky.created_by  # posted without a name
    by = author.name if author else None
    return Note(sticky.pk, KINDS[sticky.kind], sticky.text, by, (votes or {}).get(sticky.pk, 0))


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


def _days(value: dict[str, object] | None, calendar: bool) -> insight.Days | None:
    estimate = Estimate.from_json(value)
    return estimate.days(calendar=calendar) if estimate else None


def _timings(
    workshop: Workshop, number: dict[str, int]
) -> tuple[list[StepTiming], list[insight.Timed]]:
    """The live timings of steps on the timeline (`number`: an event's id -> its step number),
    in timeline order, as given and in days."""
    calendar = workshop.calendar_days
    given: list[StepTiming] = []
    timed: list[insight.Timed] = []
    found = Timing.objects.filter(workshop=workshop, deleted_at__isnull=True)
    for timing in sorted(found, key=lambda t: number.get(t.events[0], 0) if t.events else 0):
        if not timing.events or not all(event in number for event in timing.events):
            continue  # a step of it is parked or gone: the timing waits for it
        scale = workshop.sizes.get(timing.size) if timing.size else None
        given.append(
            StepTiming(
                steps=[number[event] for event in timing.events],
                size=timing.size or None,
                estimate=Estimate.from_json(timing.estimate),
                work=Estimate.from_json(timing.work),
                wait=Estimate.from_json(timing.wait),
            )
        )
        timed.append(
            insight.Timed(
                steps=tuple(timing.events),
                size=timing.size or None,
                size_days=(float(scale[0]), float(scale[1])) if scale else None,
                estimate=_days(timing.estimate, calendar),
                work=_days(timing.work, calendar),
                wait=_days(timing.wait, calendar),
            )
        )
    return given, timed


def _path(steps: list[Step]) -> list[insight.Step]:
    return [
        insight.Step(
            id=str(step.event.id),
            number=step.number,
            text=step.event.text,
            parallel=step.parallel,
            pain=len(step.notes(Kind.PAIN)),
            questions=len(step.notes(Kind.QUESTION)),
            votes=step.votes,
            people=tuple(" ".join(note.text.split()) for note in step.notes(Kind.PERSON)),
            checks=tuple(note.text for note in step.notes(Kind.CHECK)),
        )
        for step in steps
    ]


def _hot_spots(steps: list[Step], worked_out: insight.Insight) -> list[HotSpot]:
    by_number = {step.number: step for step in steps}
    return [
        HotSpot(
            step=by_number[spot.step.number],
            pain_points=spot.step.pain,
            questions=spot.step.questions,
            votes=spot.step.votes,
            share=spot.share,
        )
        for spot in worked_out.hot_spots
    ]


def _actions(workshop: Workshop, steps: list[Step]) -> list[ActionItem]:
    step_of: dict[UUID, int] = {}
    for step in steps:
        step_of[step.event.id] = step.number
        for lane in step.lanes:
            for note in lane.notes:
                step_of[note.id] = step.number
    found = (
        Action.objects.filter(workshop=workshop, deleted_at__isnull=True)
        .select_related("owner_participant", "source")
        .order_by("created_at", "id")
    )
    return [
        ActionItem(
            text=action.text,
            owner=action.owner_participant.name
            if action.owner_participant
            else action.owner_name or None,
            due=action.due,
            status=action.status,
            status_label=action.get_status_display(),
            step=step_of.get(action.source_id) if action.source_id else None,
            source=action.source.text if action.source and not action.source.private else None,
        )
        for action in found
    ]


def _votes(workshop: Workshop) -> dict[UUID, int]:
    """Vote totals per sticky, when everyone may see them (none while hidden)."""
    return {} if workshop.votes_hidden else vote_totals(workshop)


def map_of(workshop: Workshop) -> Map:
    """The workshop's map as it stands now, as everyone may see it (stickies still private and
    votes still hidden left out)."""
    board = board_of(workshop)
    votes = _votes(workshop)
    steps = [
        Step(
            number=number,
            event=_note(column.event, votes),
            parallel=column.event.parallel and number > 1,
            lanes=[
                Lane(kind, [_note(sticky, votes) for sticky in notes])
                for kind, notes in column.lanes
            ],
        )
        for number, column in enumerate(board.columns, start=1)
    ]
    counts = Counter(
        note.kind.kind.value for step in steps for lane in step.lanes for note in lane.notes
    )
    counts[Kind.EVENT.value] = len(steps) + len(board.parked_events)
    for sticky in board.parked_notes:
        counts[sticky.kind] += 1
    timings, timed = _timings(workshop, {str(step.event.id): step.number for step in steps})
    worked_out = insight.work_out(_path(steps), timed, votes_counted=not workshop.votes_hidden)
    return Map(
        workshop=workshop,
        exported_at=timezone.now(),
        steps=steps,
        parked_events=[_note(sticky, votes) for sticky in board.parked_events],
        parked_notes=[_note(sticky, votes) for sticky in board.parked_notes],
        participants=list(workshop.participants.filter(removed_at__isnull=True)),
        hot_spots=_hot_spots(steps, worked_out),
        people=_involvement(steps, Kind.PERSON),
        systems=_involvement(steps, Kind.SYSTEM),
        counts={kind: counts[kind] for kind in KINDS},
        timings=timings,
        votes_shown=not workshop.votes_hidden,
        actions=_actions(workshop, steps),
        insight=worked_out,
    )


def insight_of(workshop: Workshop) -> insight.Insight:
    """The map's insight alone, equal to `map_of(workshop).insight` but read lean (rows, not
    model objects): what the board's insight strip asks for again after changes."""
    rows = (
        live(workshop)
        .filter(stickies_seen_by(None))
        .order_by("rank", "id")
        .values_list("id", "kind", "text", "event_id", "parked", "parallel")
    )
    votes = _votes(workshop)
    events: list[tuple[UUID, str, bool]] = []
    notes: dict[UUID, list[tuple[str, str, UUID]]] = {}
    for pk, kind, text, event, parked, parallel in rows:
        if kind == Kind.EVENT:
            if not parked:
                events.append((pk, text, parallel))
        elif not parked and event is not None:
            notes.setdefault(event, []).append((kind, text, pk))
    path = []
    for number, (pk, text, parallel) in enumerate(events, start=1):
        under = notes.get(pk, [])
        path.append(
            insight.Step(
                id=str(pk),
                number=number,
                text=text,
                parallel=parallel and number > 1,
                pain=sum(1 for kind, _, _ in under if kind == Kind.PAIN),
                questions=sum(1 for kind, _, _ in under if kind == Kind.QUESTION),
                votes=votes.get(pk, 0) + sum(votes.get(note, 0) for _, _, note in under),
                people=tuple(
                    " ".join(text.split()) for kind, text, _ in under if kind == Kind.PERSON
                ),
                checks=tuple(text for kind, text, _ in under if kind == Kind.CHECK),
            )
        )
    _, timed = _timings(workshop, {step.id: step.number for step in path})
    return insight.work_out(path, timed, votes_counted=not workshop.votes_hidden)
