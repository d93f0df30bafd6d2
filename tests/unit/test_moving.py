"""Moving stickies, and an event leaving the timeline taking its lanes to the parking area."""

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_sticky
from tests.unit.board_helpers import (
    PARKED,
    TIMELINE,
    fresh,
    lane,
    last_change,
    nothing_changes,
    parked_events,
    parked_notes,
    seq_of,
    timeline,
    under,
)
from workshops import services
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import END
from workshops.services.stickies import LONGEST_RANK


def test_an_event_moves_along_the_timeline(board: Workshop, alice: Participant) -> None:
    idea = make_sticky(board, alice, text="Idea")
    review = make_sticky(board, alice, text="Review")
    deploy = make_sticky(board, alice, text="Deploy")

    services.sticky_move(workshop=board, by=alice, op=None, sticky_id=deploy.pk, place=TIMELINE)
    assert timeline(board) == ["Idea", "Review", "Deploy"]
    services.sticky_move(
        workshop=board, by=alice, op=None, sticky_id=deploy.pk, place=TIMELINE, after=None
    )
    assert timeline(board) == ["Deploy", "Idea", "Review"]
    services.sticky_move(
        workshop=board, by=alice, op=None, sticky_id=deploy.pk, place=TIMELINE, after=idea.pk
    )
    assert timeline(board) == ["Idea", "Deploy", "Review"]
    services.sticky_move(
        workshop=board, by=alice, op=None, sticky_id=idea.pk, place=TIMELINE, after=review.pk
    )
    assert timeline(board) == ["Deploy", "Review", "Idea"]
    services.sticky_move(
        workshop=board, by=alice, op=None, sticky_id=review.pk, place=TIMELINE, after=END
    )
    assert timeline(board) == ["Deploy", "Idea", "Review"]


def test_a_note_moves_to_the_lane_under_another_event(board: Workshop, alice: Participant) -> None:
    review = make_sticky(board, alice, text="Review")
    deploy = make_sticky(board, alice, text="Deploy")
    first = make_sticky(board, alice, kind=Kind.PAIN, text="Manual steps", place=under(deploy))
    make_sticky(board, alice, kind=Kind.PAIN, text="Downtime", place=under(deploy))
    slow = make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=under(review))

    moved = services.sticky_move(
        workshop=board, by=alice, op=None, sticky_id=slow.pk, place=under(deploy), after=first.pk
    )
    assert (moved.parked, moved.event_id) == (False, deploy.pk)
    assert lane(board, review, Kind.PAIN) == []
    assert lane(board, deploy, Kind.PAIN) == ["Manual steps", "Slow", "Downtime"]


def test_a_note_is_placed_from_the_parking_area_and_parked_again(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    who = make_sticky(board, alice, kind=Kind.QUESTION, text="Who approves?")
    make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=PARKED)

    services.sticky_move(workshop=board, by=alice, op=None, sticky_id=who.pk, place=under(review))
    assert lane(board, review, Kind.QUESTION) == ["Who approves?"]
    assert parked_notes(board) == ["Slow"]

    parked = services.sticky_move(
        workshop=board, by=alice, op=None, sticky_id=who.pk, place=PARKED, after=None
    )
    assert (parked.parked, parked.event_id) == (True, None)
    assert lane(board, review, Kind.QUESTION) == []
    assert parked_notes(board) == ["Who approves?", "Slow"]


def test_an_event_is_parked_and_placed_back_on_the_timeline(
    board: Workshop, alice: Participant
) -> None:
    idea = make_sticky(board, alice, text="Idea")
    review = make_sticky(board, alice, text="Review")
    make_sticky(board, alice, text="Deploy")

    services.sticky_move(workshop=board, by=alice, op=None, sticky_id=review.pk, place=PARKED)
    assert timeline(board) == ["Idea", "Deploy"]
    assert parked_events(board) == ["Review"]

    services.sticky_move(
        workshop=board, by=alice, op=None, sticky_id=review.pk, place=TIMELINE, after=idea.pk
    )
    assert timeline(board) == ["Idea", "Review", "Deploy"]
    assert parked_events(board) == []


