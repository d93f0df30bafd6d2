"""The kinds of entity a change can touch, and the complete, versioned state of each as screens
receive it: in patches, in catch-up and (the board's own) on the page.

A change records the keys of what it touched ("sticky:<id>", "board:<id>"); catch-up reads those
entities again by key, whatever their kind. Each state is complete, so a screen that gets it twice
or late keeps the one with the higher `version`.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workshops.models import Action, Dismissal, Participant, Pick, Sticky, Timing, Vote, Workshop
from workshops.rendering import sticky_html
from workshops.selectors import vote_totals
from workshops.visibility import Audience, EntityState, Viewer, sticky_audience

# The fields of each entity's state, declared once (docs/protocol.md lists the same).
STATE_FIELDS: dict[str, tuple[str, ...]] = {
    "sticky": (
        "entity", "id", "version", "kind", "text", "text_version", "parked", "event", "rank",
        "parallel", "private", "by", "authors", "owner", "merged_into", "deleted", "html",
    ),
    "board": (
        "entity", "id", "version", "title", "goal", "first_event", "last_event", "phase",
        "phase_label", "private_brainstorm", "locked", "timer", "follow", "ended", "votes_each",
        "votes_per_sticky", "votes_hidden", "anonymous_pain", "sizes", "calendar_days",
        "followup",
    ),
    "participant": ("entity", "id", "version", "name", "ready_phase", "picked", "votes", "pick"),
    "tally": ("entity", "id", "version", "hidden", "totals"),
    "round": ("entity", "id", "version", "events", "status", "picked", "picks"),
    "timing": ("entity", "id", "version", "events", "size", "estimate", "work", "wait", "deleted"),
    "action": (
        "entity", "id", "version", "text", "owner", "owner_participant", "due", "status",
        "source", "by", "deleted",
    ),
    "dismissal": ("entity", "id", "version", "stickies"),
}  # fmt: skip
TIMER_FIELDS = ("ends_at", "left", "length")
FOLLOWUP_FIELDS = ("at", "minutes", "purposes", "notes")
# What a viewer who may not see a sticky gets instead: that it is there, whose it is, no text.
REDACTED_FIELDS = ("entity", "id", "version", "private", "by", "deleted")
# What the others see of a participant: not their votes, nor their pick before the reveal.
PARTICIPANT_PUBLIC_FIELDS = ("entity", "id", "version", "name", "ready_phase", "picked")
TALLY_HIDDEN_FIELDS = ("entity", "id", "version", "hidden")


@dataclass
class Tally:
    """The votes on a board's stickies, totalled (an entity of its own: "tally:<board>")."""

    workshop: Workshop

    @property
    def pk(self) -> int:
        return self.workshop.pk


@dataclass
class Ballot:
    """A participant's own votes, changed: their state goes to them alone ("ballot:<id>"), and
    nobody else gets so much as a new version of theirs, so that no patch says who voted."""

    participant: Participant

    @property
    def pk(self) -> int:
        return self.participant.pk


@dataclass
class Round:
    """The estimation round under way on a board ("round:<board>")."""

    workshop: Workshop

    @property
    def pk(self) -> int:
        return self.workshop.pk


type Entity = Sticky | Workshop | Participant | Ballot | Tally | Round | Timing | Action | Dismissal

_KINDS: dict[type, str] = {
    Sticky: "sticky", Workshop: "board", Participant: "participant", Ballot: "ballot",
    Tally: "tally", Round: "round", Timing: "timing", Action: "action", Dismissal: "dismissal",
}  # fmt: skip


def key(entity: Entity) -> str:
    return f"{_KINDS[type(entity)]}:{entity.pk}"


def sticky_state(sticky: Sticky) -> EntityState:
    deleted = sticky.deleted_at is not None
    off_board = deleted or sticky.merged_into_id is not None
    anonymous = sticky.anonymous
    state = {
        "entity": "sticky",
        "id": str(sticky.pk),
        "version": sticky.version,
        "kind": sticky.kind,
        "text": sticky.text,
        "text_version": sticky.text_version,
        "parked": sticky.parked,
        "event": str(sticky.event_id) if sticky.event_id else None,
        "rank": sticky.rank,
        "parallel": sticky.parallel,
        "private": sticky.private,
        "by": None if anonymous else sticky.created_by_id,
        "authors": [] if anonymous else (sticky.authors or _author_of(sticky)),
        "owner": sticky.owner or None,
        "merged_into": str(sticky.merged_into_id) if sticky.merged_into_id else None,
        "deleted": deleted,
        "html": None if off_board else sticky_html(sticky),
    }
    audience = sticky_audience(sticky)
    redacted = None
    if audience is not None:
        redacted = {name: state[name] for name in REDACTED_FIELDS}
    return EntityState(key(sticky), state, audience, redacted)


