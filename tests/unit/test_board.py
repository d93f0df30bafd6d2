"""The board: adding, changing, moving, deleting and restoring stickies, the log of operations
behind catching up, and the board as it is drawn."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection

from tests.factories import command, make_participant, make_sticky
from workshops import entities, protocol, services
from workshops.commands import Command
from workshops.kinds import LANE_KINDS, Kind
from workshops.limits import LIMITS, Limits
from workshops.models import Operation, Participant, Sticky, Workshop
from workshops.protocol import END, Place
from workshops.rendering import render_board, sticky_html
from workshops.selectors import board_of
from workshops.visibility import EVERYONE

TIMELINE = Place(parked=False)
PARKED = Place(parked=True)


def under(event: Sticky) -> Place:
    """The lanes under an event."""
    return Place(parked=False, event=event.pk)


@pytest.fixture
def bob(board: Workshop) -> Participant:
    return make_participant(board, "Bob")


@pytest.fixture
def otto(other_board: Workshop) -> Participant:
    return make_participant(other_board, "Otto")


# ----- reading the board back -----


def seq_of(workshop: Workshop) -> int:
    return Workshop.objects.values_list("seq", flat=True).get(pk=workshop.pk)


def fresh(sticky: Sticky) -> Sticky:
    return Sticky.objects.get(pk=sticky.pk)


def timeline(workshop: Workshop) -> list[str]:
    return [column.event.text for column in board_of(workshop).columns]


def lane(workshop: Workshop, event: Sticky, kind: str) -> list[str]:
    [column] = [c for c in board_of(workshop).columns if c.event.pk == event.pk]
    lanes = {info.kind.value: notes for info, notes in column.lanes}
    return [note.text for note in lanes[kind]]


def parked_events(workshop: Workshop) -> list[str]:
    return [sticky.text for sticky in board_of(workshop).parked_events]


def parked_notes(workshop: Workshop) -> list[str]:
    return [sticky.text for sticky in board_of(workshop).parked_notes]


def last_change(workshop: Workshop, seq_before: int) -> Operation:
    """The one operation a change logged, having checked it took exactly the next seq."""
    assert seq_of(workshop) == seq_before + 1
    [operation] = Operation.objects.filter(workshop=workshop, seq__gt=seq_before)
    assert operation.seq == seq_before + 1
    return operation


def board_state(workshop: Workshop) -> tuple[int, list[int], list[Any]]:
    return (
        seq_of(workshop),
        list(Operation.objects.filter(workshop=workshop).values_list("seq", flat=True)),
        list(Sticky.objects.filter(workshop=workshop).order_by("id").values()),
    )


@contextmanager
def nothing_changes(workshop: Workshop) -> Iterator[None]:
    before = board_state(workshop)
    yield
    assert board_state(workshop) == before


# ----- every change, for the refusals that apply to all of them -----

Change = Callable[[Workshop, Participant | None, Sticky], Sticky]

CHANGES: dict[str, Change] = {
    "add": lambda workshop, by, sticky: services.sticky_add(
        workshop=workshop, by=by, op=None, kind=Kind.PAIN, text="Flaky tests", place=under(sticky)
    ),
    "update": lambda workshop, by, sticky: services.sticky_update(
        workshop=workshop, by=by, op=None, sticky_id=sticky.pk, text="Merged"
    ),
    "move": lambda workshop, by, sticky: services.sticky_move(
        workshop=workshop, by=by, op=None, sticky_id=sticky.pk, place=PARKED
    ),
    "delete": lambda workshop, by, sticky: services.sticky_delete(
        workshop=workshop, by=by, op=None, sticky_id=sticky.pk
    ),
    "restore": lambda workshop, by, sticky: services.sticky_restore(
        workshop=workshop, by=by, op=None, sticky_id=sticky.pk
    ),
}
EDITS = ["update", "move", "delete", "restore"]


def target_for(change: str, workshop: Workshop, by: Participant) -> Sticky:
    """An event on the timeline that the change could apply to (deleted, for a restore)."""
    event = make_sticky(workshop, by, text="Code reviewed")
    if change == "restore":
        services.sticky_delete(workshop=workshop, by=by, op=None, sticky_id=event.pk)
    return event


# ----- adding, in rank order -----


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


# ----- moving -----


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


# ----- an event leaving the timeline takes its lanes to the parking area -----


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


# ----- updating -----


def test_editing_the_text_keeps_the_sticky_where_it_is(board: Workshop, alice: Participant) -> None:
    review = make_sticky(board, alice, text="Review")
    make_sticky(board, alice, text="Deploy")
    edited = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=review.pk, text="  Code reviewed  "
    )
    assert edited.text == "Code reviewed"
    assert edited.rank == review.rank
    assert timeline(board) == ["Code reviewed", "Deploy"]


def test_a_note_changing_lane_kind_stays_under_its_event_at_the_end_of_its_new_lane(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    make_sticky(board, alice, kind=Kind.QUESTION, text="Who reviews?", place=under(review))
    slow = make_sticky(board, alice, kind=Kind.PAIN, text="Is it slow?", place=under(review))
    changed = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=slow.pk, kind=Kind.QUESTION
    )
    assert (changed.kind, changed.parked, changed.event_id) == (Kind.QUESTION, False, review.pk)
    assert lane(board, review, Kind.PAIN) == []
    assert lane(board, review, Kind.QUESTION) == ["Who reviews?", "Is it slow?"]


def test_a_note_made_an_event_waits_in_the_parking_area(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    note = make_sticky(board, alice, kind=Kind.CHECK, text="Approved", place=under(review))
    changed = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=note.pk, kind=Kind.EVENT
    )
    assert (changed.kind, changed.parked, changed.event_id) == (Kind.EVENT, True, None)
    assert timeline(board) == ["Review"]
    assert parked_events(board) == ["Approved"]


def test_an_event_made_a_note_waits_in_the_parking_area(
    board: Workshop, alice: Participant
) -> None:
    make_sticky(board, alice, text="Idea")
    review = make_sticky(board, alice, text="Is it reviewed?")
    changed = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=review.pk, kind=Kind.QUESTION
    )
    assert (changed.kind, changed.parked, changed.event_id) == (Kind.QUESTION, True, None)
    assert timeline(board) == ["Idea"]
    assert parked_notes(board) == ["Is it reviewed?"]


def test_changing_to_the_same_kind_leaves_the_sticky_in_place(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    make_sticky(board, alice, text="Deploy")
    same = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=review.pk, kind=Kind.EVENT
    )
    assert (same.parked, same.rank) == (False, review.rank)
    assert timeline(board) == ["Review", "Deploy"]


def test_an_event_can_run_in_parallel_and_stop(board: Workshop, alice: Participant) -> None:
    make_sticky(board, alice, text="Unit tests")
    lint = make_sticky(board, alice, text="Lint")
    seq = seq_of(board)
    assert services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=lint.pk, parallel=True
    ).parallel
    assert last_change(board, seq).summary == "marked “Lint” in parallel"
    assert not services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=lint.pk, parallel=False
    ).parallel
    assert last_change(board, seq + 1).summary == "marked “Lint” not in parallel"


def test_only_events_run_in_parallel(board: Workshop, alice: Participant) -> None:
    note = make_sticky(board, alice, kind=Kind.PAIN, text="Slow")
    with nothing_changes(board), pytest.raises(ValidationError, match="Only events"):
        services.sticky_update(workshop=board, by=alice, op=None, sticky_id=note.pk, parallel=True)


def test_an_event_made_a_note_no_longer_runs_in_parallel(
    board: Workshop, alice: Participant
) -> None:
    lint = make_sticky(board, alice, text="Lint")
    services.sticky_update(workshop=board, by=alice, op=None, sticky_id=lint.pk, parallel=True)
    note = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=lint.pk, kind=Kind.CHECK
    )
    assert not note.parallel
    html = sticky_html(note)
    assert "is-parallel" not in html and "in parallel" not in html


def test_one_update_can_change_text_kind_and_parallel_at_once(
    board: Workshop, alice: Participant
) -> None:
    note = make_sticky(board, alice, kind=Kind.QUESTION, text="Tests pass?")
    seq = seq_of(board)
    changed = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=note.pk, text="Tests passed",
        kind=Kind.EVENT, parallel=True,
    )  # fmt: skip
    assert (changed.text, changed.kind, changed.parallel) == ("Tests passed", Kind.EVENT, True)
    edited, made, marked = last_change(board, seq).summary.split("; ")
    assert edited == "edited “Tests passed”"
    assert made.startswith("made “Tests passed” a")
    assert marked == "marked “Tests passed” in parallel"


# ----- deleting and restoring -----


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


# ----- socket commands -----


def test_run_applies_each_command_from_the_socket(board: Workshop, alice: Participant) -> None:
    def run(command: Command) -> Sticky:
        return services.run(command, workshop=board, by=alice)

    review = run(command("add", op="1", kind=Kind.EVENT, text="Review", place=TIMELINE))
    idea = run(command("add", op="2", kind=Kind.EVENT, text="Idea", place=TIMELINE, after=None))
    assert timeline(board) == ["Idea", "Review"]

    run(command("update", op="3", sticky=review.pk, text="Code reviewed", parallel=True))
    assert (fresh(review).text, fresh(review).parallel) == ("Code reviewed", True)

    run(command("move", op="4", sticky=idea.pk, place=TIMELINE, after=review.pk))
    assert timeline(board) == ["Code reviewed", "Idea"]

    run(command("delete", op="5", sticky=idea.pk))
    assert timeline(board) == ["Code reviewed"]

    run(command("restore", op="6", sticky=idea.pk))
    assert timeline(board) == ["Code reviewed", "Idea"]
    assert list(Operation.objects.filter(workshop=board).values_list("client_op", flat=True)) == [
        "1", "2", "3", "4", "5", "6",
    ]  # fmt: skip


def test_a_resent_command_is_confirmed_with_its_original_seq_and_not_applied_again(
    board: Workshop, alice: Participant
) -> None:
    def add() -> Sticky:
        return services.run(
            command("add", op="abc", kind=Kind.EVENT, text="Review", place=TIMELINE),
            workshop=board, by=alice,
        )  # fmt: skip

    add()
    applied_at = seq_of(board)
    make_sticky(board, alice, text="Deploy")
    with nothing_changes(board), pytest.raises(services.AlreadyApplied) as resent:
        add()
    assert resent.value.seq == applied_at
    assert timeline(board) == ["Review", "Deploy"]


@pytest.mark.parametrize("change", EDITS)
def test_a_command_id_already_applied_is_not_applied_again_whatever_the_command(
    board: Workshop, alice: Participant, change: str
) -> None:
    sticky = target_for(change, board, alice)
    first = services.sticky_add(
        workshop=board, by=alice, op="same-op", kind=Kind.EVENT, text="Deploy", place=TIMELINE
    )
    resends: dict[str, Command] = {
        "update": command("update", op="same-op", sticky=sticky.pk, text="Merged"),
        "move": command("move", op="same-op", sticky=sticky.pk, place=PARKED),
        "delete": command("delete", op="same-op", sticky=sticky.pk),
        "restore": command("restore", op="same-op", sticky=sticky.pk),
    }
    with nothing_changes(board), pytest.raises(services.AlreadyApplied) as resent:
        services.run(resends[change], workshop=board, by=alice)
    assert resent.value.seq == seq_of(board)
    assert fresh(first).deleted_at is None


def test_the_same_command_id_is_applied_once_on_each_board(
    board: Workshop, alice: Participant, other_board: Workshop, otto: Participant
) -> None:
    for workshop, by in [(board, alice), (other_board, otto)]:
        services.sticky_add(
            workshop=workshop, by=by, op="1", kind=Kind.EVENT, text="Review", place=TIMELINE
        )
    assert timeline(board) == timeline(other_board) == ["Review"]


def test_changes_without_a_command_id_are_each_applied(board: Workshop, alice: Participant) -> None:
    for _ in range(2):
        services.sticky_add(
            workshop=board, by=alice, op=None, kind=Kind.EVENT, text="Review", place=TIMELINE
        )
    assert timeline(board) == ["Review", "Review"]
    assert seq_of(board) == 2


def test_commands_run_together_each_stand_or_fall_alone_and_broadcast_after_one_commit(
    board: Workshop,
    alice: Participant,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(protocol, "publish", lambda workshop_id, message: sent.append(message))
    review = make_sticky(board, alice, text="Review")
    commands: list[Command] = [
        command("add", op="t1", kind=Kind.EVENT, text="Deploy", place=TIMELINE),
        command("update", op="t2", sticky=review.pk, text=" "),  # refused: no text
        command("update", op="t3", sticky=review.pk, text="Code reviewed"),
        command("add", op="t1", kind=Kind.EVENT, text="Deploy", place=TIMELINE),  # a resend
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcomes = services.run_together([(command, board, alice) for command in commands])
    assert sent == []  # nothing is broadcast before the commit
    for callback in callbacks:
        callback()

    deploy, refused, updated, resent = outcomes
    assert isinstance(deploy, Sticky) and isinstance(updated, Sticky)
    assert isinstance(refused, ValidationError)
    assert isinstance(resent, services.AlreadyApplied) and resent.seq == 2
    assert timeline(board) == ["Code reviewed", "Deploy"]
    assert [(message["op"], message["seq"]) for message in sent] == [("t1", 2), ("t3", 3)]
    assert seq_of(board) == 3  # the refused command took no sequence number


@contextmanager
def stickies_refusing(text: str) -> Iterator[None]:
    """A real trigger in the database that refuses a sticky with this text: a statement that
    fails in the database itself, which no check in Python foresaw."""
    table = Sticky._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_text() RETURNS trigger AS $$ BEGIN"
                f" IF NEW.text = '{text}' THEN RAISE EXCEPTION 'refused by the test';"
                " END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_text BEFORE INSERT OR UPDATE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION refuse_text()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_text BEFORE UPDATE ON {table} WHEN NEW.text = '{text}'"
                " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TRIGGER refuse_text ON {table}"
                if connection.vendor == "postgresql"
                else "DROP TRIGGER refuse_text"
            )
            if connection.vendor == "postgresql":
                cursor.execute("DROP FUNCTION refuse_text()")


def test_a_command_the_database_itself_refuses_is_refused_alone(
    board: Workshop, alice: Participant, django_capture_on_commit_callbacks: Any
) -> None:
    review = make_sticky(board, alice, text="Review")
    commands: list[Command] = [
        command("add", op="t1", kind=Kind.EVENT, text="Deploy", place=TIMELINE),
        command("update", op="t2", sticky=review.pk, text="Boom"),
        command("update", op="t3", sticky=review.pk, text="Code reviewed"),
    ]
    with stickies_refusing("Boom"), django_capture_on_commit_callbacks() as callbacks:
        deploy, refused, updated = services.run_together(
            [(command, board, alice) for command in commands]
        )
    assert isinstance(deploy, Sticky) and isinstance(updated, Sticky)
    assert isinstance(refused, DatabaseError)
    assert timeline(board) == ["Code reviewed", "Deploy"]
    assert seq_of(board) == 3
    assert len(callbacks) == 2  # a broadcast for each applied command, no more
    assert list(Operation.objects.filter(workshop=board).values_list("client_op", flat=True)) == [
        None, "t1", "t3",
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_group_in_a_transaction_of_its_own_commits_once_then_broadcasts(
    board: Workshop, alice: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on the server: no enclosing transaction, so the group commits for real, and what the
    database refuses in it is refused alone."""
    review = make_sticky(board, alice, text="Review")
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(protocol, "publish", lambda workshop_id, message: sent.append(message))
    commands: list[Command] = [
        command("add", op="t1", kind=Kind.EVENT, text="Deploy", place=TIMELINE),
        command("update", op="t2", sticky=review.pk, text="Boom"),
        command("update", op="t3", sticky=review.pk, text="Code reviewed"),
    ]
    with stickies_refusing("Boom"):
        deploy, refused, updated = services.run_together(
            [(command, board, alice) for command in commands]
        )
    assert isinstance(deploy, Sticky) and isinstance(updated, Sticky)
    assert isinstance(refused, DatabaseError)
    assert not connection.in_atomic_block
    assert timeline(board) == ["Code reviewed", "Deploy"]
    assert [(message["op"], message["seq"]) for message in sent] == [("t1", 2), ("t3", 3)]

    [alone] = services.run_together(
        [(command("update", op="t4", sticky=review.pk, text="Reviewed"), board, alice)]
    )
    assert isinstance(alone, Sticky) and fresh(review).text == "Reviewed"
    assert sent[-1]["seq"] == seq_of(board) == 4


