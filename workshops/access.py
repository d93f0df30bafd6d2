"""Who may do what on a workshop: one answer for pages and websockets alike.

A visitor reaches a board in one of three roles: facilitator (the owner or a co-facilitator, by
account), participant (joined by the participant link; remembered by the session) or observer
(came by the observer link; sees, changes nothing). Anyone else is refused.
`services.people.access_of` works a visitor's access out (and makes a facilitator's place on the
board the first time); this module only reads.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as Account
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.crypto import constant_time_compare

from workshops.models import Participant, Workshop
from workshops.visibility import Viewer

SESSION_KEY = "p2pboard"

Session = Any  # a django SessionBase, in a request or in a websocket scope
User = Account | AnonymousUser


class Role(StrEnum):
    """Who someone is on a board, from the one who may do least to the one who may do most."""

    OBSERVER = "observer"
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"


@dataclass(frozen=True)
class Access:
    workshop: Workshop
    role: Role
    participant: Participant | None  # None for observers

    @property
    def is_facilitator(self) -> bool:
        return self.role is Role.FACILITATOR

    @property
    def can_edit(self) -> bool:
        return self.role is not Role.OBSERVER and self.workshop.is_active

    @property
    def viewer(self) -> Viewer:
        return Viewer(
            participant=self.participant.pk if self.participant else None,
            facilitator=self.is_facilitator,
        )


def workshop_by_slug(slug: str) -> Workshop:
    workshop = Workshop.objects.select_related("owner").filter(slug=slug).first()
    if workshop is None:
        raise Http404("There is no workshop at this address.")
    return workshop


def is_facilitator(user: User, workshop: Workshop) -> bool:
    if not user.is_authenticated:
        return False
    return workshop.owner_id == user.pk or workshop.co_facilitators.filter(pk=user.pk).exists()


def _remembered(session: Session) -> dict[str, dict[str, Any]]:
    remembered = session.get(SESSION_KEY) or {}
    remembered.setdefault("participants", {})
    remembered.setdefault("observing", {})
    return remembered


def remember_participant(session: Session, participant: Participant) -> None:
    remembered = _remembered(session)
    remembered["participants"][str(participant.workshop_id)] = participant.pk
    session[SESSION_KEY] = remembered


def remember_observer(session: Session, workshop: Workshop) -> None:
    remembered = _remembered(session)
    remembered["observing"][str(workshop.pk)] = workshop.observer_token
    session[SESSION_KEY] = remembered


def remembered_observer(session: Session, workshop: Workshop) -> bool:
    token = _remembered(session)["observing"].get(str(workshop.pk))
    return isinstance(token, str) and constant_time_compare(token, workshop.observer_token)


def remembered_participant(session: Session, workshop: Workshop) -> Participant | None:
    participant_id = _remembered(session)["participants"].get(str(workshop.pk))
    if participant_id is None:
        return None
    return Participant.objects.filter(pk=participant_id, workshop=workshop).first()


def require_not_removed(participant: Participant) -> None:
    if participant.removed_at is not None:
        raise PermissionDenied("The facilitator removed you from this workshop.")


def require_facilitator(*, workshop: Workshop, user: User) -> None:
    if not is_facilitator(user, workshop):
        raise PermissionDenied("Only the facilitators of this workshop can do that.")
