"""Workshops: creating them, their links and their facilitators."""

from django.contrib.auth.models import User as Account
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from workshops import protocol
from workshops import text as typed
from workshops.access import User, require_facilitator
from workshops.limits import LIMITS
from workshops.models import Participant, Workshop
from workshops.services.agenda import DEFAULT_FIRST_EVENT, DEFAULT_LAST_EVENT
from workshops.services.people import send_away


@transaction.atomic
def workshop_create(
    *,
    owner: Account,
    title: str,
    goal: str = "",
    first_event: str = "",
    last_event: str = "",
) -> Workshop:
    first, last = typed.cleaned(first_event), typed.cleaned(last_event)
    return Workshop.objects.create(
        owner=owner,
        title=typed.required(title, what="title", limit=LIMITS.workshop_title),
        goal=typed.cleaned(goal, lines=True),
        first_event=first if not typed.is_blank(first) else DEFAULT_FIRST_EVENT,
        last_event=last if not typed.is_blank(last) else DEFAULT_LAST_EVENT,
    )


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
            text="The facilitator changed the observer link. Ask them for the new one.",
        )
    else:
        raise ValidationError(f"Unknown link {link!r}.")
    return workshop


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
        send_away(workshop, revoked, "You are no longer a facilitator of this workshop.")


@transaction.atomic
def workshop_delete(*, workshop: Workshop, by: User) -> None:
    """Delete a workshop for good: its board, its people, its history and its links. Only its
    owner may; everyone on the board is told and sent away."""
    if not isinstance(by, Account) or by.pk != workshop.owner_id:
        raise PermissionDenied("Only the owner of this workshop can delete it.")
    protocol.revoke_on_commit(
        workshop.pk, text="The facilitator deleted this workshop.", everyone=True
    )
    Workshop.objects.filter(pk=workshop.pk).delete()
