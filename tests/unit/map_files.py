"""Boards with everything a map file holds, made through the services, files to import (valid,
and broken in one place), and documents compared apart from their ids and timestamps."""

import json
import random
from typing import Any

from tests.factories import make_participant
from workshops import services
from workshops.exports.json import SCHEMA, map_json
from workshops.exports.map import map_of
from workshops.kinds import LANE_KINDS, Kind
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import END, Place

TIMES = ("exported_at", "created_at", "ended_at")
REFERENCES = ("id", "merged_from", "event", "merged_into", "source")


def schema() -> dict[str, Any]:
    return dict(json.loads(SCHEMA.read_text()))


def exported(board: Workshop) -> dict[str, Any]:
    """The board's JSON as a file holds it (through json, as a download would)."""
    board.refresh_from_db()
    return dict(json.loads(json.dumps(map_json(map_of(board)))))


def comparable(document: dict[str, Any]) -> Any:
    """The document without its ids (each replaced by the order it first appears in) and the
    moments it was made, exported and ended (whether it ended stays)."""
    names: dict[str, str] = {}

    def rename(value: str) -> str:
        return names.setdefault(value, f"#{len(names)}")

    def walk(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items() if k not in TIMES[:2]} | {
                k: value[k] is not None for k in TIMES[2:] if k in value
            }
        if isinstance(value, list):
            if key == "events" and value and all(isinstance(v, str) for v in value):
                return [rename(v) for v in value]
            return [walk(v) for v in value]
        if key in REFERENCES and isinstance(value, str):
            return rename(value)
        return value

    return walk(document)


