"""A `p2pboard-map` version 2 document read back (an import, a starter file): checked whole before
anything is made, every problem said with where it is ("steps[3].pain_points[0].text: 612
characters, the limit is 280"), and turned into a plan of what to make. No database here.

Only what a board is made of is read: the worked-out parts of an export (`analysis`, `insight`,
`kinds`) and the derived ones (`number`, `authors`, a timing's `steps`, `phase_label`, times) are
checked for their type at most, and made afresh by the board that imports them."""

import contextlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError

from workshops.agenda import Phase
from workshops.kinds import KINDS, LANE_KINDS, Kind
from workshops.limits import LIMITS
from workshops.services.agenda import (
    LONGEST,
    LONGEST_MEETING,
    MOST_VOTES,
    PURPOSES,
    SHORTEST,
    SHORTEST_MEETING,
)
from workshops.services.people import clean_name
from workshops.text import cleaned
from workshops.timings import MOST_DAYS, UNITS, TimingError, read_sizes

FORMAT = "p2pboard-map"
VERSION = 2
# The largest file an import reads; a full board (10,000 stickies) exports to about 4 MB.
MOST_BYTES = 8 * 1024 * 1024
MOST_PROBLEMS = 20  # said at once; a file with more is far from a map
OWNER_LENGTH = LIMITS.display_name * 2
ROLES = ("facilitator", "participant")
STATUSES = ("open", "doing", "done")
LANES = {KINDS[kind].plural: kind for kind in LANE_KINDS}
DUE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DocumentError(ValueError):
    """What is wrong with a document, each problem with where it is."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class PlannedSticky:
    ref: str  # its id in the document, or where it is when it has none
    where: str
    kind: str
    text: str
    by: str | None = None
    anonymous: bool = False
    owner: str = ""  # checks
    parallel: bool = False  # events
    merged_from: str | None = None  # notes on a step: the merged event they came with
    event: str | None = None  # parked notes: the parked event they wait for
    merged_into: str | None = None  # merged stickies
    votes: int = 0


@dataclass
class PlannedStep:
    event: PlannedSticky
    notes: list[PlannedSticky]  # lane by lane, in each lane's order


@dataclass
class PlannedTiming:
    where: str
    events: list[str]
    size: str | None
    estimate: dict[str, Any] | None
    work: dict[str, Any] | None
    wait: dict[str, Any] | None


@dataclass
class PlannedAction:
    where: str
    text: str
    owner: str | None
    owner_is_participant: bool
    due: str | None
    status: str
    source: str | None


@dataclass
class Settings:
    private_brainstorm: bool = False
    locked: bool = False
    votes_each: int = 3
    votes_per_sticky: int = 1
    votes_hidden: bool = True
    anonymous_pain: bool = False
    sizes: dict[str, list[float]] | None = None  # None: the default scale
    calendar_days: bool = False
    timer_length: int = 0


@dataclass
class FollowUp:
    at: str | None = None
    minutes: int = 60
    purposes: list[str] = field(default_factory=list)
    notes: str = ""


@dataclass
class Plan:
    title: str
    goal: str = ""
    first_event: str = ""
    last_event: str = ""
    phase: str = Phase.FRAME
    ended: bool = False
    settings: Settings = field(default_factory=Settings)
    participants: list[tuple[str, str]] = field(default_factory=list)  # (name, role)
    steps: list[PlannedStep] = field(default_factory=list)
    parked_events: list[PlannedSticky] = field(default_factory=list)
    parked_notes: list[PlannedSticky] = field(default_factory=list)
    merged: list[PlannedSticky] = field(default_factory=list)
    timings: list[PlannedTiming] = field(default_factory=list)
    votes_shown: bool = False
    actions: list[PlannedAction] = field(default_factory=list)
    follow_up: FollowUp = field(default_factory=FollowUp)

    @property
    def votes(self) -> int:
        return sum(sticky.votes for sticky in self.stickies())

    def stickies(self) -> list[PlannedSticky]:
        found = [sticky for step in self.steps for sticky in (step.event, *step.notes)]
        return found + self.parked_events + self.parked_notes + self.merged


class _Stop(Exception):
    """Too many problems to go on."""


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.ids: dict[str, str] = {}  # an id in the document: where it is

    def wrong(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}" if where else problem)
        if len(self.problems) >= MOST_PROBLEMS:
            raise _Stop

    # ----- values -----

    def fields(
        self, value: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.wrong(where, f"should be an object {{…}}, not {_type(value)}")
            return None
        unknown = [key for key in value if key not in required and key not in optional]
        if unknown:
            self.wrong(where, f"unknown field{'s' * (len(unknown) > 1)} {_names(unknown)}")
        missing = [key for key in required if key not in value]
        if missing:
            self.wrong(where, f"{_names(missing)} {'is' if len(missing) == 1 else 'are'} missing")
            return None
        return value

    def items(self, value: Any, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.wrong(where, f"should be a list […], not {_type(value)}")
            return []
        return value

    def text(
        self,
        value: Any,
        where: str,
        limit: int,
        *,
        blank: bool = False,
        lines: bool = False,
        null: bool = False,
    ) -> str:
        if value is None and null:
            return ""
        if not isinstance(value, str):
            self.wrong(where, f"should be text, not {_type(value)}")
            return ""
        shown = cleaned(value, lines=lines)
        if len(shown) > limit:
            self.wrong(where, f"{len(shown)} characters, the limit is {limit}")
        elif not blank and not shown.strip():
            self.wrong(where, "is empty: it needs some text")
        return shown

    def boolean(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            self.wrong(where, f"should be true or false, not {_type(value)}")
            return False
        return value

    def whole(self, value: Any, where: str, low: int, high: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            self.wrong(where, f"should be a whole number, not {_type(value)}")
            return low
        if not low <= value <= high:
            self.wrong(where, f"{value} is out of range: {low} to {high}")
            return low
        return value

    def one_of(self, value: Any, where: str, choices: tuple[str, ...]) -> str:
        if value not in choices:
            shown = json.dumps(value)[:40] if _is_json(value) else _type(value)
            self.wrong(where, f"{shown} is none of {', '.join(choices)}")
            return choices[0]
        return str(value)

    def ref(self, value: Any, where: str) -> str | None:
        """A reference to an id in the document (checked once every id is known)."""
        if value is None:
            return None
        if not isinstance(value, str) or not value or len(value) > 100:
            self.wrong(where, "should be the id of a sticky in this file (text), or null")
            return None
        return value

    # ----- the document -----

    def document(self, content: Any) -> Plan:
        top = self.fields(
            content,
            "",
            ("format", "version", "workshop", "steps"),
            ("exported_at", "participants", "parked", "merged", "timings", "votes_shown",
             "actions", "follow_up", "analysis", "insight", "kinds"),
        )  # fmt: skip
        if top is None:
            raise _Stop
        if top["format"] != FORMAT:
            shown = json.dumps(top["format"])[:40] if _is_json(top["format"]) else "?"
            self.wrong("format", f"{shown} is not a p2pboard map (it should be “{FORMAT}”)")
            raise _Stop
        if top["version"] != VERSION:
            shown = json.dumps(top["version"])[:20] if _is_json(top["version"]) else "?"
            self.wrong(
                "version",
                f"{shown} is not a version this p2pboard reads: it reads version {VERSION}"
                " (export the map again from a current p2pboard)",
            )
            raise _Stop
        for name in ("analysis", "insight", "kinds"):
            if name in top and not isinstance(top[name], dict):
                self.wrong(name, f"should be an object {{…}}, not {_type(top[name])}")
        if "exported_at" in top:
            self.moment(top["exported_at"], "exported_at", null=True)
        plan = self.workshop(top["workshop"])
        self.participants(top.get("participants"), plan)
        self.steps(top["steps"], plan)
        self.parked(top.get("parked"), plan)
        self.merged(top.get("merged"), plan)
        if "votes_shown" in top:
            plan.votes_shown = self.boolean(top["votes_shown"], "votes_shown")
        self.references(plan)
        self.timings(top.get("timings"), plan)
        self.actions(top.get("actions"), plan)
        self.follow_up(top.get("follow_up"), plan)
        count = len(plan.stickies())
        if count > LIMITS.stickies_per_board:
            self.wrong("steps", f"{count} stickies, a board holds {LIMITS.stickies_per_board}")
        return plan

    def moment(self, value: Any, where: str, *, null: bool = False) -> str | None:
        if value is None and null:
            return None
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                moment = None
            if moment is not None and moment.tzinfo is not None:
                if 2000 <= moment.year <= 2100:
                    return value
                self.wrong(where, "should be a date in this century")
                return None
        self.wrong(
            where, "should be a date and time with its offset, like 2027-01-14T10:00:00+01:00"
        )
        return None

    def workshop(self, value: Any) -> Plan:
        where = "workshop"
        found = self.fields(
            value,
            where,
            ("title",),
            ("goal", "first_event", "last_event", "phase", "phase_label", "created_at",
             "ended_at", "settings"),
        )  # fmt: skip
        if found is None:
            return Plan(title="")
        plan = Plan(title=self.text(found["title"], f"{where}.title", LIMITS.workshop_title))
        plan.goal = self.text(
            found.get("goal", ""), f"{where}.goal", LIMITS.workshop_goal, blank=True, lines=True
        )
        for name in ("first_event", "last_event"):
            said = self.text(found.get(name, ""), f"{where}.{name}", LIMITS.sticky_text, blank=True)
            setattr(plan, name, said)
        if "phase" in found:
            plan.phase = self.one_of(found["phase"], f"{where}.phase", tuple(Phase.values))
        if "phase_label" in found:
            self.text(found["phase_label"], f"{where}.phase_label", 200, blank=True)
        if "created_at" in found:
            self.moment(found["created_at"], f"{where}.created_at", null=True)
        if "ended_at" in found:
            plan.ended = self.moment(found["ended_at"], f"{where}.ended_at", null=True) is not None
        if "settings" in found:
            plan.settings = self.settings(found["settings"], f"{where}.settings")
        return plan

    def settings(self, value: Any, where: str) -> Settings:
        names = ("private_brainstorm", "locked", "votes_each", "votes_per_sticky", "votes_hidden",
                 "anonymous_pain", "sizes", "calendar_days", "timer_length")  # fmt: skip
        found = self.fields(value, where, (), names)
        settings = Settings()
        if found is None:
            return settings
        for name in ("private_brainstorm", "locked", "votes_hidden", "anonymous_pain",
                     "calendar_days"):  # fmt: skip
            if name in found:
                setattr(settings, name, self.boolean(found[name], f"{where}.{name}"))
        if "votes_each" in found:
            settings.votes_each = self.whole(
                found["votes_each"], f"{where}.votes_each", 1, MOST_VOTES
            )
        if "votes_per_sticky" in found:
            settings.votes_per_sticky = self.whole(
                found["votes_per_sticky"], f"{where}.votes_per_sticky", 1, settings.votes_each
            )
        if "sizes" in found:
            try:
                settings.sizes = read_sizes(found["sizes"])
            except TimingError as wrong:
                self.wrong(f"{where}.sizes", str(wrong))
        if "timer_length" in found:
            length = self.whole(found["timer_length"], f"{where}.timer_length", 0, LONGEST)
            if 0 < length < SHORTEST:
                self.wrong(f"{where}.timer_length", f"a timebox lasts {SHORTEST} seconds at least")
            settings.timer_length = length
        return settings

    def participants(self, value: Any, plan: Plan) -> None:
        people = self.items(value, "participants")
        if len(people) > LIMITS.participants_per_board:
            self.wrong(
                "participants",
                f"{len(people)} people, a workshop holds {LIMITS.participants_per_board}",
            )
            return
        for n, person in enumerate(people):
            where = f"participants[{n}]"
            found = self.fields(person, where, ("name",), ("role",))
            if found is None:
                continue
            name = self.name(found["name"], f"{where}.name")
            role = self.one_of(found.get("role", "participant"), f"{where}.role", ROLES)
            plan.participants.append((name, role))

    def name(self, value: Any, where: str) -> str:
        """A person's name as the board keeps it."""
        if not isinstance(value, str):
            self.wrong(where, f"should be text, not {_type(value)}")
            return ""
        try:
            return clean_name(value)
        except ValidationError as wrong:
            self.wrong(where, " ".join(wrong.messages))
            return ""

    def sticky(
        self, value: Any, where: str, kind: str | None, extra: tuple[str, ...]
    ) -> PlannedSticky | None:
        """A sticky's own fields: `kind` is what its place says it is (None: it says itself)."""
        common = ("id", "kind", "by", "anonymous", "authors", "owner", "votes")
        found = self.fields(value, where, ("text",), common + extra)
        if found is None:
            return None
        said = kind or ""
        if kind is None or "kind" in found:
            said = self.one_of(found.get("kind"), f"{where}.kind", tuple(KINDS))
        if kind is not None and said != kind:
            self.wrong(f"{where}.kind", f"“{said}” does not belong here: this place holds {kind}s")
        ref = self.ref(found.get("id"), f"{where}.id") or where
        if ref in self.ids:
            self.wrong(f"{where}.id", f"“{ref[:40]}” is also the id of {self.ids[ref]}")
        self.ids[ref] = where
        sticky = PlannedSticky(
            ref=ref,
            where=where,
            kind=said,
            text=self.text(found["text"], f"{where}.text", LIMITS.sticky_text, lines=True),
        )
        if found.get("by") is not None:
            sticky.by = self.name(found["by"], f"{where}.by")
        if "anonymous" in found:
            sticky.anonymous = self.boolean(found["anonymous"], f"{where}.anonymous")
            if sticky.anonymous and said != Kind.PAIN:
                self.wrong(f"{where}.anonymous", "only pain points are posted without a name")
        for n, author in enumerate(self.items(found.get("authors"), f"{where}.authors")):
            self.name(author, f"{where}.authors[{n}]")
        if found.get("owner"):
            if said != Kind.CHECK:
                self.wrong(f"{where}.owner", "only checks have an owner who signs them off")
            sticky.owner = " ".join(
                self.text(found["owner"], f"{where}.owner", OWNER_LENGTH).split()
            )
        if "votes" in found:
            if said != Kind.PAIN:
                self.wrong(f"{where}.votes", "votes go to pain points")
            sticky.votes = self.whole(found["votes"], f"{where}.votes", 0, LIMITS.carried_votes)
        if found.get("parallel"):
            if said != Kind.EVENT:
                self.wrong(f"{where}.parallel", "only events run in parallel")
            sticky.parallel = self.boolean(found["parallel"], f"{where}.parallel")
        sticky.merged_from = self.ref(found.get("merged_from"), f"{where}.merged_from")
        sticky.event = self.ref(found.get("event"), f"{where}.event")
        sticky.merged_into = self.ref(found.get("merged_into"), f"{where}.merged_into")
        return sticky

    def steps(self, value: Any, plan: Plan) -> None:
        for n, step in enumerate(self.items(value, "steps")):
            where = f"steps[{n}]"
            event = self.sticky(step, where, Kind.EVENT, ("number", "parallel", *LANES))
            if event is None:
                continue
            if "number" in step:
                self.whole(step["number"], f"{where}.number", 1, LIMITS.stickies_per_board)
            notes = []
            for lane, kind in LANES.items():
                for m, note in enumerate(self.items(step.get(lane), f"{where}.{lane}")):
                    found = self.sticky(note, f"{where}.{lane}[{m}]", kind, ("merged_from",))
                    if found is not None:
                        notes.append(found)
            plan.steps.append(PlannedStep(event, notes))

    def parked(self, value: Any, plan: Plan) -> None:
        if value is None:
            return
        found = self.fields(value, "parked", (), ("events", "notes"))
        if found is None:
            return
        for n, event in enumerate(self.items(found.get("events"), "parked.events")):
            sticky = self.sticky(event, f"parked.events[{n}]", Kind.EVENT, ("parallel",))
            if sticky is not None:
                plan.parked_events.append(sticky)
        for n, note in enumerate(self.items(found.get("notes"), "parked.notes")):
            sticky = self.sticky(note, f"parked.notes[{n}]", None, ("event",))
            if sticky is None:
                continue
            if sticky.kind == Kind.EVENT:
                self.wrong(f"parked.notes[{n}].kind", "events waiting go in parked.events")
            plan.parked_notes.append(sticky)

    def merged(self, value: Any, plan: Plan) -> None:
        for n, one in enumerate(self.items(value, "merged")):
            where = f"merged[{n}]"
            sticky = self.sticky(one, where, None, ("merged_into", "parallel"))
            if sticky is None:
                continue
            if sticky.merged_into is None:
                self.wrong(f"{where}.merged_into", "says which sticky it was merged into")
            plan.merged.append(sticky)

    def references(self, plan: Plan) -> None:
        """Every id a sticky names is in the file, of the right kind, and merges end on the
        board without going round in a circle."""
        by_ref = {sticky.ref: sticky for sticky in plan.stickies()}
        parked_events = {event.ref for event in plan.parked_events}
        for sticky in plan.parked_notes:
            if sticky.event is not None and sticky.event not in parked_events:
                self.wrong(
                    f"{sticky.where}.event", self.not_there(sticky.event, by_ref, "a parked event")
                )
        merged = {one.ref: one for one in plan.merged}
        for step in plan.steps:
            for note in step.notes:
                came = merged.get(note.merged_from or "")
                if note.merged_from is not None and (
                    came is None or came.kind != Kind.EVENT or came.merged_into != step.event.ref
                ):
                    self.wrong(
                        f"{note.where}.merged_from",
                        self.not_there(note.merged_from, by_ref, "an event merged into this step"),
                    )
        for one in plan.merged:
            target = by_ref.get(one.merged_into or "")
            if one.merged_into is None:
                continue
            if target is None:
                self.wrong(f"{one.where}.merged_into", self.not_there(one.merged_into, by_ref, ""))
            elif target.kind != one.kind:
                self.wrong(
                    f"{one.where}.merged_into",
                    f"“{target.ref[:40]}” is a {target.kind}: only stickies of one kind merge",
                )
            else:
                self.circle(one, by_ref)

    def circle(self, one: PlannedSticky, by_ref: dict[str, PlannedSticky]) -> None:
        chain, at = [one.ref], one
        while at.merged_into is not None and (after := by_ref.get(at.merged_into)) is not None:
            if after.ref in chain:
                circle = " → ".join(f"“{ref[:12]}”" for ref in [*chain, after.ref])
                self.wrong(f"{one.where}.merged_into", f"merges go round in a circle: {circle}")
                return
            chain.append(after.ref)
            at = after

    def not_there(self, ref: str, by_ref: dict[str, PlannedSticky], wanted: str) -> str:
        found = by_ref.get(ref)
        if found is None:
            return f"“{ref[:40]}” is not the id of any sticky in this file"
        return f"“{ref[:40]}” is {found.where}, a {found.kind}, not {wanted}"

    def estimate(self, value: Any, where: str) -> dict[str, Any] | None:
        if value is None:
            return None
        found = self.fields(value, where, ("low", "high", "unit"))
        if found is None:
            return None
        low, high = found["low"], found["high"]
        numbers = all(isinstance(b, int | float) and not isinstance(b, bool) for b in (low, high))
        if not numbers:
            self.wrong(where, "low and high should be numbers")
            return None
        unit = self.one_of(found["unit"], f"{where}.unit", UNITS)
        if not 0 <= low <= high or high == 0:
            self.wrong(where, f"goes from 0 or more up to a longer time, not {low}-{high}")
        elif high > MOST_DAYS * 24:
            self.wrong(where, "is over ten years")
        return {"low": float(low), "high": float(high), "unit": unit}

    def timings(self, value: Any, plan: Plan) -> None:
        timeline = [step.event.ref for step in plan.steps]
        timed: dict[str, str] = {}
        scale = plan.settings.sizes or {"XS": [], "S": [], "M": [], "L": [], "XL": []}
        for n, timing in enumerate(self.items(value, "timings")):
            where = f"timings[{n}]"
            found = self.fields(
                timing, where, ("events",), ("steps", "size", "estimate", "work", "wait")
            )
            if found is None:
                continue
            events = [self.ref(e, f"{where}.events[{m}]") or "" for m, e in enumerate(
                self.items(found["events"], f"{where}.events"))]  # fmt: skip
            if not 1 <= len(events) <= 3 or len(set(events)) != len(events):
                self.wrong(f"{where}.events", "names one event, or 2 or 3 different ones")
                continue
            places = sorted(timeline.index(e) for e in events if e in timeline)
            if len(places) != len(events):
                missing = next(e for e in events if e not in timeline)
                self.wrong(f"{where}.events", f"“{missing[:40]}” is not a step on the timeline")
                continue
            if places[-1] - places[0] != len(places) - 1:
                self.wrong(f"{where}.events", "a group is 2 or 3 steps next to each other")
            for event in events:
                if event in timed:
                    self.wrong(f"{where}.events", f"a step is timed twice (also in {timed[event]})")
                timed[event] = where
            size = found.get("size")
            if size is not None:
                size = self.one_of(size, f"{where}.size", tuple(scale))
            planned = PlannedTiming(
                where,
                [timeline[place] for place in places],
                size,
                self.estimate(found.get("estimate"), f"{where}.estimate"),
                self.estimate(found.get("work"), f"{where}.work"),
                self.estimate(found.get("wait"), f"{where}.wait"),
            )
            if not (planned.size or planned.estimate or planned.work or planned.wait):
                self.wrong(where, "gives no size nor estimate")
            plan.timings.append(planned)

    def actions(self, value: Any, plan: Plan) -> None:
        actions = self.items(value, "actions")
        if len(actions) > LIMITS.actions_per_board:
            self.wrong(
                "actions", f"{len(actions)} actions, a board holds {LIMITS.actions_per_board}"
            )
            return
        on_board = {s.ref for s in plan.stickies() if s.merged_into is None}
        people = {name for name, _ in plan.participants}
        for n, action in enumerate(actions):
            where = f"actions[{n}]"
            found = self.fields(
                action, where, ("text",), ("id", "owner", "owner_is_participant", "due", "status",
                                           "source"),
            )  # fmt: skip
            if found is None:
                continue
            said = self.text(
                found.get("owner"), f"{where}.owner", OWNER_LENGTH, blank=True, null=True
            )
            owner = " ".join(said.split()) or None
            by_name = self.boolean(
                found.get("owner_is_participant", False), f"{where}.owner_is_participant"
            )
            if by_name and owner not in people:
                self.wrong(
                    f"{where}.owner", f"“{(owner or '')[:40]}” is not one of the participants"
                )
            due = found.get("due")
            if due is not None and not (isinstance(due, str) and DUE.fullmatch(due) and _date(due)):
                self.wrong(f"{where}.due", "should be a date like 2027-01-31, or null")
                due = None
            source = self.ref(found.get("source"), f"{where}.source")
            if source is not None and source not in on_board:
                self.wrong(
                    f"{where}.source", f"“{source[:40]}” is not a sticky on the board in this file"
                )
                source = None
            plan.actions.append(
                PlannedAction(
                    where,
                    self.text(found["text"], f"{where}.text", LIMITS.sticky_text, lines=True),
                    owner,
                    by_name,
                    due,
                    self.one_of(found.get("status", "open"), f"{where}.status", STATUSES),
                    source,
                )
            )

    def follow_up(self, value: Any, plan: Plan) -> None:
        if value is None:
            return
        where = "follow_up"
        found = self.fields(value, where, (), ("at", "minutes", "purposes", "notes"))
        if found is None:
            return
        follow_up = plan.follow_up
        follow_up.at = self.moment(found.get("at"), f"{where}.at", null=True)
        if "minutes" in found:
            follow_up.minutes = self.whole(
                found["minutes"], f"{where}.minutes", SHORTEST_MEETING, LONGEST_MEETING
            )
        for n, purpose in enumerate(self.items(found.get("purposes"), f"{where}.purposes")):
            follow_up.purposes.append(
                self.one_of(purpose, f"{where}.purposes[{n}]", tuple(PURPOSES))
            )
        follow_up.notes = self.text(
            found.get("notes", ""), f"{where}.notes", LIMITS.workshop_goal, blank=True, lines=True
        )