# ----- the log: seq, operations, versions -----


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
        "move", "moved “Very slow” in the parking area", [f"sticky:{slow.pk}"],
    )  # fmt: skip

    services.sticky_move(workshop=board, by=alice, op="e", sticky_id=slow.pk, place=under(review))
    assert last_change(board, seq + 4).summary == "moved “Very slow” in an event"

    services.sticky_move(workshop=board, by=alice, op="f", sticky_id=review.pk, place=TIMELINE)
    assert last_change(board, seq + 5).summary == "moved “Review” in the timeline"

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


# ----- who may change the board -----


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


# ----- stickies that are gone -----


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


# ----- what a sticky may hold and where it may go -----


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


# ----- the board as it is drawn -----


def test_the_board_is_arranged_as_it_is_drawn_in_one_query(
    board: Workshop, alice: Participant, django_assert_num_queries: Any
) -> None:
    idea = make_sticky(board, alice, text="Idea")
    review = make_sticky(board, alice, text="Review")
    make_sticky(board, alice, kind=Kind.QUESTION, text="Who?", place=under(review))
    make_sticky(board, alice, kind=Kind.SYSTEM, text="GitHub", place=under(review))
    make_sticky(board, alice, kind=Kind.SYSTEM, text="Jira", place=under(review))
    make_sticky(board, alice, text="Rollback", place=PARKED)
    make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=PARKED)
    gone = make_sticky(board, alice, kind=Kind.PAIN, text="Gone", place=under(idea))
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=gone.pk)

    with django_assert_num_queries(1):
        drawn = board_of(board)

    assert [column.event.text for column in drawn.columns] == ["Idea", "Review"]
    lanes = {info.kind: [note.text for note in notes] for info, notes in drawn.columns[1].lanes}
    assert [info.kind for info, _ in drawn.columns[1].lanes] == list(LANE_KINDS)
    assert lanes == {
        Kind.SYSTEM: ["GitHub", "Jira"], Kind.PERSON: [], Kind.PAIN: [], Kind.QUESTION: ["Who?"],
        Kind.CHECK: [],
    }  # fmt: skip
    assert all(notes == [] for _, notes in drawn.columns[0].lanes)
    assert [sticky.text for sticky in drawn.parked_events] == ["Rollback"]
    assert [sticky.text for sticky in drawn.parked_notes] == ["Slow"]
    assert drawn.count == 7


