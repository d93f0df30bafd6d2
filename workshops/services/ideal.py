"""An ideal path: a new workshop that starts as a copy of a current path's map, to redraw the
path as the team wants it, then compare the two (`workshops.compare`)."""

import json
from uuid import UUID

from django.contrib.auth.models import User as Account
from django.db import transaction

from workshops import access
from workshops.exports.json import map_json
from workshops.exports.map import map_of
from workshops.limits import LIMITS
from workshops.models import Sticky, Workshop
from workshops.services.agenda import board_update
from workshops.services.imports import workshop_import

PREFIX = "Ideal path: "


def ideal_start(*, workshop: Workshop, user: Account) -> Workshop:
    """A new workshop, owned by `user` (a facilitator of `workshop`), holding the map as everyone
    sees it now, made through the import (so its history shows each step), each sticky knowing
    the one it was copied from. It is open even when the current one has ended."""
    access.require_facilitator(workshop=workshop, user=user)
    document = map_json(map_of(workshop))
    document["workshop"]["ended_at"] = None  # the copy is for redrawing: it starts open
    document["votes_shown"] = False  # and the group votes on it afresh
    with transaction.atomic():
        made = workshop_import(owner=user, raw=json.dumps(document).encode())
        ideal = made.workshop
        title = (PREFIX + workshop.title.removeprefix(PREFIX))[: LIMITS.workshop_title]
        board_update(workshop=ideal, by=made.facilitator, op=None, title=title)
        copies = [Sticky(pk=new, origin=UUID(old)) for old, new in made.ids.items()]
        Sticky.objects.bulk_update(copies, ["origin"], batch_size=500)
        Workshop.objects.filter(pk=ideal.pk).update(ideal_of=workshop)
        ideal.refresh_from_db()
    return ideal
