"""What a timed map says: the lead time as a range, where the time goes (bottlenecks), where the
pain is (hot spots weighted by votes), the hand-offs and the manual gates, and what is missing
for the figures to be whole. Pure functions over plain values: no Django here, so each rule can
be tested on worked examples and the board, the PDF, the JSON and the Markdown agree.

The rules, as the workshop reads them:
- A *unit* is one step, or a group of 2-3 consecutive steps timed together (the group's time
  counts once). A unit whose first step is marked parallel runs alongside the unit before it;
  a run of parallel units costs its longest member, not the sum.
- A unit's time is its estimate in days if it has one, else its size through the workshop's
  scale, else its working plus waiting time. A unit with none adds nothing and is reported.
- The lead time is the sum over runs of each run's longest member, at both ends of the range.
- A unit's *share* is what it adds to the top of the range, divided by the top of the range: the
  longest member of a run adds the run's time, the others add nothing.
- The bottlenecks are the three units that add the most; ties go to more votes, then to more
  pain points, then to the earlier step.
- A step's pain weight is its pain points plus the votes on its stickies (when votes may be
  counted); hot spots are the heaviest steps.
- A hand-off is a change of the people and teams from one step that names some to the next step
  that names some (none in common; steps naming nobody are passed over, as the work is still
  with whoever had it). Each check sticky is a manual gate.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Days = tuple[float, float]

BOTTLENECKS = 3
HOT_SPOTS = 5


@dataclass(frozen=True)
class Step:
    """A step of the path, in timeline order (number from 1)."""

    id: str
    number: int
    text: str
    parallel: bool = False  # runs alongside the step before it
    pain: int = 0  # pain points under it
    questions: int = 0
    votes: int = 0  # votes on its event and notes, when they may be counted
    people: tuple[str, ...] = ()  # the people and teams under it
    checks: tuple[str, ...] = ()  # its check stickies (manual gates)


@dataclass(frozen=True)
class Timed:
    """A timing: the ids of 1-3 consecutive steps, and what was said of them, in days."""

    steps: tuple[str, ...]
    size: str | None = None
    size_days: Days | None = None
    estimate: Days | None = None
    work: Days | None = None
    wait: Days | None = None

    @property
    def days(self) -> Days | None:
        if self.estimate is not None:
            return self.estimate
        if self.size_days is not None:
            return self.size_days
        if self.work is not None or self.wait is not None:
            return _add([self.work or (0, 0), self.wait or (0, 0)])
        return None


@dataclass(frozen=True)
class Unit:
    """One step, or a group timed together, with what it adds to the lead time."""

    steps: tuple[Step, ...]
    timed: Timed | None
    parallel: bool
    adds: Days = (0.0, 0.0)
    share: float = 0.0  # of the top of the lead time's range

    @property
    def days(self) -> Days | None:
        return self.timed.days if self.timed else None

    @property
    def votes(self) -> int:
        return sum(step.votes for step in self.steps)

    @property
    def pain(self) -> int:
        return sum(step.pain for step in self.steps)

    @property
    def numbers(self) -> list[int]:
        return [step.number for step in self.steps]

    @property
    def label(self) -> str:
        if len(self.steps) == 1:
            return f"step {self.steps[0].number}"
        return f"steps {self.steps[0].number}-{self.steps[-1].number}"


@dataclass(frozen=True)
class HotSpot:
    step: Step
    weight: int  # pain points plus votes
    share: float  # of all the weight on the path


@dataclass(frozen=True)
class HandOff:
    after: Step
    before: Step


@dataclass(frozen=True)
class Gate:
    step: Step
    text: str


@dataclass(frozen=True)
class Insight:
    steps: int
    units: list[Unit]
    lead_time: Days | None  # None: nothing timed yet
    work: Days | None  # the working time of the units that gave it
    wait: Days | None
    flow_efficiency: float | None  # work ÷ time, over the units that gave both
    bottlenecks: list[Unit]
    hot_spots: list[HotSpot]
    hand_offs: list[HandOff]
    gates: list[Gate]
    votes_counted: bool
    missing: list[str] = field(default_factory=list)

    @property
    def untimed(self) -> list[Step]:
        return [step for unit in self.units if unit.timed is None for step in unit.steps]

    def as_json(self) -> dict[str, Any]:
        return {
            "steps": self.steps,
            "timed_steps": self.steps - len(self.untimed),
            "lead_time": _range_json(self.lead_time),
            "work": _range_json(self.work),
            "wait": _range_json(self.wait),
            "flow_efficiency": _round(self.flow_efficiency),
            "units": [_unit_json(unit) for unit in self.units],
            "bottlenecks": [_unit_json(unit) for unit in self.bottlenecks],
            "pain_hot_spots": [
                {
                    "step": spot.step.number,
                    "text": spot.step.text,
                    "pain_points": spot.step.pain,
                    "questions": spot.step.questions,
                    "votes": spot.step.votes,
                    "weight": spot.weight,
                    "share": _round(spot.share),
                }
                for spot in self.hot_spots
            ],
            "votes_counted": self.votes_counted,
            "hand_offs": [
                {
                    "from_step": hand.after.number,
                    "to_step": hand.before.number,
                    "from": list(hand.after.people),
                    "to": list(hand.before.people),
                }
                for hand in self.hand_offs
            ],
            "gates": [{"step": gate.step.number, "text": gate.text} for gate in self.gates],
            "missing": self.missing,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _range_json(days: Days | None) -> dict[str, float] | None:
    return None if days is None else {"low": _round(days[0]), "high": _round(days[1])}  # type: ignore[dict-item]


def _unit_json(unit: Unit) -> dict[str, Any]:
    timed = unit.timed
    return {
        "steps": unit.numbers,
        "text": " / ".join(step.text for step in unit.steps),
        "parallel": unit.parallel,
        "size": timed.size if timed else None,
        "days": _range_json(unit.days),
        "adds": _range_json(unit.adds),
        "share": _round(unit.share),
        "votes": unit.votes,
        "pain_points": unit.pain,
    }


def _add(ranges: Iterable[Days]) -> Days:
    low = high = 0.0
    for one in ranges:
        low += one[0]
        high += one[1]
    return low, high


def units_of(steps: Sequence[Step], timings: Iterable[Timed]) -> list[Unit]:
    """The steps as units: a timing of several consecutive steps makes them one unit. A timing
    naming steps that are not consecutive on the path now (moved since) is left out."""
    position = {step.id: index for index, step in enumerate(steps)}
    starts: dict[int, Timed] = {}
    for timed in timings:
        places = [position.get(step) for step in timed.steps]
        if None in places or not places:
            continue
        first = min(p for p in places if p is not None)
        if sorted(p for p in places if p is not None) != list(range(first, first + len(places))):
            continue
        starts[first] = timed
    units: list[Unit] = []
    index = 0
    while index < len(steps):
        found = starts.get(index)
        width = len(found.steps) if found else 1
        members = tuple(steps[index : index + width])
        units.append(Unit(members, found, parallel=bool(units) and members[0].parallel))
        index += width
    return units


def _runs(units: list[Unit]) -> list[list[int]]:
    """The units' indexes, grouped into runs that happen side by side."""
    runs: list[list[int]] = []
    for index, unit in enumerate(units):
        if unit.parallel and runs:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _with_adds(units: list[Unit]) -> tuple[list[Unit], Days | None]:
    """Each unit with what it adds to the lead time, and the lead time (None if untimed)."""
    adds: list[Days] = [(0.0, 0.0)] * len(units)
    for run in _runs(units):
        timed = [index for index in run if units[index].days is not None]
        if not timed:
            continue
        low_at = max(timed, key=lambda index: (units[index].days or (0, 0))[0])
        high_at = max(timed, key=lambda index: (units[index].days or (0, 0))[1])
        for index in timed:
            days = units[index].days or (0.0, 0.0)
            adds[index] = (
                days[0] if index == low_at else 0.0,
                days[1] if index == high_at else 0.0,
            )
    lead = _add(adds) if any(unit.timed for unit in units) else None
    top = lead[1] if lead else 0.0
    done = [
        Unit(unit.steps, unit.timed, unit.parallel, added, added[1] / top if top else 0.0)
        for unit, added in zip(units, adds, strict=True)
    ]
    return done, lead


