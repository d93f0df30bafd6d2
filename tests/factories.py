"""Test data, made through the same services the product uses."""

import itertools

from django.contrib.auth.models import User

from workshops import services
from workshops.models import Participant, Workshop

_numbers = itertools.count(1)
PASSWORD = "a-long-test-passphrase-42"


def make_user(username: str | None = None, **extra: object) -> User:
    username = username or f"facilitator{next(_numbers)}"
    return User.objects.create_user(username=username, password=PASSWORD, **extra)  # type: ignore[arg-type]


def make_workshop(owner: User | None = None, title: str = "Release path") -> Workshop:
    return services.workshop_create(owner=owner or make_user(), title=title)


def make_participant(workshop: Workshop, name: str = "Alice") -> Participant:
    return services.participant_join(workshop=workshop, name=name)
