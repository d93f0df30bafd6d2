"""Fixtures shared by every kind of test."""

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.factories import make_participant, make_user, make_workshop
from workshops.models import Participant, Workshop

BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_TESTS in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Hashing passwords properly takes a third of a second each; tests need no such care."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def facilitator(db: None) -> User:
    return make_user("fran")


@pytest.fixture
def board(facilitator: User) -> Workshop:
    return make_workshop(owner=facilitator, title="Our release path")


@pytest.fixture
def other_board(db: None) -> Workshop:
    return make_workshop(owner=make_user("otto"), title="Someone else's path")


@pytest.fixture
def alice(board: Workshop) -> Participant:
    return make_participant(board, "Alice")
