"""Adding stickies: each goes where it was put, in rank order."""

import uuid

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from tests.factories import make_sticky
from tests.unit.board_helpers import (
    PARKED,
    TIMELINE,
    fresh,
    lane,
    nothing_changes,
    parked_events,
    parked_notes,
    timeline,
    under,
)
from workshops import services
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop


def test_a_new_sticky_goes_at_the_end_of_its_place(board: Workshop, alice: Participant) -> None:
    for text in ["Idea written down", "Code reviewed", "Deployed"]:
        services.sticky_add(
            workshop=board, by=alice, op=None, kind=Kind.EVENT, text=text, place=TIMELINE
        )
    assert timeline(board) == ["Idea written down", "Code reviewed", "Deployed"]


def test_a_sticky_added_after_none_goes_first(board: Workshop, alice: Participant) -> None:
    make_sticky(board, alice, text="Code reviewed")
    services.sticky_add(
        workshop=board, by=alice, op=None, kind=Kind.EVENT, text="Idea", place=TIMELINE, after=None
    )
    assert timeline(board) == ["Idea", "Code reviewed"]


def test_a_sticky_added_after_another_goes_between_it_and_the_next(
    board: Workshop, alice: Participant
) -> None:
    idea = make_sticky(board, alice, text="Idea")
    make_sticky(board, alice, text="Deployed")
    services.sticky_add(
        workshop=board, by=alice, op=None, kind=Kind.EVENT, text="Reviewed", place=TIMELINE,
        after=idea.pk,
    )  # fmt: skip
    assert timeline(board) == ["Idea", "Reviewed", "Deployed"]


def test_a_note_is_added_to_the_lane_of_its_kind_under_its_event(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Code reviewed")
    pain = make_sticky(board, alice, kind=Kind.PAIN, text="Waits a day", place=under(review))
    make_sticky(board, alice, kind=Kind.SYSTEM, text="GitHub", place=under(review))
    make_sticky(board, alice, kind=Kind.PAIN, text="Nitpicks", place=under(review))
    assert (pain.parked, pain.event_id) == (False, review.pk)
    assert lane(board, review, Kind.PAIN) == ["Waits a day", "Nitpicks"]
    assert lane(board, review, Kind.SYSTEM) == ["GitHub"]
    assert parked_notes(board) == []


def test_a_sticky_can_be_added_to_the_parking_area(board: Workshop, alice: Participant) -> None:
    make_sticky(board, alice, text="Someone rolls back", place=PARKED)
    make_sticky(board, alice, kind=Kind.QUESTION, text="Who approves?", place=PARKED)
    assert timeline(board) == []
    assert parked_events(board) == ["Someone rolls back"]
    assert parked_notes(board) == ["Who approves?"]


def test_adding_after_a_sticky_in_another_place_is_refused(
    board: Workshop, alice: Participant
) -> None:
    parked = make_sticky(board, alice, text="Rolled back", place=PARKED)
    with nothing_changes(board), pytest.raises(ValidationError, match="not in that place"):
        services.sticky_add(
            workshop=board, by=alice, op=None, kind=Kind.EVENT, text="Deployed", place=TIMELINE,
            after=parked.pk,
        )  # fmt: skip


def test_the_facilitator_adds_stickies_as_their_own_participant(
    board: Workshop, facilitator: User
) -> None:
    me = services.facilitator_participant(workshop=board, user=facilitator)
    sticky = services.sticky_add(
        workshop=board, by=me, op=None, kind=Kind.EVENT, text="Kick-off", place=TIMELINE
    )
    assert sticky.created_by == me
    assert timeline(board) == ["Kick-off"]


def test_the_sender_may_choose_the_new_stickys_id_and_put_the_next_one_after_it(
    board: Workshop, alice: Participant
) -> None:
    idea = make_sticky(board, alice, text="Idea")
    make_sticky(board, alice, text="Release")
    first, second = uuid.uuid4(), uuid.uuid4()
    for sticky_id, after, text in [(first, idea.pk, "Review"), (second, first, "Merge")]:
        services.sticky_add(
            workshop=board, by=alice, op=None, kind=Kind.EVENT, text=text, place=TIMELINE,
            after=after, sticky_id=sticky_id,
        )  # fmt: skip
    assert timeline(board) == ["Idea", "Review", "Merge", "Release"]
    assert fresh(Sticky(pk=second)).text == "Merge"


def test_an_id_already_taken_is_refused(
    board: Workshop, alice: Participant, other_board: Workshop, otto: Participant
) -> None:
    elsewhere = make_sticky(other_board, otto, text="Theirs")
    with nothing_changes(board), pytest.raises(ValidationError, match="id is taken"):
        services.sticky_add(
            workshop=board, by=alice, op=None, kind=Kind.EVENT, text="Mine", place=TIMELINE,
            sticky_id=elsewhere.pk,
        )  # fmt: skip
