"""What is refused: who may change the board, stickies that are gone, what a sticky may hold
and where it may go."""

import uuid
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_sticky
from tests.unit.board_helpers import (
    CHANGES,
    EDITS,
    PARKED,
    TIMELINE,
    fresh,
    nothing_changes,
    target_for,
    timeline,
    under,
)
from workshops import services
from workshops.kinds import Kind
from workshops.limits import LIMITS, Limits
from workshops.models import Participant, Workshop
from workshops.protocol import Place


@pytest.mark.parametrize("change", CHANGES)
def test_an_observer_cannot_change_the_board(
    board: Workshop, alice: Participant, change: str
) -> None:
    sticky = target_for(change, board, alice)
    with nothing_changes(board), pytest.raises(PermissionDenied, match="Observers"):
        CHANGES[change](board, None, sticky)


@pytest.mark.parametrize("change", CHANGES)
def test_a_removed_participant_cannot_change_the_board(
    board: Workshop, alice: Participant, bob: Participant, change: str
) -> None:
    sticky = target_for(change, board, alice)
    services.participant_remove(workshop=board, by=board.owner, participant_id=bob.pk)
    with nothing_changes(board), pytest.raises(PermissionDenied, match="no longer on this board"):
        CHANGES[change](board, bob, sticky)


@pytest.mark.parametrize("change", CHANGES)
def test_a_participant_of_another_board_cannot_change_this_one(
    board: Workshop, alice: Participant, otto: Participant, change: str
) -> None:
    sticky = target_for(change, board, alice)
    with nothing_changes(board), pytest.raises(PermissionDenied):
        CHANGES[change](board, otto, sticky)


@pytest.mark.parametrize("change", CHANGES)
def test_nobody_changes_the_board_of_an_ended_workshop(
    board: Workshop, alice: Participant, facilitator: User, change: str
) -> None:
    sticky = target_for(change, board, alice)
    me = services.facilitator_participant(workshop=board, user=facilitator)
    services.workshop_end(workshop=board, by=me)
    for by in (alice, me):
        with nothing_changes(board), pytest.raises(PermissionDenied, match="ended"):
            CHANGES[change](board, by, sticky)


@pytest.mark.parametrize("change", EDITS)
def test_a_sticky_of_another_board_is_gone(
    board: Workshop, alice: Participant, other_board: Workshop, otto: Participant, change: str
) -> None:
    elsewhere = target_for(change, other_board, otto)
    with (
        nothing_changes(board),
        nothing_changes(other_board),
        pytest.raises(services.Gone, match="not on this board"),
    ):
        CHANGES[change](board, alice, elsewhere)


def test_a_sticky_that_never_was_is_gone(board: Workshop, alice: Participant) -> None:
    with nothing_changes(board), pytest.raises(services.Gone):
        services.sticky_update(
            workshop=board, by=alice, op=None, sticky_id=uuid.uuid4(), text="Hello"
        )


@pytest.mark.parametrize("change", ["update", "move", "delete"])
def test_a_deleted_sticky_cannot_be_changed(
    board: Workshop, alice: Participant, bob: Participant, change: str
) -> None:
    # A delete beats a concurrent edit: the edit that arrives second is refused.
    review = make_sticky(board, alice, text="Review")
    services.sticky_delete(workshop=board, by=bob, op=None, sticky_id=review.pk)
    with nothing_changes(board), pytest.raises(services.Gone, match="deleted"):
        CHANGES[change](board, alice, review)


def test_a_deleted_sticky_cannot_be_edited(board: Workshop, alice: Participant) -> None:
    review = make_sticky(board, alice, text="Review")
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=review.pk)
    with nothing_changes(board), pytest.raises(services.Gone):
        services.sticky_update(
            workshop=board, by=alice, op=None, sticky_id=review.pk, kind=Kind.PAIN
        )
    assert fresh(review).kind == Kind.EVENT


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_a_sticky_needs_some_text(board: Workshop, alice: Participant, text: str) -> None:
    review = make_sticky(board, alice, text="Review")
    with nothing_changes(board), pytest.raises(ValidationError, match="needs some text"):
        services.sticky_add(
            workshop=board, by=alice, op=None, kind=Kind.EVENT, text=text, place=TIMELINE
        )
    with nothing_changes(board), pytest.raises(ValidationError, match="needs some text"):
        services.sticky_update(workshop=board, by=alice, op=None, sticky_id=review.pk, text=text)


