"""The log: every change takes the next seq and says what it did; versions grow."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_sticky
from tests.unit.board_helpers import (
    PARKED,
    TIMELINE,
    fresh,
    last_change,
    seq_of,
    under,
)
from workshops import protocol, services
from workshops.kinds import Kind
from workshops.models import Operation, Participant, Workshop


def test_every_change_takes_the_next_seq_and_logs_what_it_did(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    seq = seq_of(board)
    assert seq == 1

    slow = services.sticky_add(
        workshop=board, by=alice, op="a", kind=Kind.PAIN, text="Slow", place=under(review)
    )
    operation = last_change(board, seq)
    assert (operation.action, operation.summary, operation.entities) == (
        "add", "added a pain point “Slow”", [f"sticky:{slow.pk}"],
    )  # fmt: skip
    assert (operation.participant, operation.client_op) == (alice, "a")

    services.sticky_update(workshop=board, by=alice, op="b", sticky_id=slow.pk, text="Very slow")
    operation = last_change(board, seq + 1)
    assert (operation.action, operation.summary, operation.entities) == (
        "update", "edited “Very slow”", [f"sticky:{slow.pk}"],
    )  # fmt: skip

    services.sticky_update(workshop=board, by=alice, op="c", sticky_id=slow.pk, kind=Kind.QUESTION)
    operation = last_change(board, seq + 2)
    assert operation.summary == "made “Very slow” a question"

    services.sticky_move(workshop=board, by=alice, op="d", sticky_id=slow.pk, place=PARKED)
    operation = last_change(board, seq + 3)
    assert (operation.action, operation.summary, operation.entities) == (
        "move", "moved “Very slow” to the parking area", [f"sticky:{slow.pk}"],
    )  # fmt: skip

    services.sticky_move(workshop=board, by=alice, op="e", sticky_id=slow.pk, place=under(review))
    assert last_change(board, seq + 4).summary == "moved “Very slow” under “Review”"

    services.sticky_move(workshop=board, by=alice, op="f", sticky_id=review.pk, place=TIMELINE)
    assert last_change(board, seq + 5).summary == "moved “Review” to the start of the timeline"

    services.sticky_delete(workshop=board, by=alice, op="g", sticky_id=slow.pk)
    operation = last_change(board, seq + 6)
    assert (operation.action, operation.summary, operation.entities) == (
        "delete", "deleted “Very slow”", [f"sticky:{slow.pk}"],
    )  # fmt: skip

    services.sticky_restore(workshop=board, by=alice, op="h", sticky_id=slow.pk)
    operation = last_change(board, seq + 7)
    assert (operation.action, operation.summary, operation.entities) == (
        "restore", "restored “Very slow”", [f"sticky:{slow.pk}"],
    )  # fmt: skip


def test_a_long_text_is_shortened_in_the_summary(board: Workshop, alice: Participant) -> None:
    text = "x" * 100
    make_sticky(board, alice, text=text)
    assert Operation.objects.get(workshop=board).summary == f"added an event “{'x' * 60}…”"


def test_the_version_grows_with_each_change(board: Workshop, alice: Participant) -> None:
    review = make_sticky(board, alice, text="Review")
    assert review.version == 1
    versions = [
        services.sticky_update(workshop=board, by=alice, op=None, sticky_id=review.pk, text="R2"),
        services.sticky_move(workshop=board, by=alice, op=None, sticky_id=review.pk, place=PARKED),
        services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=review.pk),
        services.sticky_restore(workshop=board, by=alice, op=None, sticky_id=review.pk),
    ]
    assert [sticky.version for sticky in versions] == [2, 3, 4, 5]
    assert fresh(review).version == 5


def test_a_change_is_broadcast_once_after_it_commits(
    board: Workshop,
    alice: Participant,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sent: list[tuple[int, dict[str, Any]]] = []

    def publish(workshop_id: int, message: dict[str, Any]) -> None:
        sent.append((workshop_id, message))

    monkeypatch.setattr(protocol, "publish", publish)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review = services.sticky_add(
            workshop=board, by=alice, op="x1", kind=Kind.EVENT, text="Review", place=TIMELINE
        )
    assert sent == []
    for callback in callbacks:
        callback()
    [(workshop_id, message)] = sent
    assert workshop_id == board.pk
    assert (message["type"], message["seq"], message["op"], message["by"]) == (
        "patch", 1, "x1", alice.pk,
    )  # fmt: skip
    assert [state["id"] for state in message["entities"]] == [str(review.pk)]


def test_a_refused_change_broadcasts_nothing(
    board: Workshop, alice: Participant, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
        services.sticky_add(
            workshop=board, by=alice, op=None, kind=Kind.EVENT, text=" ", place=TIMELINE
        )
    assert callbacks == []


def test_the_history_says_where_a_move_took_a_sticky(board: Workshop, alice: Participant) -> None:
    idea, review = make_sticky(board, alice, text="Idea"), make_sticky(board, alice, text="Review")
    seq = seq_of(board)
    services.sticky_move(
        workshop=board, by=alice, op=None, sticky_id=idea.pk, place=TIMELINE, after=review.pk
    )
    assert last_change(board, seq).summary == "moved “Idea” on the timeline after “Review”"
