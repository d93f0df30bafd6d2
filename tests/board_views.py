"""What a screen should show of a board, read from the database: the truth that simulated
clients (tests/socket/simulated.py, tests/faults/client.py) are held to."""

from typing import Any

from workshops.models import Sticky, Workshop
from workshops.visibility import Viewer, stickies_seen_by

StickyView = tuple[str, str, bool, str | None, str, int]  # kind, text, parked, event, rank, version


def stickies_seen(workshop: Workshop | Any, participant: int | None) -> dict[str, StickyView]:
    """Every live sticky this participant sees in full (None: what everyone sees)."""
    seen = stickies_seen_by(Viewer(participant=participant))
    return {
        str(s.pk): (s.kind, s.text, s.parked, str(s.event_id) if s.event_id else None, s.rank,
                    s.version)
        for s in Sticky.objects.filter(seen, workshop=workshop, deleted_at__isnull=True)
    }  # fmt: skip
