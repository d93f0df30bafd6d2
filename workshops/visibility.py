"""What each viewer may see of the board, decided in one place.

Most of a board is seen by everyone on it. A sticky written during a silent brainstorm is seen by
its author alone until the facilitator reveals it; everyone else learns only that it exists and
whose it is (so a count per person can be shown), never its text. The fan-out, the page, catch-up,
snapshots and the exports ask this module; the history never quotes a private sticky
(`services.stickies.named`).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from workshops.models import Sticky


@dataclass(frozen=True)
class Viewer:
    """Someone looking at a board: a participant (facilitators are participants too), or an
    observer (no participant)."""

    participant: int | None
    facilitator: bool = False


EVERYONE = Viewer(participant=None)  # what a viewer with no private entity of their own sees


@dataclass(frozen=True)
class Audience:
    """The viewers who see an entity in full; everyone else sees its redacted form."""

    participants: frozenset[int] = frozenset()
    facilitators: bool = False

    def admits(self, viewer: Viewer) -> bool:
        if viewer.participant is not None and viewer.participant in self.participants:
            return True
        return self.facilitators and viewer.facilitator

    def as_json(self) -> dict[str, Any]:
        return {"participants": sorted(self.participants), "facilitators": self.facilitators}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "Audience":
        return cls(frozenset(value["participants"]), bool(value["facilitators"]))


@dataclass(frozen=True)
class EntityState:
    """An entity's complete state as a screen needs it, and who may see it.

    `audience` None: everyone on the board. Otherwise the viewers it admits get `state` and the
    others get `redacted` (None: nothing at all)."""

    key: str
    state: dict[str, Any]
    audience: Audience | None = None
    redacted: dict[str, Any] | None = None


def view(viewer: Viewer, entity: EntityState) -> dict[str, Any] | None:
    """The one answer to "what may this viewer see of this entity?"."""
    if entity.audience is None or entity.audience.admits(viewer):
        return entity.state
    return entity.redacted


def views(viewer: Viewer, entities: list[EntityState]) -> list[dict[str, Any]]:
    seen = (view(viewer, entity) for entity in entities)
    return [state for state in seen if state is not None]


def sticky_audience(sticky: "Sticky") -> Audience | None:
    if not sticky.private:
        return None
    author = sticky.created_by_id
    return Audience(participants=frozenset([author] if author is not None else []))


def sees_sticky(viewer: Viewer, sticky: "Sticky") -> bool:
    audience = sticky_audience(sticky)
    return audience is None or audience.admits(viewer)


def stickies_seen_by(viewer: Viewer | None) -> Q:
    """A filter on stickies for what `viewer` sees in full (None: the shared map, as exported)."""
    if viewer is None or viewer.participant is None:
        return Q(private=False)
    return Q(private=False) | Q(created_by_id=viewer.participant)
