"""Test data, made through the same services the product uses."""

import itertools
import json
from uuid import UUID

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore

from workshops import commands, services
from workshops.access import remember_observer, remember_participant
from workshops.commands import Command
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import END, Place

_numbers = itertools.count(1)
PASSWORD = "a-long-test-passphrase-42"


def make_user(username: str | None = None, **extra: object) -> User:
    username = username or f"facilitator{next(_numbers)}"
    return User.objects.create_user(username=username, password=PASSWORD, **extra)  # type: ignore[arg-type]


def make_workshop(owner: User | None = None, title: str = "Release path") -> Workshop:
    return services.workshop_create(owner=owner or make_user(), title=title)


def make_participant(workshop: Workshop, name: str = "Alice") -> Participant:
    return services.participant_join(workshop=workshop, name=name)


def make_sticky(
    workshop: Workshop,
    by: Participant,
    kind: str = Kind.EVENT,
    text: str | None = None,
    place: Place | None = None,
    after: UUID | str | None = END,
) -> Sticky:
    """A sticky added as a participant would: events go on the timeline, other kinds are
    parked unless a place is given."""
    return services.sticky_add(
        workshop=workshop,
        by=by,
        op=None,
        kind=kind,
        text=text or f"Sticky {next(_numbers)}",
        place=place or Place(parked=kind != Kind.EVENT),
        after=after,
    )


def make_note(workshop: Workshop, by: Participant, kind: str, text: str, event: Sticky) -> Sticky:
    """A note of this kind in its lane under an event on the timeline."""
    return make_sticky(
        workshop, by, kind=kind, text=text, place=Place(parked=False, event=event.pk)
    )


def make_session(
    *,
    user: User | None = None,
    participant: Participant | None = None,
    observing: Workshop | None = None,
) -> str:
    """A stored session of a logged-in user, a participant or an observer: its key, for a cookie."""
    session = SessionStore()
    if user is not None:
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if participant is not None:
        remember_participant(session, participant)
    if observing is not None:
        remember_observer(session, observing)
    session.create()
    assert session.session_key
    return session.session_key


def command(name: str, op: str | None = None, **fields: object) -> Command:
    """A command as a browser would send it, read by the real parser (ids and places as JSON)."""

    def wire(value: object) -> object:
        if isinstance(value, Place):
            return {"parked": value.parked, "event": str(value.event) if value.event else None}
        return str(value) if isinstance(value, UUID) else value

    frame: dict[str, object] = {"type": name, **({"op": op} if op else {})}
    frame |= {key: wire(value) for key, value in fields.items()}
    return commands.parse(json.dumps(frame))
