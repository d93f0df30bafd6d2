"""Fixtures shared by every kind of test."""

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from tests.factories import make_note, make_participant, make_sticky, make_user, make_workshop
from workshops import services
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import Place

BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_TESTS in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Counters kept in the cache (joins per address) start afresh in each test."""
    cache.clear()


@pytest.fixture(autouse=True)
def _own_redis_channels(settings: Any, worker_id: str) -> None:
    """Test processes (pytest-xdist's workers) run side by side on one Redis, each with a
    database of its own whose boards have the same ids: each hears only its own boards. A run
    in one process (the browser tests, whose app servers it starts) keeps the default."""
    if worker_id != "master":
        settings.REDIS_PREFIX = f"p2pboard-test-{worker_id}"


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


@pytest.fixture
def bob(board: Workshop) -> Participant:
    return make_participant(board, "Bob")


@pytest.fixture
def otto(other_board: Workshop) -> Participant:
    return make_participant(other_board, "Otto")


@pytest.fixture
def mapped(board: Workshop, alice: Participant) -> dict[str, Sticky]:
    """A small real map: three steps (the third in parallel with the second), notes under
    them, two pain points on the second step and one on the third, and some parked."""
    idea = make_sticky(board, alice, text="Story picked up")
    review = make_sticky(board, alice, text="Code reviewed")
    deploy = make_sticky(board, alice, text="Deployed to staging")
    services.sticky_update(workshop=board, by=alice, op=None, sticky_id=deploy.pk, parallel=True)
    bob = make_participant(board, "Bob")
    for text in ("Reviewers are busy", "Nobody owns the queue"):
        make_note(board, bob, Kind.PAIN, text, review)
    make_note(board, alice, Kind.PAIN, "Staging is shared", deploy)
    make_note(board, alice, Kind.QUESTION, "Who approves?", deploy)
    make_note(board, alice, Kind.PERSON, "Dev team", idea)
    make_note(board, alice, Kind.PERSON, "  dev   TEAM ", review)
    make_note(board, alice, Kind.PERSON, "Ops", deploy)
    make_note(board, alice, Kind.SYSTEM, "GitHub", review)
    make_note(board, alice, Kind.CHECK, "Two approvals", review)
    make_sticky(board, alice, kind=Kind.PAIN, text="Flaky tests", place=Place(parked=True))
    make_sticky(board, alice, text="Released", place=Place(parked=True))
    return {"idea": idea, "review": review, "deploy": deploy}
