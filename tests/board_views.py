"""What a screen should show of a board, read from the database: the truth that simulated
clients (tests/socket/simulated.py, tests/faults/client.py) are held to."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from workshops.models import Action, Participant, Sticky, Timing, Vote, Workshop
from workshops.visibility import Viewer, stickies_seen_by

StickyView = tuple[str, str, bool, str | None, str, int]  # kind, text, parked, event, rank, version
# The phase work a screen holds: timings (events, size, estimate), actions (text, owner, due,
# status), the vote totals it may see (None: hidden from it) and its own votes.
TimingView = tuple[tuple[str, ...], str | None, Any]
ActionView = tuple[str, str | None, int | None, str | None, str]


@dataclass
class WorkView:
    timings: dict[str, TimingView]
    actions: dict[str, ActionView]
    totals: dict[str, int] | None
    votes: dict[str, int]


def stickies_seen(workshop: Workshop | Any, participant: int | None) -> dict[str, StickyView]:
    """Every live sticky this participant sees in full (None: what everyone sees)."""
    seen = stickies_seen_by(Viewer(participant=participant))
    return {
        str(s.pk): (s.kind, s.text, s.parked, str(s.event_id) if s.event_id else None, s.rank,
                    s.version)
        for s in Sticky.objects.filter(
            seen, workshop=workshop, deleted_at__isnull=True, merged_into__isnull=True
        )
    }  # fmt: skip


def work_seen(workshop: Workshop | Any, participant: int | None) -> WorkView:
    """The phase work as this participant may see it (facilitators see hidden totals)."""
    board = Workshop.objects.get(pk=workshop.pk)
    person = Participant.objects.filter(pk=participant or 0).first()
    runs = person is not None and person.user_id is not None  # only facilitators have accounts
    live_votes = Vote.objects.filter(
        workshop=board, sticky__deleted_at__isnull=True, sticky__merged_into__isnull=True
    )
    totals = dict(Counter(str(v) for v in live_votes.values_list("sticky_id", flat=True)))
    mine = Counter(
        str(v)
        for v in live_votes.filter(participant=participant).values_list("sticky_id", flat=True)
    )
    return WorkView(
        timings={
            str(t.pk): (tuple(t.events), t.size or None, t.estimate)
            for t in Timing.objects.filter(workshop=board, deleted_at__isnull=True)
        },
        actions={
            str(a.pk): (
                a.text,
                a.owner_name or None,
                a.owner_participant_id,
                a.due.isoformat() if a.due else None,
                a.status,
            )
            for a in Action.objects.filter(workshop=board, deleted_at__isnull=True)
        },
        totals=totals if (runs or not board.votes_hidden) else None,
        votes=dict(mine),
    )