def _bottlenecks(units: list[Unit]) -> list[Unit]:
    adding = [unit for unit in units if unit.adds[1] > 0]
    adding.sort(key=lambda unit: (-unit.adds[1], -unit.votes, -unit.pain, unit.numbers[0]))
    return adding[:BOTTLENECKS]


def _hot_spots(steps: Sequence[Step]) -> list[HotSpot]:
    weights = {step.id: step.pain + step.votes if step.pain else 0 for step in steps}
    total = sum(weights.values())
    heavy = [step for step in steps if weights[step.id]]
    heavy.sort(key=lambda step: (-weights[step.id], -step.questions, step.number))
    return [HotSpot(step, weights[step.id], weights[step.id] / total) for step in heavy[:HOT_SPOTS]]


def _hand_offs(steps: Sequence[Step]) -> list[HandOff]:
    found = []
    holder: Step | None = None  # the last step that named its people
    for step in steps:
        if not step.people:
            continue
        if holder is not None:
            mine = {name.casefold() for name in holder.people}
            if not mine & {name.casefold() for name in step.people}:
                found.append(HandOff(holder, step))
        holder = step
    return found


def _work_and_wait(units: list[Unit]) -> tuple[Days | None, Days | None, float | None]:
    given = [unit.timed for unit in units if unit.timed and unit.timed.work is not None]
    if not given:
        return None, None, None
    work = _add(timed.work or (0, 0) for timed in given)
    waits = [timed.wait for timed in given if timed.wait is not None]
    wait = _add(waits) if waits else None
    spent = _add(timed.days or (0, 0) for timed in given)
    middle = (spent[0] + spent[1]) / 2
    efficiency = min(1.0, (work[0] + work[1]) / 2 / middle) if middle else None
    return work, wait, efficiency


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _missing(insight_steps: Sequence[Step], units: list[Unit], votes_counted: bool) -> list[str]:
    said = []
    untimed = [step for unit in units if unit.timed is None for step in unit.steps]
    if not insight_steps:
        said.append("There are no steps on the timeline yet.")
    elif len(untimed) == len(insight_steps):
        said.append("No step has a size or an estimate yet, so there is no lead time.")
    elif untimed:
        has = "has" if len(untimed) == 1 else "have"
        said.append(
            f"{_plural(len(untimed), 'step', 'steps')} {has} no timing yet "
            f"({', '.join(str(step.number) for step in untimed[:8])}"
            f"{'…' if len(untimed) > 8 else ''}); the range assumes nothing for them."
        )
    if not votes_counted:
        said.append(
            "The votes are hidden until the facilitator shows them: "
            "hot spots count pain points only."
        )
    if insight_steps and not any(step.people for step in insight_steps):
        said.append("No people or teams are on the steps, so hand-offs cannot be seen.")
    return said


