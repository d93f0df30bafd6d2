"""The board's insight strip in words: the map's insight (`workshops.insight`, worked out by
`exports.map.insight_of` from what everyone may see) as the strip says it, and what each event on
the timeline says of it ("Bottleneck 1 · 74%" of the time, "Hot spot 2 · 40%" of the pain), with
a level from 1 to 4 for its tint. The board page draws the strip with the page; the page
fetches it again (`views.insight`) when sizes, votes or the timeline change."""

from dataclasses import dataclass, field

from django.core.cache import cache

from workshops import insight
from workshops.agenda import Phase
from workshops.exports.map import insight_of
from workshops.models import Workshop

# The steps of the agenda whose figures the strip is about (pain, then time, then what to do):
# shown there to everyone; before them to the facilitators only, who may open it any time.
PHASES = (Phase.PAIN, Phase.TIMINGS, Phase.ACTIONS, Phase.FOLLOW_UP)
LONGEST_TEXT = 48  # of a step's text in the strip's one line
NAMED = 8  # hand-offs and gates named in the details; the rest are counted
KEPT = 600  # seconds a board's strip is kept for the next screen that asks, at the same change


@dataclass(frozen=True)
class Where:
    """A step, or a group timed together, and its share of the time or of the pain."""

    steps: str  # "step 3", "steps 3-4"
    text: str
    share: str  # "74%"


@dataclass(frozen=True)
class Strip:
    lead_time: str | None  # "6-27 days"; None: nothing timed yet
    bottlenecks: list[Where]
    hot_spots: list[Where]
    hand_offs: int
    gates: int
    named: list[str]  # the first hand-offs and gates, in words ("Hand-off step 1 → 2: …")
    work_and_wait: str | None  # "working 3-5 days, waiting 10-12 days; flow efficiency 30%"
    missing: list[str]
    marks: dict[str, dict[str, object]] = field(default_factory=dict)  # by event id

    @property
    def unnamed(self) -> int:
        """Hand-offs and gates counted but not named."""
        return self.hand_offs + self.gates - len(self.named)

    @property
    def said(self) -> str:
        """What a screen reader hears when the figures change: the three that matter most."""
        parts = [f"Lead time {self.lead_time or 'not known yet'}."]
        if self.bottlenecks:
            slowest = self.bottlenecks[0]
            parts.append(f"Slowest: {slowest.steps}, {slowest.share} of the time.")
        if self.hot_spots:
            spot = self.hot_spots[0]
            parts.append(f"Top hot spot: {spot.steps}, {spot.share} of the pain.")
        return " ".join(parts)


def _level(share: float) -> int:
    """A share as one of four tints: under a tenth, a quarter, a half; a half or more."""
    return 1 + sum(share >= bound for bound in (0.1, 0.25, 0.5))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LONGEST_TEXT else f"{text[: LONGEST_TEXT - 1].rstrip()}…"


def _marks(worked_out: insight.Insight) -> dict[str, dict[str, object]]:
    """What each event shows, by event id: its unit's share of the time (a group's for each of
    its steps) and rank among the bottlenecks, its share of the pain and place among the hot
    spots; each as a name ("Bottleneck 1", "" for the others), a share ("42%") and a level."""
    ranks = {unit.steps[0].id: rank for rank, unit in enumerate(worked_out.bottlenecks, 1)}
    marks: dict[str, dict[str, object]] = {}
    for unit in worked_out.units:
        if unit.timed is None:
            continue
        rank = ranks.get(unit.steps[0].id)
        if unit.adds[1] > 0:
            name = f"Bottleneck {rank}" if rank else ""
            time = {
                "name": name,
                "share": insight.share_text(unit.share),
                "level": _level(unit.share),
            }
        else:
            time = {"name": "Adds no time", "share": "", "level": 0}
        for step in unit.steps:
            marks[step.id] = {"time": time}
    for place, spot in enumerate(worked_out.hot_spots, 1):
        marks.setdefault(spot.step.id, {})["pain"] = {
            "name": f"Hot spot {place}",
            "share": insight.share_text(spot.share),
            "level": _level(spot.share),
        }
    return marks


def strip_of(worked_out: insight.Insight) -> Strip:
    bottlenecks = [
        Where(
            unit.label,
            " / ".join(_short(step.text) for step in unit.steps),
            insight.share_text(unit.share),
        )
        for unit in worked_out.bottlenecks
    ]
    hot_spots = [
        Where(f"step {spot.step.number}", _short(spot.step.text), insight.share_text(spot.share))
        for spot in worked_out.hot_spots
    ]
    named = [
        f"Hand-off at step {hand.after.number} → {hand.before.number}: "
        f"{_short(', '.join(hand.after.people))} → {_short(', '.join(hand.before.people))}"
        for hand in worked_out.hand_offs[: NAMED // 2]
    ]
    named += [
        f"Gate at step {gate.step.number}: {_short(gate.text)}"
        for gate in worked_out.gates[: NAMED - len(named)]
    ]
    split = []
    if worked_out.work:
        split.append(f"working {insight.days_text(worked_out.work)}")
    if worked_out.wait:
        split.append(f"waiting {insight.days_text(worked_out.wait)}")
    if worked_out.flow_efficiency is not None:
        split.append(f"flow efficiency {insight.share_text(worked_out.flow_efficiency)}")
    return Strip(
        lead_time=insight.days_text(worked_out.lead_time) if worked_out.lead_time else None,
        bottlenecks=bottlenecks,
        hot_spots=hot_spots,
        hand_offs=len(worked_out.hand_offs),
        gates=len(worked_out.gates),
        named=named,
        work_and_wait=", ".join(split) or None,
        missing=worked_out.missing,
        marks=_marks(worked_out),
    )


def strip_context(workshop: Workshop) -> dict[str, object]:
    """What templates/workshops/insight.html needs, as everyone may see the board now.

    Every screen on a board asks for the strip after each change, and the map of a big board
    takes a while to read: it is worked out once per change of the board (its sequence number
    moves with every change, `services.changes`) and kept for the others (it holds nothing
    that differs between viewers)."""
    key = f"insight-strip:{workshop.pk}:{workshop.seq}"
    strip = cache.get(key)
    if strip is None:
        strip = strip_of(insight_of(workshop))
        cache.set(key, strip, timeout=KEPT)
    return {"strip": strip, "strip_phases": [str(phase) for phase in PHASES]}