def test_a_sticky_holds_the_text_limit_and_no_more(board: Workshop, alice: Participant) -> None:
    longest = "x" * LIMITS.sticky_text
    review = make_sticky(board, alice, text=f"  {longest}  ")
    assert review.text == longest
    too_long = longest + "x"
    message = f"A sticky holds {LIMITS.sticky_text} characters at most."
    with nothing_changes(board), pytest.raises(ValidationError, match=message):
        services.sticky_add(
            workshop=board, by=alice, op=None, kind=Kind.EVENT, text=too_long, place=TIMELINE
        )
    with nothing_changes(board), pytest.raises(ValidationError, match=message):
        services.sticky_update(
            workshop=board, by=alice, op=None, sticky_id=review.pk, text=too_long
        )


def test_an_unknown_kind_is_refused(board: Workshop, alice: Participant) -> None:
    review = make_sticky(board, alice, text="Review")
    with nothing_changes(board), pytest.raises(ValidationError, match="Unknown kind"):
        services.sticky_add(
            workshop=board, by=alice, op=None, kind="idea", text="Hello", place=PARKED
        )
    with nothing_changes(board), pytest.raises(ValidationError, match="Unknown kind"):
        services.sticky_update(workshop=board, by=alice, op=None, sticky_id=review.pk, kind="idea")


def _nowhere(workshop: Workshop, by: Participant, other: Workshop, stranger: Participant) -> Place:
    return Place(parked=False, event=None)


def _parked_event(
    workshop: Workshop, by: Participant, other: Workshop, stranger: Participant
) -> Place:
    return under(make_sticky(workshop, by, text="Parked", place=PARKED))


def _deleted_event(
    workshop: Workshop, by: Participant, other: Workshop, stranger: Participant
) -> Place:
    event = make_sticky(workshop, by, text="Deleted")
    services.sticky_delete(workshop=workshop, by=by, op=None, sticky_id=event.pk)
    return under(event)


def _a_note(workshop: Workshop, by: Participant, other: Workshop, stranger: Participant) -> Place:
    return under(make_sticky(workshop, by, kind=Kind.CHECK, text="A note", place=PARKED))


def _event_elsewhere(
    workshop: Workshop, by: Participant, other: Workshop, stranger: Participant
) -> Place:
    return under(make_sticky(other, stranger, text="Elsewhere"))


def _no_such_event(
    workshop: Workshop, by: Participant, other: Workshop, stranger: Participant
) -> Place:
    return Place(parked=False, event=uuid.uuid4())


BAD_LANES = pytest.mark.parametrize(
    "bad_place",
    [_nowhere, _parked_event, _deleted_event, _a_note, _event_elsewhere, _no_such_event],
    ids=["no event", "parked event", "deleted event", "a note", "other board", "unknown id"],
)


@BAD_LANES
def test_a_note_cannot_be_added_under_an_event_that_is_not_on_the_timeline(
    board: Workshop,
    alice: Participant,
    other_board: Workshop,
    otto: Participant,
    bad_place: Callable[..., Place],
) -> None:
    place = bad_place(board, alice, other_board, otto)
    with nothing_changes(board), pytest.raises(ValidationError):
        services.sticky_add(
            workshop=board, by=alice, op=None, kind=Kind.PAIN, text="Slow", place=place
        )


@BAD_LANES
def test_a_note_cannot_move_under_an_event_that_is_not_on_the_timeline(
    board: Workshop,
    alice: Participant,
    other_board: Workshop,
    otto: Participant,
    bad_place: Callable[..., Place],
) -> None:
    note = make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=PARKED)
    place = bad_place(board, alice, other_board, otto)
    with nothing_changes(board), pytest.raises(ValidationError):
        services.sticky_move(workshop=board, by=alice, op=None, sticky_id=note.pk, place=place)


def test_a_note_under_no_event_is_told_where_to_go(board: Workshop, alice: Participant) -> None:
    with pytest.raises(ValidationError, match="Say which event it goes under, or park it"):
        services.sticky_add(
            workshop=board, by=alice, op=None, kind=Kind.PAIN, text="Slow", place=TIMELINE
        )


def test_a_note_under_a_parked_event_is_told_it_left_the_timeline(
    board: Workshop, alice: Participant
) -> None:
    parked = make_sticky(board, alice, text="Parked", place=PARKED)
    with pytest.raises(ValidationError, match="no longer on the timeline"):
        services.sticky_add(
            workshop=board, by=alice, op=None, kind=Kind.PAIN, text="Slow", place=under(parked)
        )


def test_a_full_board_refuses_more_stickies(
    board: Workshop, alice: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workshops.services.stickies.LIMITS", Limits(stickies_per_board=2))
    make_sticky(board, alice, text="Idea")
    review = make_sticky(board, alice, text="Review")
    with nothing_changes(board), pytest.raises(ValidationError, match="holds 2 stickies at most"):
        make_sticky(board, alice, text="Deploy")
    # Deleted stickies do not count.
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=review.pk)
    make_sticky(board, alice, text="Deploy")
    assert timeline(board) == ["Idea", "Deploy"]
