"""Updating a sticky: its text, its kind, and whether an event runs in parallel."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_sticky
from tests.unit.board_helpers import (
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
from workshops.models import Participant, Workshop
from workshops.rendering import sticky_html


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
