"""The map as JSON, for tools and for import: the workshop and its settings, who took part (names
and roles), every shared sticky where it sits (steps with their lanes, the parking, what was
merged into what), the timings, the vote totals when everyone may see them, the actions, the
follow-up, and the map worked out. The format is documented in docs/export-format.md and its
schema is `p2pboard-map-2.schema.json` beside this file; `FORMAT` and `VERSION` name it, and the
version changes only when a reader would have to change."""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from django.utils import timezone

from workshops.exports.map import HotSpot, Involvement, Map, Note, Step
from workshops.kinds import KINDS, Kind
from workshops.models import Action, Participant, Sticky
from workshops.timings import Estimate

FORMAT = "p2pboard-map"
VERSION = 2
SCHEMA = Path(__file__).with_name("p2pboard-map-2.schema.json")


@dataclass(frozen=True)
class Details:
    """What the map does not say of a sticky and the document needs (one query for them all)."""

    anonymous: bool
    authors: list[int]
    owner: str
    parked_from: UUID | None
    merged_from: UUID | None
    parallel: bool


def _time(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _estimate(estimate: Estimate | None) -> dict[str, Any] | None:
    return estimate.as_json() if estimate else None


class _Writer:
    """Builds one document: keeps the names of everyone who wrote something, removed people
    too, and the ids the document holds, so every reference in it points inside it."""

    def __init__(self, workshop_map: Map) -> None:
        self.map = workshop_map
        workshop = workshop_map.workshop
        self.names = dict(Participant.objects.filter(workshop=workshop).values_list("pk", "name"))
        shared = Sticky.objects.filter(workshop=workshop, deleted_at__isnull=True, private=False)
        self.details: dict[UUID, Details] = {}
        self.merged: list[Sticky] = []
        for sticky in shared.order_by("created_at", "id"):
            self.details[sticky.pk] = Details(
                sticky.anonymous,
                list(sticky.authors or []),
                sticky.owner,
                sticky.parked_from_id,
                sticky.merged_from_id,
                sticky.parallel,
            )
            if sticky.merged_into_id is not None:
                self.merged.append(sticky)
        self.live: set[UUID] = {step.event.id for step in workshop_map.steps}
        self.live |= {note.id for step in workshop_map.steps for note in _notes(step)}
        self.live |= {note.id for note in workshop_map.parked_events + workshop_map.parked_notes}
        self.parked_events = {note.id for note in workshop_map.parked_events}
        self.kept = self._merged_kept()

    def _merged_kept(self) -> set[UUID]:
        """The merged stickies whose chain of merges ends in a sticky on the board (a merge into
        a sticky since deleted goes with it)."""
        into = {sticky.pk: sticky.merged_into_id for sticky in self.merged}
        kept: set[UUID] = set()
        for pk in into:
            seen, at = {pk}, into[pk]
            while at in into and at not in seen:
                seen.add(at)
                at = into[at]
            if at in self.live:
                kept.add(pk)
        return kept

    def _common(self, pk: UUID, kind: str, text: str, by: str | None) -> dict[str, Any]:
        details = self.details[pk]
        found: dict[str, Any] = {
            "id": str(pk),
            "kind": kind,
            "text": text,
            "by": None if details.anonymous else by,
            "anonymous": details.anonymous,
            "authors": [self.names[a] for a in details.authors if a in self.names],
        }
        if kind == Kind.CHECK:
            found["owner"] = details.owner
        return found

    def _votes(self, note: Note, found: dict[str, Any]) -> dict[str, Any]:
        if note.kind.kind == Kind.PAIN and self.map.votes_shown:
            found["votes"] = note.votes
        return found

    def note(self, note: Note) -> dict[str, Any]:
        found = self._common(note.id, note.kind.kind.value, note.text, note.by)
        merged_from = self.details[note.id].merged_from
        found["merged_from"] = str(merged_from) if merged_from in self.kept else None
        return self._votes(note, found)

    def parked_event(self, note: Note) -> dict[str, Any]:
        found = self._common(note.id, note.kind.kind.value, note.text, note.by)
        found["parallel"] = self.details[note.id].parallel
        return found

    def parked_note(self, note: Note) -> dict[str, Any]:
        found = self._common(note.id, note.kind.kind.value, note.text, note.by)
        waits_for = self.details[note.id].parked_from
        found["event"] = str(waits_for) if waits_for in self.parked_events else None
        return self._votes(note, found)

    def step(self, step: Step) -> dict[str, Any]:
        event = step.event
        found = {"number": step.number, **self._common(event.id, "event", event.text, event.by)}
        found["parallel"] = step.parallel
        for lane in step.lanes:
            found[lane.kind.plural] = [self.note(note) for note in lane.notes]
        return found

    def merged_sticky(self, sticky: Sticky) -> dict[str, Any]:
        author = self.names.get(sticky.created_by_id) if sticky.created_by_id else None
        found = self._common(sticky.pk, sticky.kind, sticky.text, author)
        if sticky.kind == Kind.EVENT:
            found["parallel"] = sticky.parallel
        found["merged_into"] = str(sticky.merged_into_id)
        return found

    def actions(self) -> list[dict[str, Any]]:
        found = (
            Action.objects.filter(workshop=self.map.workshop, deleted_at__isnull=True)
            .select_related("owner_participant")
            .order_by("created_at", "id")
        )
        return [
            {
                "id": str(action.pk),
                "text": action.text,
                "owner": (
                    action.owner_participant.name
                    if action.owner_participant
                    else action.owner_name or None
                ),
                "owner_is_participant": action.owner_participant is not None,
                "due": action.due.isoformat() if action.due else None,
                "status": action.status,
                "source": str(action.source_id) if action.source_id in self.live else None,
            }
            for action in found
        ]


def _notes(step: Step) -> list[Note]:
    return [note for lane in step.lanes for note in lane.notes]


def _hot_spot(spot: HotSpot) -> dict[str, Any]:
    return {
        "step": spot.step.number,
        "text": spot.step.event.text,
        "pain_points": spot.pain_points,
        "questions": spot.questions,
        "votes": spot.votes,
        "share": round(spot.share, 4),
    }


def _involvement(involvement: Involvement) -> dict[str, Any]:
    return {"name": involvement.name, "steps": involvement.steps}


def map_json(workshop_map: Map) -> dict[str, Any]:
    workshop = workshop_map.workshop
    writer = _Writer(workshop_map)
    ids = {step.number: str(step.event.id) for step in workshop_map.steps}
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _time(workshop_map.exported_at),
        "workshop": {
            "title": workshop.title,
            "goal": workshop.goal,
            "first_event": workshop.first_event,
            "last_event": workshop.last_event,
            "phase": workshop.phase,
            "phase_label": workshop.get_phase_display(),
            "created_at": _time(workshop.created_at),
            "ended_at": _time(workshop.ended_at),
            "settings": {
                "private_brainstorm": workshop.private_brainstorm,
                "locked": workshop.locked,
                "votes_each": workshop.votes_each,
                "votes_per_sticky": workshop.votes_per_sticky,
                "votes_hidden": workshop.votes_hidden,
                "anonymous_pain": workshop.anonymous_pain,
                "sizes": workshop.sizes,
                "calendar_days": workshop.calendar_days,
                "timer_length": workshop.timer_length,
            },
        },
        "participants": [
            {"name": person.name, "role": "facilitator" if person.user_id else "participant"}
            for person in workshop_map.participants
        ],
        "steps": [writer.step(step) for step in workshop_map.steps],
        "parked": {
            "events": [writer.parked_event(note) for note in workshop_map.parked_events],
            "notes": [writer.parked_note(note) for note in workshop_map.parked_notes],
        },
        "merged": [writer.merged_sticky(s) for s in writer.merged if s.pk in writer.kept],
        "timings": [
            {
                "steps": timing.steps,
                "events": [ids[number] for number in timing.steps],
                "size": timing.size,
                "estimate": _estimate(timing.estimate),
                "work": _estimate(timing.work),
                "wait": _estimate(timing.wait),
            }
            for timing in workshop_map.timings
        ],
        "votes_shown": workshop_map.votes_shown,
        "actions": writer.actions(),
        "follow_up": {
            "at": _time(workshop.followup_at),
            "minutes": workshop.followup_minutes,
            "purposes": list(workshop.followup_purposes),
            "notes": workshop.followup_notes,
        },
        "analysis": {
            "steps": len(workshop_map.steps),
            "stickies": {KINDS[kind].plural: count for kind, count in workshop_map.counts.items()},
            "timings_recorded": workshop_map.timings_recorded,
            "pain_points_on_timeline": workshop_map.pain_on_timeline,
            "pain_hot_spots": [_hot_spot(spot) for spot in workshop_map.hot_spots],
            "people": [_involvement(person) for person in workshop_map.people],
            "systems": [_involvement(system) for system in workshop_map.systems],
        },
        "insight": workshop_map.insight.as_json(),
        "kinds": {kind: {"label": info.short, "lane": info.lane} for kind, info in KINDS.items()},
    }


def map_json_bytes(workshop_map: Map) -> bytes:
    return json.dumps(map_json(workshop_map), ensure_ascii=False, indent=2).encode()