def test_a_sticky_cannot_go_after_itself(board: Workshop, alice: Participant) -> None:
    review = make_sticky(board, alice, text="Review")
    with nothing_changes(board), pytest.raises(ValidationError, match="after itself"):
        services.sticky_move(
            workshop=board, by=alice, op=None, sticky_id=review.pk, place=TIMELINE, after=review.pk
        )


def test_moving_after_a_sticky_in_another_place_is_refused(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    pain = make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=under(review))
    system = make_sticky(board, alice, kind=Kind.SYSTEM, text="Jenkins", place=under(review))
    with nothing_changes(board), pytest.raises(ValidationError, match="not in that place"):
        services.sticky_move(
            workshop=board, by=alice, op=None, sticky_id=pain.pk, place=under(review),
            after=system.pk,
        )  # fmt: skip


def _park_event(workshop: Workshop, by: Participant, event: Sticky) -> None:
    services.sticky_move(workshop=workshop, by=by, op=None, sticky_id=event.pk, place=PARKED)


def _delete_event(workshop: Workshop, by: Participant, event: Sticky) -> None:
    services.sticky_delete(workshop=workshop, by=by, op=None, sticky_id=event.pk)


def _make_event_a_note(workshop: Workshop, by: Participant, event: Sticky) -> None:
    services.sticky_update(workshop=workshop, by=by, op=None, sticky_id=event.pk, kind=Kind.CHECK)


@pytest.mark.parametrize(
    "leave",
    [_park_event, _delete_event, _make_event_a_note],
    ids=["moved to parking", "deleted", "made a note"],
)
def test_an_event_leaving_the_timeline_parks_its_notes(
    board: Workshop, alice: Participant, leave: Callable[[Workshop, Participant, Sticky], None]
) -> None:
    review = make_sticky(board, alice, text="Review")
    deploy = make_sticky(board, alice, text="Deploy")
    make_sticky(board, alice, kind=Kind.QUESTION, text="Already parked", place=PARKED)
    slow = make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=under(review))
    flaky = make_sticky(board, alice, kind=Kind.PAIN, text="Flaky", place=under(review))
    github = make_sticky(board, alice, kind=Kind.SYSTEM, text="GitHub", place=under(review))
    stays = make_sticky(board, alice, kind=Kind.PAIN, text="Downtime", place=under(deploy))
    seq = seq_of(board)

    leave(board, alice, review)

    assert timeline(board) == ["Deploy"]
    assert lane(board, deploy, Kind.PAIN) == ["Downtime"]
    parked = parked_notes(board)
    # They join the end of the parking area; a lane keeps its order there.
    assert parked[0] == "Already parked"
    assert set(parked[1:4]) == {"Slow", "Flaky", "GitHub"}
    assert parked.index("Slow") < parked.index("Flaky")
    for note in (slow, flaky, github):
        assert (fresh(note).parked, fresh(note).event_id) == (True, None)
        assert fresh(note).version == note.version + 1
    assert fresh(stays).version == stays.version
    operation = last_change(board, seq)
    assert set(operation.entities) == {f"sticky:{s.pk}" for s in (review, slow, flaky, github)}


def test_moving_an_event_along_the_timeline_keeps_its_notes(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    make_sticky(board, alice, text="Deploy")
    make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=under(review))
    services.sticky_move(workshop=board, by=alice, op=None, sticky_id=review.pk, place=TIMELINE)
    assert timeline(board) == ["Deploy", "Review"]
    assert lane(board, review, Kind.PAIN) == ["Slow"]


def test_ranks_stay_short_however_often_stickies_go_between_the_same_neighbours(
    board: Workshop, alice: Participant
) -> None:
    anchor = make_sticky(board, alice, text="Anchor")
    one = make_sticky(board, alice, text="One")
    two = make_sticky(board, alice, text="Two")
    make_sticky(board, alice, text="Last")
    for turn in range(300):  # each move goes right after the anchor, the other one's place
        moving = one if turn % 2 == 0 else two
        services.sticky_move(
            workshop=board, by=alice, op=None, sticky_id=moving.pk, place=TIMELINE, after=anchor.pk
        )
    ranks = list(board.stickies.values_list("rank", flat=True))
    assert max(len(rank) for rank in ranks) <= LONGEST_RANK
    assert timeline(board) == ["Anchor", "Two", "One", "Last"]