def work_out(steps: Sequence[Step], timings: Iterable[Timed], *, votes_counted: bool) -> Insight:
    """The insight of a path: its steps in timeline order and its timings."""
    if not votes_counted:
        steps = [
            Step(s.id, s.number, s.text, s.parallel, s.pain, s.questions, 0, s.people, s.checks)
            for s in steps
        ]
    units, lead = _with_adds(units_of(steps, timings))
    work, wait, efficiency = _work_and_wait(units)
    return Insight(
        steps=len(steps),
        units=units,
        lead_time=lead,
        work=work,
        wait=wait,
        flow_efficiency=efficiency,
        bottlenecks=_bottlenecks(units),
        hot_spots=_hot_spots(steps),
        hand_offs=_hand_offs(steps),
        gates=[Gate(step, text) for step in steps for text in step.checks],
        votes_counted=votes_counted,
        missing=_missing(steps, units, votes_counted),
    )


def days_text(days: Days | None) -> str:
    """A range of days as a reader takes it in, the same in every output: whole days from ten up,
    tenths below, "under a day" for less ("6-27 days", "3.3-4.3 days", "1 day"). The figures
    themselves stay exact."""
    if days is None:
        return "not known yet"
    if 0 < days[1] < 1:
        return "under a day"
    low, high = _rounded(days[0]), _rounded(days[1])
    unit = "day" if high == 1 else "days"
    return f"{_short(low)} {unit}" if low == high else f"{_short(low)}-{_short(high)} {unit}"


def share_text(share: float) -> str:
    """A share in words, the same in every output: "74%", "under 1%" for one too small to
    round to one."""
    return "under 1%" if 0 < share < 0.005 else f"{round(share * 100)}%"


def _rounded(value: float) -> float:
    return math.floor(value + 0.5) if value >= 10 else math.floor(value * 10 + 0.5) / 10


def _short(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"