def _date(said: str) -> bool:
    try:
        date.fromisoformat(said)
    except ValueError:
        return False
    return True


def _type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "true or false", int: "a number", float: "a number", str: "text",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)  # fmt: skip


def _names(keys: list[str]) -> str:
    return ", ".join(f"“{key[:40]}”" for key in keys)


def _is_json(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def parse(raw: bytes) -> Plan:
    """Read a document's bytes into a plan, or raise DocumentError with every problem found
    (up to MOST_PROBLEMS)."""
    if len(raw) > MOST_BYTES:
        raise DocumentError([too_big(len(raw))])
    try:
        content = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DocumentError(
            ["The file is not text in UTF-8: is it a p2pboard map (.json)?"]
        ) from None
    except json.JSONDecodeError as problem:
        raise DocumentError(
            [
                f"The file is not JSON: {problem.msg}"
                f" at line {problem.lineno}, column {problem.colno}."
            ]
        ) from None
    except RecursionError:
        raise DocumentError(["The file is nested too deeply to be a p2pboard map."]) from None
    return read(content)


def read(content: Any) -> Plan:
    reader = _Reader()
    plan = None
    with contextlib.suppress(_Stop):  # too many problems: those found are said
        plan = reader.document(content)
    if reader.problems or plan is None:
        raise DocumentError(reader.problems)
    return plan


def too_big(size: int) -> str:
    return (
        f"The file is {size / 1024 / 1024:.1f} MB; a map to import is"
        f" {MOST_BYTES // 1024 // 1024} MB at most."
    )