def full_board(board: Workshop, *, stickies: int = 300, seed: int = 7) -> Workshop:
    """A realistic finished board of about `stickies` stickies: steps with notes in every lane,
    parallel steps, checks with owners, a pain point without a name, a merge of events (which
    brings notes along) and of notes, notes parked with the event they wait for, timings
    (sizes, groups, estimates with work and wait), votes shown, actions, the follow-up,
    settings, a phase, and a person who wrote stickies and left."""
    rng = random.Random(seed)
    me = services.facilitator_participant(workshop=board, user=board.owner)
    people = [make_participant(board, name) for name in ("Alice", "Bob", "Chidi", "Dana")]
    leaver = make_participant(board, "Lee")
    services.board_update(
        workshop=board, by=me, op=None, anonymous_pain=True, votes_each=5, votes_per_sticky=2,
        sizes={"S": [0, 1], "M": [1, 5], "L": [5, 20], "XL": [20, 40]}, calendar_days=True,
    )  # fmt: skip

    def add(by: Participant, kind: str, text: str, place: Place, **extra: Any) -> Sticky:
        return services.sticky_add(
            workshop=board, by=by, op=None, kind=kind, text=text, place=place, after=END, **extra
        )

    steps = max(4, stickies // 5)
    events = [
        add(rng.choice(people), Kind.EVENT, f"Step {n} done <b>&amp;</b>", Place(parked=False))
        for n in range(steps)
    ]
    made = steps
    for n, event in enumerate(events):
        if n % 5 == 3:
            services.sticky_update(
                workshop=board, by=me, op=None, sticky_id=event.pk, parallel=True
            )
        for kind in LANE_KINDS:
            if made >= stickies - 20:
                break
            if rng.random() < 0.05:
                continue
            note = add(rng.choice([*people, leaver]), kind, f"{kind} {n} ✓", Place(False, event.pk))
            made += 1
            if kind == Kind.CHECK:
                services.sticky_update(
                    workshop=board, by=me, op=None, sticky_id=note.pk, owner="Change board"
                )
    add(people[0], Kind.PAIN, "Nobody says it aloud", Place(False, events[1].pk), anonymous=True)
    # Duplicates, merged: an event with notes into another, and two notes into one.
    twin = add(people[1], Kind.EVENT, "Step 2 done (again)", Place(parked=False))
    add(people[2], Kind.PERSON, "Ops on call", Place(False, twin.pk))
    add(people[3], Kind.SYSTEM, "Pager", Place(False, twin.pk))
    services.stickies_merge(
        workshop=board, by=me, op=None, sticky_id=events[2].pk, stickies=[twin.pk]
    )
    first = add(people[0], Kind.QUESTION, "Who signs off?", Place(False, events[3].pk))
    copies = [
        add(person, Kind.QUESTION, "who signs off", Place(parked=True)) for person in people[1:3]
    ]
    services.stickies_merge(
        workshop=board, by=me, op=None, sticky_id=first.pk, stickies=[c.pk for c in copies]
    )
    # Parked: an event that left the timeline with its notes waiting, and loose notes.
    leaving = add(people[1], Kind.EVENT, "Security review passed", Place(parked=False))
    add(people[2], Kind.CHECK, "Pen test", Place(False, leaving.pk))
    add(people[3], Kind.PAIN, "Takes weeks", Place(False, leaving.pk))
    services.sticky_move(workshop=board, by=me, op=None, sticky_id=leaving.pk, place=Place(True))
    add(leaver, Kind.QUESTION, "Is staging like production?", Place(parked=True))
    add(people[0], Kind.EVENT, "Feature flag removed", Place(parked=True))
    # Timings: single steps, a group, estimates with work and wait.
    for n in range(0, len(events) - 3, 4):
        services.timing_set(
            workshop=board, by=me, op=None, events=[events[n].pk], size=rng.choice("SML")
        )
        services.timing_set(
            workshop=board, by=me, op=None, events=[events[n + 1].pk, events[n + 2].pk],
            estimate="2.5-4 days", work="1.25 days", wait="0.5-3 days",
        )  # fmt: skip
    for n in range(6):
        services.action_add(
            workshop=board, by=me, op=None, text=f"Fix <script>step</script> {n}",
            owner="Platform team" if n % 2 else None,
            owner_participant=people[n % 4].pk if not n % 2 else None,
            due="2027-02-0" + str(n + 1) if n < 4 else None,
            status=("open", "doing", "done")[n % 3],
            source=events[n].pk if n < 3 else None,
        )  # fmt: skip
    services.followup_set(
        workshop=board, by=me, op=None, at="2027-01-14T10:00:00+01:00", minutes=90,
        purposes=["improve", "risks"], notes="Bring the <em>numbers</em>.",
    )  # fmt: skip
    # Votes on pain points, shown to everyone (so the file carries their totals).
    pains = [
        s
        for s in Sticky.objects.filter(workshop=board, kind=Kind.PAIN, deleted_at=None)
        if s.event_id and not s.parked and not s.anonymous
    ]
    for voter in people:
        for pain in rng.sample(pains, min(3, len(pains))):
            services.vote_add(workshop=board, by=voter, op=None, sticky_id=pain.pk)
    services.board_update(workshop=board, by=me, op=None, votes_hidden=False)
    services.participant_remove(workshop=board, by=board.owner, participant_id=leaver.pk)
    services.board_update(workshop=board, by=me, op=None, phase="actions", locked=True)
    services.timer_set(workshop=board, by=me, op=None, action="start", seconds=600)
    board.refresh_from_db()
    return board


# ----- files to import -----


def file_of(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def small_map() -> dict[str, Any]:
    """A valid file with ids: two steps with notes, a merged event, a parked note, a timing."""
    return {
        "format": "p2pboard-map",
        "version": 2,
        "workshop": {"title": "Payments"},
        "participants": [{"name": "Ann", "role": "facilitator"}],
        "steps": [
            {"id": "a", "text": "Built", "checks": [{"id": "a1", "text": "Tests passed"}]},
            {"id": "b", "text": "Reviewed", "pain_points": [{"id": "b1", "text": "Slow"}]},
            {"id": "c", "text": "Deployed", "people": [{"id": "c1", "text": "Ops"}]},
            {"id": "d", "text": "Released"},
        ],
        "parked": {"events": [{"id": "p", "text": "Flag removed"}],
                   "notes": [{"id": "n", "kind": "question", "text": "Who?", "event": "p"}]},
        "merged": [{"id": "m", "kind": "event", "text": "Deployed!", "merged_into": "c"}],
        "timings": [{"events": ["a", "b"], "size": "M"}],
        "actions": [{"text": "Ask ops", "source": "c1", "status": "open"}],
    }  # fmt: skip


def broken(change: Any) -> bytes:
    document = small_map()
    change(document)
    return file_of(document)


def _parent(document: Any, path: str) -> tuple[Any, Any]:
    """What holds the field at `path` ("steps.1.text"), and the field's key or index there."""
    *parents, last = path.split(".")
    for part in parents:
        document = document[int(part)] if part.isdigit() else document[part]
    return document, int(last) if last.isdigit() else last


def set_in(path: str, value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        parent, key = _parent(document, path)
        parent[key] = value

    return change


def removed(path: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        parent, key = _parent(document, path)
        del parent[key]

    return change


LONG = "x" * 612
