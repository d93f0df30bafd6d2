"""Deleting stickies and restoring them."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_sticky
from tests.unit.board_helpers import (
    PARKED,
    TIMELINE,
    fresh,
    lane,
    nothing_changes,
    parked_notes,
    timeline,
    under,
)
from workshops import services
from workshops.kinds import Kind
from workshops.limits import Limits
from workshops.models import Participant, Workshop
from workshops.selectors import board_of


def test_a_deleted_sticky_leaves_the_board_but_is_kept(board: Workshop, alice: Participant) -> None:
    review = make_sticky(board, alice, text="Review")
    deleted = services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=review.pk)
    assert deleted.deleted_at is not None
    assert timeline(board) == []
    assert board_of(board).count == 0
    assert fresh(review).deleted_at is not None


def test_a_restored_note_goes_back_where_it_was(board: Workshop, alice: Participant) -> None:
    review = make_sticky(board, alice, text="Review")
    make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=under(review))
    nitpicks = make_sticky(board, alice, kind=Kind.PAIN, text="Nitpicks", place=under(review))
    make_sticky(board, alice, kind=Kind.PAIN, text="Flaky", place=under(review))
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=nitpicks.pk)
    assert lane(board, review, Kind.PAIN) == ["Slow", "Flaky"]

    restored = services.sticky_restore(workshop=board, by=alice, op=None, sticky_id=nitpicks.pk)
    assert restored.deleted_at is None
    assert (restored.parked, restored.event_id, restored.rank) == (False, review.pk, nitpicks.rank)
    assert lane(board, review, Kind.PAIN) == ["Slow", "Nitpicks", "Flaky"]


def test_a_restored_event_goes_back_on_the_timeline_where_it_was(
    board: Workshop, alice: Participant
) -> None:
    make_sticky(board, alice, text="Idea")
    review = make_sticky(board, alice, text="Review")
    make_sticky(board, alice, text="Deploy")
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=review.pk)
    services.sticky_restore(workshop=board, by=alice, op=None, sticky_id=review.pk)
    assert timeline(board) == ["Idea", "Review", "Deploy"]


@pytest.mark.parametrize("event_goes", ["deleted", "parked"])
def test_a_restored_note_is_parked_when_its_event_left_the_timeline(
    board: Workshop, alice: Participant, event_goes: str
) -> None:
    review = make_sticky(board, alice, text="Review")
    slow = make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=under(review))
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=slow.pk)
    if event_goes == "deleted":
        services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=review.pk)
    else:
        services.sticky_move(workshop=board, by=alice, op=None, sticky_id=review.pk, place=PARKED)

    restored = services.sticky_restore(workshop=board, by=alice, op=None, sticky_id=slow.pk)
    assert (restored.parked, restored.event_id) == (True, None)
    assert parked_notes(board) == ["Slow"]


def test_a_restored_sticky_gets_a_fresh_rank_when_its_spot_was_taken(
    board: Workshop, alice: Participant
) -> None:
    idea = make_sticky(board, alice, text="Idea")
    deploy = make_sticky(board, alice, text="Deploy")
    review = make_sticky(board, alice, text="Review", after=idea.pk)
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=review.pk)
    # Put after the same sticky, the newcomer takes exactly the rank the deleted one had.
    newcomer = make_sticky(board, alice, text="Tested", after=idea.pk)
    assert newcomer.rank == review.rank

    restored = services.sticky_restore(workshop=board, by=alice, op=None, sticky_id=review.pk)
    assert newcomer.rank < restored.rank < deploy.rank
    assert timeline(board) == ["Idea", "Tested", "Review", "Deploy"]


def test_a_restored_sticky_at_the_end_gets_a_fresh_rank_when_its_spot_was_taken(
    board: Workshop, alice: Participant
) -> None:
    make_sticky(board, alice, text="Idea")
    deploy = make_sticky(board, alice, text="Deploy")
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=deploy.pk)
    released = make_sticky(board, alice, text="Released")
    assert released.rank == deploy.rank

    restored = services.sticky_restore(workshop=board, by=alice, op=None, sticky_id=deploy.pk)
    assert restored.rank > released.rank
    assert timeline(board) == ["Idea", "Released", "Deploy"]


def test_restoring_a_sticky_that_is_on_the_board_is_refused(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    with nothing_changes(board), pytest.raises(ValidationError, match="on the board already"):
        services.sticky_restore(workshop=board, by=alice, op=None, sticky_id=review.pk)


def test_restoring_cannot_fill_the_board_past_its_limit(
    board: Workshop, alice: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workshops.services.stickies.LIMITS", Limits(stickies_per_board=2))
    make_sticky(board, alice, text="Idea")
    review = make_sticky(board, alice, text="Review")
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=review.pk)
    make_sticky(board, alice, text="Deploy")
    with nothing_changes(board), pytest.raises(ValidationError, match="full"):
        services.sticky_restore(workshop=board, by=alice, op=None, sticky_id=review.pk)


def test_restoring_a_deleted_event_brings_back_the_notes_it_took_to_the_parking_area(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    for kind, text in [(Kind.PERSON, "Dev team"), (Kind.PAIN, "Slow"), (Kind.PAIN, "Nitpicks")]:
        make_sticky(board, alice, kind=kind, text=text, place=under(review))
    make_sticky(board, alice, kind=Kind.QUESTION, text="Parked before", place=PARKED)
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=review.pk)
    parked = parked_notes(board)
    assert parked[0] == "Parked before"
    assert sorted(parked[1:]) == ["Dev team", "Nitpicks", "Slow"]

    restored = services.sticky_restore(workshop=board, by=bob, op="r", sticky_id=review.pk)
    assert timeline(board) == ["Review"]
    assert lane(board, restored, Kind.PERSON) == ["Dev team"]
    assert lane(board, restored, Kind.PAIN) == ["Slow", "Nitpicks"]
    assert parked_notes(board) == ["Parked before"]
    restore = board.operations.get(client_op="r")
    assert len(restore.entities) == 4  # the event and its three notes, in one patch


def test_only_the_notes_still_waiting_untouched_in_the_parking_area_come_back(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    deploy = make_sticky(board, alice, text="Deploy")
    slow = make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=under(review))
    moved = make_sticky(board, alice, kind=Kind.PAIN, text="Moved", place=under(review))
    gone = make_sticky(board, alice, kind=Kind.PAIN, text="Gone", place=under(review))
    services.sticky_move(workshop=board, by=alice, op=None, sticky_id=review.pk, place=PARKED)
    services.sticky_move(workshop=board, by=alice, op=None, sticky_id=moved.pk, place=under(deploy))
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=gone.pk)
    services.sticky_update(workshop=board, by=alice, op=None, sticky_id=slow.pk, text="Slow!")

    services.sticky_move(workshop=board, by=alice, op=None, sticky_id=review.pk, place=TIMELINE)
    assert lane(board, review, Kind.PAIN) == ["Slow!"]
    assert lane(board, deploy, Kind.PAIN) == ["Moved"]
    assert parked_notes(board) == []
