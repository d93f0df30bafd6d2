"""One function per operation on workshops and the people in them.

Views and consumers call these and nothing else writes. Each validates, writes in one
transaction and, where screens must change, broadcasts after the commit.
"""

import unicodedata
from datetime import timedelta
from uuid import UUID

from django.contrib.auth.models import User as Account
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from workshops import protocol
from workshops.access import User, require_facilitator
from workshops.limits import LIMITS
from workshops.models import PARTICIPANT_COLOURS, Connection, Participant, Workshop

DEFAULT_FIRST_EVENT = "Somebody had an idea"
DEFAULT_LAST_EVENT = "A customer used the new feature"


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


# ----- workshops -----


@transaction.atomic
def workshop_create(
    *,
    owner: Account,
    title: str,
    goal: str = "",
    first_event: str = "",
    last_event: str = "",
) -> Workshop:
    return Workshop.objects.create(
        owner=owner,
        title=title.strip(),
        goal=goal.strip(),
        first_event=first_event.strip() or DEFAULT_FIRST_EVENT,
        last_event=last_event.strip() or DEFAULT_LAST_EVENT,
    )


@transaction.atomic
def workshop_end(*, workshop: Workshop, by: User) -> Workshop:
    require_facilitator(workshop=workshop, user=by)
    workshop.ended_at = timezone.now()
    workshop.save(update_fields=["ended_at"])
    return workshop


@transaction.atomic
def workshop_reopen(*, workshop: Workshop, by: User) -> Workshop:
    require_facilitator(workshop=workshop, user=by)
    workshop.ended_at = None
    workshop.save(update_fields=["ended_at"])
    return workshop


@transaction.atomic
def link_regenerate(*, workshop: Workshop, by: User, link: str) -> Workshop:
    """Give the participant or observer link a new token; the old one stops working at once.

    People who already joined stay; observers who came by the old link lose their view.
    """
    require_facilitator(workshop=workshop, user=by)
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if link == "participant":
        workshop.participant_token = Workshop._meta.get_field("participant_token").get_default()
        workshop.save(update_fields=["participant_token"])
    elif link == "observer":
        workshop.observer_token = Workshop._meta.get_field("observer_token").get_default()
        workshop.save(update_fields=["observer_token"])
        protocol.revoke_on_commit(
            workshop.pk,
            role="observer",
            message="The facilitator changed the observer link. Ask them for the new one.",
        )
    else:
        raise ValidationError(f"Unknown link {link!r}.")
    return workshop


# ----- people -----


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
    participant.connections.all().delete()
    protocol.revoke_on_commit(
        workshop.pk,
        participant_id=participant.pk,
        message="The facilitator removed you from this workshop.",
    )
    publish_presence_on_commit(workshop)
    return participant


@transaction.atomic
def co_facilitator_add(*, workshop: Workshop, by: User, username_or_email: str) -> Account:
    require_facilitator(workshop=workshop, user=by)
    wanted = username_or_email.strip()
    if not wanted:
        raise ValidationError("Enter the username or email address of their account.")
    user = Account.objects.filter(
        Q(username__iexact=wanted) | Q(email__iexact=wanted), is_active=True
    ).first()
    if user is None:
        raise ValidationError(
            f"No account is called {wanted!r}. They need to sign up before you can add them."
        )
    if user.pk == workshop.owner_id:
        raise ValidationError(f"{user.get_username()} already runs this workshop.")
    workshop.co_facilitators.add(user)
    return user


@transaction.atomic
def co_facilitator_remove(*, workshop: Workshop, by: User, user_id: int) -> None:
    require_facilitator(workshop=workshop, user=by)
    if user_id == workshop.owner_id:
        raise ValidationError("The workshop's owner cannot be removed.")
    workshop.co_facilitators.remove(user_id)
    revoked = Participant.objects.filter(workshop=workshop, user_id=user_id).first()
    if revoked is not None:
        revoked.connections.all().delete()
        protocol.revoke_on_commit(
            workshop.pk,
            participant_id=revoked.pk,
            message="You are no longer a facilitator of this workshop.",
        )
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
    return protocol.presence(workshop=workshop, html=html, count=len(people))


def publish_presence_on_commit(workshop: Workshop) -> None:
    transaction.on_commit(lambda: protocol.publish(workshop.pk, presence_message(workshop)))


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
