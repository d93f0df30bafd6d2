"""The kinds of entity a change can touch, and the complete, versioned state of each as screens
receive it: in patches, in catch-up and (the board's own) on the page.

A change records the keys of what it touched ("sticky:<id>", "board:<id>"); catch-up reads those
entities again by key, whatever their kind. Each state is complete, so a screen that gets it twice
or late keeps the one with the higher `version`.
"""

from collections.abc import Iterable
from typing import Any

from workshops.models import Participant, Sticky, Workshop
from workshops.rendering import sticky_html
from workshops.visibility import EntityState, sticky_audience

# The fields of each entity's state, declared once (docs/protocol.md lists the same).
STATE_FIELDS: dict[str, tuple[str, ...]] = {
    "sticky": (
        "entity", "id", "version", "kind", "text", "text_version", "parked", "event", "rank",
        "parallel", "private", "by", "deleted", "html",
    ),
    "board": (
        "entity", "id", "version", "title", "goal", "first_event", "last_event", "phase",
        "phase_label", "private_brainstorm", "locked", "timer", "follow", "ended",
    ),
    "participant": ("entity", "id", "version", "name", "ready_phase"),
}  # fmt: skip
TIMER_FIELDS = ("ends_at", "left", "length")
# What a viewer who may not see a sticky gets instead: that it is there, whose it is, no text.
REDACTED_FIELDS = ("entity", "id", "version", "private", "by", "deleted")


type Entity = Sticky | Workshop | Participant


def key(entity: Entity) -> str:
    if isinstance(entity, Workshop):
        return f"board:{entity.pk}"
    if isinstance(entity, Participant):
        return f"participant:{entity.pk}"
    return f"sticky:{entity.pk}"


def sticky_state(sticky: Sticky) -> EntityState:
    deleted = sticky.deleted_at is not None
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
        "by": sticky.created_by_id,
        "deleted": deleted,
        "html": None if deleted else sticky_html(sticky),
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
    }
    return EntityState(key(workshop), state)


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


def participant_state(participant: Participant) -> EntityState:
    state = {
        "entity": "participant",
        "id": participant.pk,
        "version": participant.version,
        "name": participant.name,
        "ready_phase": participant.ready_phase or None,
    }
    return EntityState(key(participant), state)


def state_of(entity: Entity) -> EntityState:
    if isinstance(entity, Workshop):
        return board_state(entity)
    if isinstance(entity, Participant):
        return participant_state(entity)
    return sticky_state(entity)


def states(entities: Iterable[Entity]) -> list[EntityState]:
    return [state_of(entity) for entity in entities]


def load(workshop: Workshop, keys: Iterable[str]) -> list[Entity]:
    """The entities named by these keys, as they are now (catch-up)."""
    wanted: dict[str, set[str]] = {}
    for entry in keys:
        kind, _, ident = entry.partition(":")
        wanted.setdefault(kind, set()).add(ident)
    found: list[Any] = []
    if "board" in wanted:
        found.append(Workshop.objects.get(pk=workshop.pk))
    if "participant" in wanted:
        found.extend(Participant.objects.filter(workshop=workshop, pk__in=wanted["participant"]))
    if "sticky" in wanted:
        found.extend(
            Sticky.objects.filter(workshop=workshop, pk__in=wanted["sticky"]).select_related(
                "created_by"
            )
        )
    return found