def board_state(workshop: Workshop) -> EntityState:
    state = {
        "entity": "board",
        "id": workshop.slug,
        "version": workshop.version,
        "title": workshop.title,
        "goal": workshop.goal,
        "first_event": workshop.first_event,
        "last_event": workshop.last_event,
        "phase": workshop.phase,
        "phase_label": workshop.get_phase_display(),
        "private_brainstorm": workshop.private_brainstorm,
        "locked": workshop.locked,
        "timer": timer_state(workshop),
        "follow": workshop.follow or None,
        "ended": workshop.ended_at is not None,
        "votes_each": workshop.votes_each,
        "votes_per_sticky": workshop.votes_per_sticky,
        "votes_hidden": workshop.votes_hidden,
        "anonymous_pain": workshop.anonymous_pain,
        "sizes": workshop.sizes,
        "calendar_days": workshop.calendar_days,
        "followup": followup_state(workshop),
    }
    return EntityState(key(workshop), state)


def _author_of(sticky: Sticky) -> list[int]:
    return [sticky.created_by_id] if sticky.created_by_id is not None else []


def followup_state(workshop: Workshop) -> dict[str, Any] | None:
    """The follow-up meeting: `at` (ISO 8601 with its offset), `minutes`, what the output is
    for; None until any of it is set."""
    length = Workshop._meta.get_field("followup_minutes").get_default()
    if not (
        workshop.followup_at
        or workshop.followup_purposes
        or workshop.followup_notes
        or workshop.followup_minutes != length
    ):
        return None
    at = workshop.followup_at
    return {
        "at": at.isoformat() if at else None,
        "minutes": workshop.followup_minutes,
        "purposes": workshop.followup_purposes,
        "notes": workshop.followup_notes,
    }


def timer_state(workshop: Workshop) -> dict[str, Any] | None:
    """The shared timebox: running until `ends_at` (milliseconds since the epoch, the server's
    clock), or paused with `left` seconds; None when there is none."""
    if workshop.timer_ends_at is None and workshop.timer_left is None:
        return None
    ends_at = workshop.timer_ends_at
    return {
        "ends_at": round(ends_at.timestamp() * 1000) if ends_at else None,
        "left": workshop.timer_left,
        "length": workshop.timer_length,
    }


def people_states(people: list[Participant], viewer: Viewer) -> list[dict[str, Any]]:
    """Everyone's participant state as `viewer` may see it, in three queries, not two per
    person (the page's people, at load)."""
    picks = dict(Pick.objects.filter(participant__in=people).values_list("participant_id", "size"))
    found = []
    for person in people:
        state = {
            "entity": "participant",
            "id": person.pk,
            "version": person.version,
            "name": person.name,
            "ready_phase": person.ready_phase or None,
            "picked": person.pk in picks,
        }
        if person.pk == viewer.participant:
            state |= {"votes": ballot(person), "pick": picks.get(person.pk)}
        found.append(state)
    return found


def participant_state(participant: Participant) -> EntityState:
    """A participant as everyone sees them; their votes and their pick in an estimation round
    are theirs alone (until the round's reveal, which shows every pick in the `round`)."""
    votes = ballot(participant)
    pick = Pick.objects.filter(participant=participant).values_list("size", flat=True).first()
    state = {
        "entity": "participant",
        "id": participant.pk,
        "version": participant.version,
        "name": participant.name,
        "ready_phase": participant.ready_phase or None,
        "picked": bool(pick),
        "votes": votes,
        "pick": pick or None,
    }
    public = {name: state[name] for name in PARTICIPANT_PUBLIC_FIELDS}
    return EntityState(key(participant), state, Audience(frozenset([participant.pk])), public)


def ballot_state(own: Ballot) -> EntityState:
    """A participant's state, votes and all, for them alone: the others get nothing."""
    state = participant_state(own.participant)
    return EntityState(key(own), state.state, state.audience, None)


def ballot(participant: Participant) -> dict[str, int]:
    """The votes this participant gave to stickies on the board, by sticky id (a vote on a
    sticky merged into another, or deleted, waits for its split or restore and uses none of
    the voter's votes meanwhile)."""
    given = Vote.objects.filter(
        participant=participant, sticky__deleted_at__isnull=True, sticky__merged_into__isnull=True
    ).values_list("sticky_id", flat=True)
    return {str(sticky): count for sticky, count in Counter(given).items()}


