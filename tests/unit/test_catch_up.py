"""Catching up: the entities changed since a seq, or the whole board."""

import pytest

from tests.factories import make_sticky
from tests.unit.board_helpers import (
    seq_of,
    under,
)
from workshops import services
from workshops.kinds import Kind
from workshops.limits import Limits
from workshops.models import Participant, Workshop
from workshops.visibility import EVERYONE


def test_a_client_that_missed_nothing_gets_an_empty_catch_up(
    board: Workshop, alice: Participant
) -> None:
    make_sticky(board, alice, text="Review")
    assert services.catch_up(viewer=EVERYONE, workshop=board, since=1) == {
        "type": "catchup", "seq": 1, "entities": [],
    }  # fmt: skip


def test_a_client_catches_up_with_the_stickies_changed_since_it_last_heard(
    board: Workshop, alice: Participant
) -> None:
    make_sticky(board, alice, text="Unchanged")
    review = make_sticky(board, alice, text="Review")
    slow = make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=under(review))
    since = seq_of(board)
    deploy = make_sticky(board, alice, text="Deploy")
    services.sticky_update(workshop=board, by=alice, op=None, sticky_id=deploy.pk, text="Shipped")
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=review.pk)

    caught_up = services.catch_up(viewer=EVERYONE, workshop=board, since=since)

    assert (caught_up["type"], caught_up["seq"]) == ("catchup", since + 3)
    states = {state["id"]: state for state in caught_up["entities"]}
    assert set(states) == {str(deploy.pk), str(review.pk), str(slow.pk)}
    assert states[str(review.pk)]["deleted"] is True
    assert states[str(slow.pk)]["parked"] is True
    assert "Shipped" in states[str(deploy.pk)]["html"]
    assert states[str(deploy.pk)]["version"] == 2


def test_a_client_that_missed_too_much_gets_the_whole_board(
    board: Workshop, alice: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workshops.services.catchup.LIMITS", Limits(catch_up_operations=2))
    for text in ["Idea", "Review", "Deploy"]:
        make_sticky(board, alice, text=text)

    assert services.catch_up(viewer=EVERYONE, workshop=board, since=1)["type"] == "catchup"
    snapshot = services.catch_up(viewer=EVERYONE, workshop=board, since=0)
    assert (snapshot["type"], snapshot["seq"]) == ("snapshot", 3)
    assert 'data-seq="3"' in snapshot["html"]
    assert all(text in snapshot["html"] for text in ["Idea", "Review", "Deploy"])


def test_a_client_ahead_of_the_board_gets_the_whole_board(
    board: Workshop, alice: Participant
) -> None:
    make_sticky(board, alice, text="Review")
    snapshot = services.catch_up(viewer=EVERYONE, workshop=board, since=5)
    assert (snapshot["type"], snapshot["seq"]) == ("snapshot", 1)
    assert "Review" in snapshot["html"]
