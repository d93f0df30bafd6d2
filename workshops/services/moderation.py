"""Moderation: a facilitator takes back what one person did (for the mischievous or the
mistaken), as one change in the history that everyone sees at once."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from workshops.models import Operation, Participant, Sticky, Workshop
from workshops.selectors import live
from workshops.services.changes import change
from workshops.services.stickies import bring_back, park_notes_of


def participant_undo(
    *, workshop: Workshop, by: Participant | None, op: str | None, participant: int
) -> int:
    """Take back one person's changes: delete the stickies they added that are still on the
    board, and bring back those they deleted that are still deleted. Moves and edits they made
    stay (the history says what they were). Pain points they posted without a name stay too:
    taking them back would say whose they were. Returns how many stickies changed."""
    with change("undo_participant", workshop=workshop, by=by, op=op) as now:
        person = Participant.objects.filter(pk=participant, workshop=now.workshop).first()
        if person is None:
            raise ValidationError("That person is not in this workshop.")
        added = list(live(now.workshop).filter(created_by=person, private=False, anonymous=False))
        for sticky in added:
            if sticky.on_timeline:
                park_notes_of(now, sticky)
            sticky.deleted_at = timezone.now()
            now.touch(sticky)
        deleted_by_them = Operation.objects.filter(
            workshop=now.workshop, participant=person, action="delete"
        ).values_list("entities", flat=True)
        ids = {key.partition(":")[2] for keys in deleted_by_them for key in keys}
        back = Sticky.objects.filter(
            workshop=now.workshop, pk__in=ids, deleted_at__isnull=False, private=False
        ).exclude(created_by=person)
        restored = 0
        for sticky in back.select_related("created_by").order_by("rank", "id"):
            bring_back(now, sticky)
            restored += 1
        if not added and not restored:
            raise ValidationError(f"{person.name} has nothing on the board to take back.")
        now.say(
            f"took back what {person.name} did: removed {len(added)} "
            f"stick{'y' if len(added) == 1 else 'ies'} they added, brought back {restored} they "
            "deleted"
        )
        return len(added) + restored
