"""What the printed map says of each step beside its stickies: its timing as it was given (and the
group timed with it), what it adds to the lead time and its share, and whether it is a bottleneck,
a pain hot spot, a gate or where a hand-off lands. Worked out once from the map's insight, so the
overview and the timeline mark the same steps with the same words."""

from dataclasses import dataclass

from workshops.exports.map import HotSpot, Map, StepTiming
from workshops.exports.pdf.look import days, percent
from workshops.insight import Unit


@dataclass(frozen=True)
class Marks:
    number: int
    parallel: bool
    timing: StepTiming | None
    unit: Unit | None  # the step, or the group it was timed with, as the insight counts it
    bottleneck: int | None  # its rank among the bottlenecks (1 to 3)
    hot_spot: HotSpot | None
    gates: int  # its check stickies
    hand_off_from: int | None  # the step before, when the people change here
    votes: int | None  # None: the votes are hidden

    @property
    def group(self) -> list[int] | None:
        """The steps timed together with this one (itself included), if it is in a group."""
        if self.timing and len(self.timing.steps) > 1:
            return self.timing.steps
        return None

    @property
    def said(self) -> str:
        """Its timing as given: "M (1-5 days)", "work 2 days, wait 1-3 weeks"."""
        return self.timing.said if self.timing else ""

    @property
    def share(self) -> float | None:
        return self.unit.share if self.unit and self.unit.timed else None

    @property
    def adds(self) -> str:
        """What it adds to the lead time, in words: "adds 1-5 days, 12% of the lead time"."""
        unit = self.unit
        if unit is None or unit.timed is None:
            return "no timing yet"
        together = "together " if self.group else ""
        if unit.adds[1] == 0 and unit.adds[0] == 0:
            return f"adds {together}nothing: a longer step runs alongside"
        return f"adds {together}{days(unit.adds)}, {percent(unit.share)} of the lead time"

    @property
    def tags(self) -> list[str]:
        """The words that mark it on the overview, most telling first."""
        found = []
        if self.bottleneck:
            found.append(f"BOTTLENECK {self.bottleneck}")
        if self.hot_spot:
            found.append("HOT SPOT")
        if self.gates:
            found.append("GATE" if self.gates == 1 else f"{self.gates} GATES")
        if self.hand_off_from:
            found.append("HAND-OFF")
        if self.parallel:
            found.append("PARALLEL")
        return found


def marks_of(workshop_map: Map) -> dict[int, Marks]:
    """Each step's marks, by its number."""
    found = workshop_map.insight
    unit_of = {number: unit for unit in found.units for number in unit.numbers}
    rank = {unit.numbers[0]: place for place, unit in enumerate(found.bottlenecks, start=1)}
    timing_of = {number: timing for timing in workshop_map.timings for number in timing.steps}
    hot = {spot.step.number: spot for spot in workshop_map.hot_spots}
    gates: dict[int, int] = {}
    for gate in found.gates:
        gates[gate.step.number] = gates.get(gate.step.number, 0) + 1
    hand_offs = {hand.before.number: hand.after.number for hand in found.hand_offs}
    marks = {}
    for step in workshop_map.steps:
        unit = unit_of.get(step.number)
        marks[step.number] = Marks(
            number=step.number,
            parallel=step.parallel,
            timing=timing_of.get(step.number) if unit and unit.timed else None,
            unit=unit,
            bottleneck=rank.get(unit.numbers[0]) if unit else None,
            hot_spot=hot.get(step.number),
            gates=gates.get(step.number, 0),
            hand_off_from=hand_offs.get(step.number),
            votes=step.votes if workshop_map.votes_shown else None,
        )
    return marks
