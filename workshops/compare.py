"""The current path and an ideal path side by side: which steps the ideal removes, adds and
changes, and what that does to the lead time, the hand-offs, the gates and the pain. The ideal's
stickies remember the sticky of the current path they were copied from (`Sticky.origin`), so a
step keeps its identity however much its words change."""

from dataclasses import dataclass, field
from uuid import UUID

from workshops.exports.map import Map, Step, map_of
from workshops.insight import Days
from workshops.kinds import Kind
from workshops.models import Sticky, Workshop

KEPT, CHANGED, REMOVED, ADDED = "kept", "changed", "removed", "added"


@dataclass(frozen=True)
class StepChange:
    status: str  # KEPT, CHANGED, REMOVED or ADDED
    before: Step | None  # on the current path
    after: Step | None  # on the ideal path
    what: list[str] = field(default_factory=list)  # what changed, in words


@dataclass(frozen=True)
class Side:
    """A path's figures, for the before/after table."""

    steps: int
    lead_time: Days | None
    untimed: int
    hand_offs: int
    gates: int
    pain_points: int

    @classmethod
    def of(cls, workshop_map: Map) -> "Side":
        insight = workshop_map.insight
        return cls(
            steps=len(workshop_map.steps),
            lead_time=insight.lead_time,
            untimed=len(insight.untimed),
            hand_offs=len(insight.hand_offs),
            gates=len(insight.gates),
            pain_points=workshop_map.pain_on_timeline,
        )


@dataclass(frozen=True)
class Comparison:
    current: Map
    ideal: Map
    changes: list[StepChange]
    before: Side
    after: Side

    def count(self, status: str) -> int:
        return sum(1 for change in self.changes if change.status == status)


def _kept_in_order(pairs: list[tuple[int, int]]) -> set[int]:
    """Of (ideal number, current number) pairs in ideal order, the current numbers that keep
    their order (a longest increasing run); the others were moved."""
    if not pairs:
        return set()
    numbers = [current for _, current in pairs]
    best: list[list[int]] = []
    for index, number in enumerate(numbers):
        longest: list[int] = []
        for run in best[:index]:
            if run[-1] < number and len(run) > len(longest):
                longest = run
        best.append([*longest, number])
    return set(sorted(best, key=lambda run: -len(run))[0])


def _texts(step: Step, kind: str) -> dict[str, str]:
    return {" ".join(note.text.split()).casefold(): note.text for note in step.notes(kind)}


def _listed(words: list[str]) -> str:
    quoted = [f"“{word}”" for word in words[:3]]
    more = len(words) - len(quoted)
    return ", ".join(quoted) + (f" and {more} more" if more > 0 else "")


def _differences(
    before: Step, after: Step, timing: dict[int, str], ideal_timing: dict[int, str]
) -> list[str]:
    what = []
    if before.event.text != after.event.text:
        what.append(f"was “{before.event.text}”")
    was, now = timing.get(before.number, ""), ideal_timing.get(after.number, "")
    if was != now:
        what.append(f"timing {was or 'none'} → {now or 'none'}")
    if before.parallel != after.parallel:
        what.append("now alongside the step before" if after.parallel else "no longer in parallel")
    for kind, name in ((Kind.PERSON, "people"), (Kind.SYSTEM, "systems"), (Kind.CHECK, "checks")):
        mine, theirs = _texts(before, kind), _texts(after, kind)
        if gone := [mine[key] for key in mine if key not in theirs]:
            what.append(f"{name} removed: {_listed(gone)}")
        if new := [theirs[key] for key in theirs if key not in mine]:
            what.append(f"{name} added: {_listed(new)}")
    pain_before, pain_after = len(before.notes(Kind.PAIN)), len(after.notes(Kind.PAIN))
    if pain_before != pain_after:
        what.append(f"pain points {pain_before} → {pain_after}")
    return what


def _said_by_step(workshop_map: Map) -> dict[int, str]:
    said: dict[int, str] = {}
    for timing in workshop_map.timings:
        group = f" (steps {timing.steps[0]}-{timing.steps[-1]})" if len(timing.steps) > 1 else ""
        for number in timing.steps:
            said[number] = timing.said + group
    return said


def compare(current: Map, ideal: Map, origins: dict[UUID, UUID]) -> Comparison:
    """`origins`: an ideal event's id -> the id of the current event it was copied from."""
    by_id = {step.event.id: step for step in current.steps}
    matched: list[tuple[Step, Step]] = []
    for step in ideal.steps:
        origin = origins.get(step.event.id)
        if origin in by_id:
            matched.append((step, by_id[origin]))
    in_order = _kept_in_order([(after.number, before.number) for after, before in matched])
    partner = {after.number: before for after, before in matched}
    kept_ids = {before.event.id for _, before in matched}
    timing, ideal_timing = _said_by_step(current), _said_by_step(ideal)
    changes: list[StepChange] = []
    for step in ideal.steps:
        before = partner.get(step.number)
        if before is None:
            changes.append(StepChange(ADDED, None, step))
            continue
        what = _differences(before, step, timing, ideal_timing)
        if before.number not in in_order:
            what.insert(0, f"moved: was step {before.number}")
        changes.append(StepChange(CHANGED if what else KEPT, before, step, what))
    removed = [
        StepChange(REMOVED, step, None) for step in current.steps if step.event.id not in kept_ids
    ]
    # A removed step is listed where it was: after the change holding its predecessor.
    for change in removed:
        assert change.before is not None
        at = next(
            (
                index + 1
                for index, other in reversed(list(enumerate(changes)))
                if other.before and other.before.number < change.before.number
            ),
            0,
        )
        changes.insert(at, change)
    return Comparison(current, ideal, changes, Side.of(current), Side.of(ideal))


def comparison_of(*, current: Workshop, ideal: Workshop) -> Comparison:
    """The two boards as they stand now, as everyone may see them."""
    return comparison_against(current=current, ideal=map_of(ideal))


def comparison_against(*, current: Workshop, ideal: Map) -> Comparison:
    """The current board now, against an ideal path's map already read."""
    copied = Sticky.objects.filter(
        workshop=ideal.workshop, kind=Kind.EVENT, origin__isnull=False
    ).values_list("pk", "origin")
    origins = {pk: origin for pk, origin in copied if origin}
    return compare(map_of(current), ideal, origins)