def test_the_rendered_board_shows_each_live_sticky_once_and_escapes_text(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review <script>alert(1)</script>")
    make_sticky(board, alice, kind=Kind.PAIN, text="Slow & painful", place=under(review))
    make_sticky(board, alice, kind=Kind.QUESTION, text="Parked question", place=PARKED)
    deleted = make_sticky(board, alice, text="Deleted one")
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=deleted.pk)
    board.refresh_from_db()

    html = render_board(board, EVERYONE)

    assert f'data-seq="{board.seq}"' in html
    assert html.count(f'id="s-{review.pk}"') == 1
    assert f'id="c-{review.pk}"' in html
    assert "&lt;script&gt;" in html
    assert "<script>" not in html
    assert "Slow &amp; painful" in html
    assert "Parked question" in html
    assert "Deleted one" not in html
    assert board.first_event in html


def test_patches_carry_the_state_and_html_each_screen_needs(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    slow = make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=under(review))
    parked = make_sticky(board, alice, text="Rollback", place=PARKED)
    deleted = services.sticky_delete(
        workshop=board, by=alice, op=None, sticky_id=make_sticky(board, alice, text="Gone").pk
    )

    states = entities.states([review, slow, parked, deleted])
    on_timeline, note, parked_event, gone = [entity.state for entity in states]

    assert {key: on_timeline[key] for key in ("id", "kind", "parked", "event", "deleted")} == {
        "id": str(review.pk), "kind": "event", "parked": False, "event": None, "deleted": False,
    }  # fmt: skip
    assert (on_timeline["rank"], on_timeline["version"]) == (review.rank, review.version)
    assert f'id="s-{review.pk}"' in on_timeline["html"]
    assert (note["event"], note["parked"]) == (str(review.pk), False)
    assert "Slow" in note["html"]
    assert parked_event["html"] and parked_event["text"] == "Rollback"
    assert gone["deleted"] is True
    assert gone["html"] is None


# ----- catching up -----


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
