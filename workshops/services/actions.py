"""Follow-up actions: what someone will do after the workshop, who (a participant of the
workshop, or a person or team named in words), by when, and how far it got. Actions are worked
on after the workshop, so facilitators and an action's owner may still change it once the
workshop has ended."""

import contextlib
import re
from datetime import date
from uuid import UUID, uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from workshops import text as typed
from workshops.limits import LIMITS
from workshops.models import Action, Participant, Workshop
from workshops.selectors import live
from workshops.services.changes import Change, Gone, change, is_facilitator
from workshops.visibility import sees_sticky

OWNER_LENGTH = LIMITS.display_name * 2


def _text(value: str) -> str:
    cleaned = typed.cleaned(value, lines=True)
    if typed.is_blank(cleaned):
        raise ValidationError("An action needs some text: what will be done.")
    if len(cleaned) > LIMITS.sticky_text:
        raise ValidationError(f"An action holds {LIMITS.sticky_text} characters at most.")
    return cleaned


DUE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # fromisoformat alone takes "20270131" too


def _due(value: str) -> date | None:
    said = value.strip()
    if not said:
        return None
    if DUE.fullmatch(said):
        with contextlib.suppress(ValueError):  # 2027-02-30
            return date.fromisoformat(said)
    raise ValidationError(f"The due date should be a date like 2027-01-31, not “{value[:20]}”.")


def _status(value: str) -> str:
    if value not in Action.Status.values:
        raise ValidationError(f"An action's status is one of {', '.join(Action.Status.values)}.")
    return value


def _set(
    now: Change,
    action: Action,
    *,
    text: str | None,
    owner: str | None,
    owner_participant: int | None,
    due: str | None,
    status: str | None,
) -> None:
    if owner is not None and owner_participant is not None:
        raise ValidationError("Give the owner as a participant or in words, not both.")
    if text is not None:
        action.text = _text(text)
    if owner is not None:
        action.owner_name = " ".join(typed.cleaned(owner).split())
        if len(action.owner_name) > OWNER_LENGTH:
            raise ValidationError(f"An owner's name holds {OWNER_LENGTH} characters at most.")
        action.owner_participant = None
    if owner_participant is not None:
        person = Participant.objects.filter(
            pk=owner_participant, workshop=now.workshop, removed_at__isnull=True
        ).first()
        if person is None:
            raise ValidationError("That person is not a participant of this workshop.")
        action.owner_participant, action.owner_name = person, ""
    if due is not None:
        action.due = _due(due)
    if status is not None:
        action.status = _status(status)


def _may_change(now: Change, action: Action | None = None) -> None:
    """On an ended workshop, facilitators and the action's owner may still change actions."""
    if now.workshop.ended_at is None:
        return
    if action is not None and action.owner_participant_id == now.by.pk:
        return
    if not is_facilitator(now.by, now.workshop.owner_id):
        raise PermissionDenied(
            "This workshop has ended: only its facilitators and an action's owner change actions."
        )


def _check_room(now: Change) -> None:
    live_actions = Action.objects.filter(workshop=now.workshop, deleted_at__isnull=True)
    if live_actions.count() >= (most := LIMITS.actions_per_board):
        raise ValidationError(f"A board holds {most} actions at most.")


def _action(now: Change, action_id: UUID, *, deleted: bool = False) -> Action:
    action = Action.objects.filter(workshop=now.workshop, pk=action_id).first()
    if action is None or (action.deleted_at is not None and not deleted):
        raise Gone("That action is not on this board.")
    return action


def action_add(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    text: str,
    owner: str | None = None,
    owner_participant: int | None = None,
    due: str | None = None,
    status: str | None = None,
    source: UUID | None = None,
    action_id: UUID | None = None,
) -> Action:
    """A new action, on its own or from a sticky (a question, a pain point, a gap)."""
    with change("action_add", workshop=workshop, by=by, op=op) as now:
        _may_change(now)
        _check_room(now)
        if action_id is not None and Action.objects.filter(pk=action_id).exists():
            raise ValidationError("That action id is taken: make a new one.")
        action = Action(
            id=action_id or uuid4(), workshop=now.workshop, created_by=now.by, version=0, text=""
        )
        if source is not None:
            sticky = live(now.workshop).filter(pk=source).first()
            if sticky is None or not sees_sticky(now.viewer, sticky) or sticky.private:
                raise Gone("The sticky the action comes from is not on the board.")
            action.source = sticky
        _set(
            now, action, text=text, owner=owner, owner_participant=owner_participant, due=due,
            status=status,
        )  # fmt: skip
        now.touch(action)
        now.say(f"added the action “{action.text[:60]}”")
        return action


def action_update(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    action_id: UUID,
    text: str | None = None,
    owner: str | None = None,
    owner_participant: int | None = None,
    due: str | None = None,
    status: str | None = None,
) -> Action:
    with change("action_update", workshop=workshop, by=by, op=op) as now:
        action = _action(now, action_id)
        _may_change(now, action)
        _set(
            now, action, text=text, owner=owner, owner_participant=owner_participant, due=due,
            status=status,
        )  # fmt: skip
        now.touch(action)
        now.say(f"changed the action “{action.text[:60]}”")
        return action


def action_delete(
    *, workshop: Workshop, by: Participant | None, op: str | None, action_id: UUID
) -> Action:
    with change("action_delete", workshop=workshop, by=by, op=op) as now:
        action = _action(now, action_id)
        _may_change(now, action)
        action.deleted_at = timezone.now()
        now.touch(action)
        now.say(f"deleted the action “{action.text[:60]}”")
        return action


def action_restore(
    *, workshop: Workshop, by: Participant | None, op: str | None, action_id: UUID
) -> Action:
    with change("action_restore", workshop=workshop, by=by, op=op) as now:
        action = _action(now, action_id, deleted=True)
        _may_change(now, action)
        if action.deleted_at is None:
            raise ValidationError("That action is on the board already.")
        _check_room(now)
        action.deleted_at = None
        now.touch(action)
        now.say(f"restored the action “{action.text[:60]}”")
        return action