def tally_state(tally: Tally) -> EntityState:
    workshop = tally.workshop
    state = {
        "entity": "tally",
        "id": workshop.slug,
        "version": workshop.votes_version,
        "hidden": workshop.votes_hidden,
        "totals": {str(sticky): count for sticky, count in vote_totals(workshop).items()},
    }
    if not workshop.votes_hidden:
        return EntityState(key(tally), state)
    hidden = {name: state[name] for name in TALLY_HIDDEN_FIELDS}
    return EntityState(key(tally), state, Audience(facilitators=True), hidden)


def round_state(current: Round) -> EntityState:
    workshop = current.workshop
    picks = dict(Pick.objects.filter(workshop=workshop).values_list("participant_id", "size"))
    revealed = workshop.round_status == "revealed"
    state = {
        "entity": "round",
        "id": workshop.slug,
        "version": workshop.round_version,
        "events": workshop.round_events,
        "status": workshop.round_status or None,
        "picked": sorted(picks),
        "picks": {str(who): size for who, size in picks.items()} if revealed else {},
    }
    return EntityState(key(current), state)


def timing_state(timing: Timing) -> EntityState:
    state = {
        "entity": "timing",
        "id": str(timing.pk),
        "version": timing.version,
        "events": timing.events,
        "size": timing.size or None,
        "estimate": timing.estimate,
        "work": timing.work,
        "wait": timing.wait,
        "deleted": timing.deleted_at is not None,
    }
    return EntityState(key(timing), state)


def action_state(action: Action) -> EntityState:
    state = {
        "entity": "action",
        "id": str(action.pk),
        "version": action.version,
        "text": action.text,
        "owner": action.owner_name or None,
        "owner_participant": action.owner_participant_id,
        "due": action.due.isoformat() if action.due else None,
        "status": action.status,
        "source": str(action.source_id) if action.source_id else None,
        "by": action.created_by_id,
        "deleted": action.deleted_at is not None,
    }
    return EntityState(key(action), state)


def dismissal_state(dismissal: Dismissal) -> EntityState:
    state = {
        "entity": "dismissal",
        "id": str(dismissal.pk),
        "version": dismissal.version,
        "stickies": [str(dismissal.first), str(dismissal.second)],
    }
    return EntityState(key(dismissal), state)


_STATES: dict[type, Any] = {
    Sticky: sticky_state, Workshop: board_state, Participant: participant_state,
    Ballot: ballot_state, Tally: tally_state, Round: round_state, Timing: timing_state,
    Action: action_state, Dismissal: dismissal_state,
}  # fmt: skip


def state_of(entity: Entity) -> EntityState:
    state: EntityState = _STATES[type(entity)](entity)
    return state


def states(entities: Iterable[Entity]) -> list[EntityState]:
    return [state_of(entity) for entity in entities]


def work_of(workshop: Workshop) -> list[Entity]:
    """The phase work as it is now: the vote tally, the estimation round, the live timings and
    actions (what a page starts from, and what a snapshot carries besides the board)."""
    return [
        Tally(workshop),
        Round(workshop),
        *Timing.objects.filter(workshop=workshop, deleted_at__isnull=True),
        *Action.objects.filter(workshop=workshop, deleted_at__isnull=True),
    ]


def load(workshop: Workshop, keys: Iterable[str]) -> list[Entity]:
    """The entities named by these keys, as they are now (catch-up)."""
    wanted: dict[str, set[str]] = {}
    for entry in keys:
        kind, _, ident = entry.partition(":")
        wanted.setdefault(kind, set()).add(ident)
    found: list[Any] = []
    if wanted.keys() & {"board", "tally", "round"}:
        board = Workshop.objects.get(pk=workshop.pk)
        found.extend(
            [board] * ("board" in wanted)
            + [Tally(board)] * ("tally" in wanted)
            + [Round(board)] * ("round" in wanted)
        )
    for kind, model in (("timing", Timing), ("action", Action), ("dismissal", Dismissal)):
        if kind in wanted:
            found.extend(model.objects.filter(workshop=workshop, pk__in=wanted[kind]))
    if "participant" in wanted:
        found.extend(Participant.objects.filter(workshop=workshop, pk__in=wanted["participant"]))
    if "ballot" in wanted:
        voters = Participant.objects.filter(workshop=workshop, pk__in=wanted["ballot"])
        found.extend(Ballot(voter) for voter in voters)
    if "sticky" in wanted:
        found.extend(
            Sticky.objects.filter(workshop=workshop, pk__in=wanted["sticky"]).select_related(
                "created_by"
            )
        )
    return found
