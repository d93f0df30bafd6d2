"""Reading the board: its live stickies, arranged as they are drawn, as a viewer may see them."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from workshops.kinds import KINDS, LANE_KINDS, Kind, KindInfo
from workshops.models import Sticky, Vote, Workshop
from workshops.visibility import Viewer, stickies_seen_by


def live(workshop: Workshop) -> Any:
    """Every sticky on the board that is not deleted or merged into another, private ones
    included."""
    return Sticky.objects.filter(
        workshop=workshop, deleted_at__isnull=True, merged_into__isnull=True
    ).select_related("created_by")


@dataclass
class Column:
    event: Sticky
    lanes: list[tuple[KindInfo, list[Sticky]]]


@dataclass
class Board:
    columns: list[Column]
    parked_events: list[Sticky]
    parked_notes: list[Sticky]
    count: int


def board_of(workshop: Workshop, viewer: Viewer | None = None) -> Board:
    """Every live sticky `viewer` may see, arranged as it is drawn (one query). Without a
    viewer: the shared map, with nobody's private stickies."""
    seen = live(workshop).filter(stickies_seen_by(viewer)).order_by("rank", "id")
    stickies = list(seen)
    timeline = [s for s in stickies if s.kind == Kind.EVENT and not s.parked]
    lanes: dict[tuple[UUID, str], list[Sticky]] = {}
    for sticky in stickies:
        if sticky.kind != Kind.EVENT and not sticky.parked and sticky.event_id:
            lanes.setdefault((sticky.event_id, sticky.kind), []).append(sticky)
    columns = [
        Column(event, [(KINDS[kind], lanes.get((event.pk, kind), [])) for kind in LANE_KINDS])
        for event in timeline
    ]
    return Board(
        columns=columns,
        parked_events=[s for s in stickies if s.kind == Kind.EVENT and s.parked],
        parked_notes=[s for s in stickies if s.kind != Kind.EVENT and s.parked],
        count=len(stickies),
    )


def has_private(workshop: Workshop) -> bool:
    return Sticky.objects.filter(workshop=workshop, private=True, deleted_at__isnull=True).exists()


def vote_totals(workshop: Workshop) -> dict[UUID, int]:
    """Votes per live sticky, the most first: the votes given on this board and those an
    imported map carried. A sticky merged into another, or deleted, keeps its votes waiting
    (for its split or restore) and shows none meanwhile."""
    totals: dict[UUID, int] = {}
    given = Vote.objects.filter(
        workshop=workshop, sticky__deleted_at__isnull=True, sticky__merged_into__isnull=True
    ).values_list("sticky_id", flat=True)
    for sticky in given:
        totals[sticky] = totals.get(sticky, 0) + 1
    carried = live(workshop).filter(carried_votes__gt=0).values_list("pk", "carried_votes")
    for sticky, count in carried:
        totals[sticky] = totals.get(sticky, 0) + count
    return dict(sorted(totals.items(), key=lambda item: -item[1]))
