"""People on a board: guests joining by name, facilitators' own presence, renaming, removing,
and who is connected right now."""

import unicodedata
from datetime import timedelta
from uuid import UUID

from django.contrib.auth.models import User as Account
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from workshops import protocol
from workshops.access import (
    Access,
    Role,
    Session,
    User,
    is_facilitator,
    remembered_observer,
    remembered_participant,
    require_facilitator,
    require_not_removed,
)
from workshops.limits import LIMITS
from workshops.models import PARTICIPANT_COLOURS, Connection, Participant, Workshop


def clean_name(raw: str) -> str:
    """A display name as people will see it: printable, single-spaced, within the limit."""
    text = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C")
    name = " ".join(text.split())
    if not name:
        raise ValidationError("Please enter a name.")
    if len(name) > LIMITS.display_name:
        raise ValidationError(f"Names can be {LIMITS.display_name} characters long at most.")
    return name


def _next_colour(workshop: Workshop) -> str:
    taken = workshop.participants.count()
    return PARTICIPANT_COLOURS[taken % len(PARTICIPANT_COLOURS)]


def access_of(*, workshop: Workshop, user: User, session: Session) -> Access:
    """The visitor's access to the workshop, or PermissionDenied with a message for them. A
    facilitator's place on the board is made the first time they come."""
    if isinstance(user, Account) and is_facilitator(user, workshop):
        me = facilitator_participant(workshop=workshop, user=user)
        return Access(workshop, Role.FACILITATOR, me)
    if (participant := remembered_participant(session, workshop)) is not None:
        require_not_removed(participant)
        return Access(workshop, Role.PARTICIPANT, participant)
    if remembered_observer(session, workshop):
        return Access(workshop, Role.OBSERVER, None)
    raise PermissionDenied(
        "This board is open to the people of its workshop only. "
        "Ask the facilitator for the link to join."
    )


def facilitator_participant(*, workshop: Workshop, user: Account) -> Participant:
    """The facilitator's own presence on the board, made the first time they open it."""
    participant = Participant.objects.filter(workshop=workshop, user=user).first()
    if participant is not None:
        return participant
    with transaction.atomic():
        name = clean_name(user.get_username())
        participant, _ = Participant.objects.get_or_create(
            workshop=workshop, user=user, defaults={"name": name, "colour": _next_colour(workshop)}
        )
    return participant


@transaction.atomic
def participant_join(*, workshop: Workshop, name: str) -> Participant:
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if workshop.participants.count() >= LIMITS.participants_per_board:
        raise ValidationError(
            f"This workshop is full: it has {LIMITS.participants_per_board} participants."
        )
    return Participant.objects.create(
        workshop=workshop, name=clean_name(name), colour=_next_colour(workshop)
    )


def _participant_of(workshop: Workshop, participant_id: int) -> Participant:
    participant = Participant.objects.filter(pk=participant_id, workshop=workshop).first()
    if participant is None:
        raise PermissionDenied("That person is not in this workshop.")
    return participant


@transaction.atomic
def participant_rename(
    *, workshop: Workshop, by: User, participant_id: int, name: str
) -> Participant:
    require_facilitator(workshop=workshop, user=by)
    participant = _participant_of(workshop, participant_id)
    participant.name = clean_name(name)
    participant.save(update_fields=["name"])
    publish_presence_on_commit(workshop)
    return participant


@transaction.atomic
def participant_remove(*, workshop: Workshop, by: User, participant_id: int) -> Participant:
    require_facilitator(workshop=workshop, user=by)
    participant = _participant_of(workshop, participant_id)
    if participant.user_id is not None:
        raise ValidationError("Facilitators are removed from the list of co-facilitators.")
    participant.removed_at = timezone.now()
    participant.save(update_fields=["removed_at"])
    send_away(workshop, participant, "The facilitator removed you from this workshop.")
    return participant


def send_away(workshop: Workshop, participant: Participant, message: str) -> None:
    """Close the participant's sockets on this board (after the commit, with `message`) and
    take them out of "Here now"."""
    participant.connections.all().delete()
    protocol.revoke_on_commit(workshop.pk, participant_id=participant.pk, text=message)
    publish_presence_on_commit(workshop)


# ----- presence -----


def present(workshop: Workshop) -> tuple[list[Participant], int]:
    """The people with a live connection to the board, and how many observers are watching."""
    fresh = Connection.objects.filter(
        workshop=workshop,
        seen_at__gte=timezone.now() - timedelta(seconds=LIMITS.presence_timeout_seconds),
    )
    people = list(
        Participant.objects.filter(
            pk__in=fresh.filter(participant__isnull=False).values("participant"),
            removed_at__isnull=True,
        )
    )
    observers = fresh.filter(participant__isnull=True).count()
    return people, observers


def presence_message(workshop: Workshop) -> dict[str, object]:
    people, observers = present(workshop)
    html = render_to_string(
        "workshops/board.html#presence",
        {"workshop": workshop, "present_people": people, "observers": observers},
    )
    return protocol.message("presence", seq=workshop.seq, html=html, count=len(people))


def publish_presence_on_commit(workshop: Workshop) -> None:
    protocol.publish_on_commit(lambda: protocol.publish(workshop.pk, presence_message(workshop)))


@transaction.atomic
def presence_connect(
    *, workshop: Workshop, participant: Participant | None, channel_name: str
) -> Connection:
    stale = timezone.now() - timedelta(seconds=LIMITS.presence_timeout_seconds)
    Connection.objects.filter(workshop=workshop, seen_at__lt=stale).delete()
    connection = Connection.objects.create(
        workshop=workshop, participant=participant, channel_name=channel_name
    )
    publish_presence_on_commit(workshop)
    return connection


def presence_seen(*, workshop: Workshop, connection_id: UUID) -> int | None:
    """Refresh a connection and return the board's sequence number; None when the connection
    is gone (swept as stale after a long sleep, for example)."""
    if Connection.objects.filter(pk=connection_id).update(seen_at=timezone.now()) == 0:
        return None
    return Workshop.objects.values_list("seq", flat=True).get(pk=workshop.pk)


@transaction.atomic
def presence_disconnect(*, workshop: Workshop, connection_id: UUID) -> None:
    Connection.objects.filter(pk=connection_id).delete()
    publish_presence_on_commit(workshop)


@transaction.atomic
def account_sockets_close(*, user: Account) -> None:
    """Close an account's sockets on every board it has a place on, after the commit (it logged
    out: no page of it keeps a live board), and take it out of "Here now" where it was."""
    text = "You logged out, so this board closed. Log in again to come back."
    for place in Participant.objects.filter(user=user).select_related("workshop"):
        connected = place.connections.all().delete()[0]
        protocol.revoke_on_commit(place.workshop_id, participant_id=place.pk, text=text)
        if connected:
            publish_presence_on_commit(place.workshop)
