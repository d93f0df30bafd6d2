"""The map as JSON, for tools: every step with what sits under it, what was parked, and the map
worked out. The format is documented in docs/export-format.md; `FORMAT` and `VERSION` name it,
and the version changes only when a reader would have to change."""

import json
from typing import Any

from django.utils import timezone

from workshops.exports.map import HotSpot, Involvement, Map, Note, Step
from workshops.kinds import KINDS

FORMAT = "p2pboard-map"
VERSION = 1


def _note(note: Note) -> dict[str, Any]:
    return {"id": str(note.id), "kind": note.kind.kind.value, "text": note.text, "by": note.by}


def _step(step: Step) -> dict[str, Any]:
    return {
        "number": step.number,
        "id": str(step.event.id),
        "text": step.event.text,
        "by": step.event.by,
        "parallel": step.parallel,
        **{lane.kind.plural: [_note(note) for note in lane.notes] for lane in step.lanes},
    }


def _hot_spot(spot: HotSpot) -> dict[str, Any]:
    return {
        "step": spot.step.number,
        "text": spot.step.event.text,
        "pain_points": spot.pain_points,
        "questions": spot.questions,
        "share": round(spot.share, 4),
    }


def _involvement(involvement: Involvement) -> dict[str, Any]:
    return {"name": involvement.name, "steps": involvement.steps}


def _time(moment: Any) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def map_json(workshop_map: Map) -> dict[str, Any]:
    workshop = workshop_map.workshop
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
        },
        "participants": [
            {"name": person.name, "facilitator": person.user_id is not None}
            for person in workshop_map.participants
        ],
        "steps": [_step(step) for step in workshop_map.steps],
        "parked": {
            "events": [_note(note) for note in workshop_map.parked_events],
            "notes": [_note(note) for note in workshop_map.parked_notes],
        },
        "analysis": {
            "steps": len(workshop_map.steps),
            "stickies": {KINDS[kind].plural: count for kind, count in workshop_map.counts.items()},
            "timings_recorded": workshop_map.timings_recorded,
            "lead_time": None,
            "bottleneck": None,
            "pain_points_on_timeline": workshop_map.pain_on_timeline,
            "pain_hot_spots": [_hot_spot(spot) for spot in workshop_map.hot_spots],
            "people": [_involvement(person) for person in workshop_map.people],
            "systems": [_involvement(system) for system in workshop_map.systems],
        },
        "kinds": {kind: {"label": info.short, "lane": info.lane} for kind, info in KINDS.items()},
    }


def map_json_bytes(workshop_map: Map) -> bytes:
    return json.dumps(map_json(workshop_map), ensure_ascii=False, indent=2).encode()
