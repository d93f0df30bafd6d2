"""The map every output reads carries the insight worked out from the board's own timings, votes
and people, as everyone may see them."""

import pytest

from tests.factories import make_note, make_participant, make_sticky
from workshops import services
from workshops.exports.map import insight_of, map_of
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop


@pytest.fixture
def fran(board: Workshop) -> Participant:
    return services.facilitator_participant(workshop=board, user=board.owner)


@pytest.fixture
def steps(board: Workshop, alice: Participant) -> list[Sticky]:
    events = [make_sticky(board, alice, text=f"{name} done") for name in "ABCDE"]
    services.sticky_update(workshop=board, by=alice, op=None, sticky_id=events[3].pk, parallel=True)
    return events


def size(board: Workshop, by: Participant, events: list[Sticky], **fields: str) -> None:
    services.timing_set(
        workshop=board, by=by, op=None, events=[event.pk for event in events], **fields
    )


def test_the_map_works_out_the_lead_time_from_the_sizes_on_the_board(board, alice, steps):
    for event, given in zip(steps, ["S", "M", "L", "M", "S"], strict=True):
        size(board, alice, [event], size=given)

    worked_out = map_of(board).insight

    assert worked_out.lead_time == (6, 27)
    assert worked_out.bottlenecks[0].steps[0].text == "C done"
    assert round(worked_out.bottlenecks[0].share, 2) == 0.74
    assert map_of(board).timings_recorded


def test_a_group_and_an_estimate_as_people_say_it(board, alice, steps):
    size(board, alice, steps[:2], estimate="1-2 weeks")  # a working week is 5 days
    size(board, alice, [steps[2]], estimate="4h", wait="3 days")

    workshop_map = map_of(board)

    assert [timing.steps for timing in workshop_map.timings] == [[1, 2], [3]]
    assert workshop_map.timings[1].said == "4 hours, wait 3 days"
    assert workshop_map.insight.lead_time == (5.5, 10.5)
    assert "2 steps have no timing yet (4, 5)" in workshop_map.insight.missing[0]


def test_hidden_votes_are_not_counted_until_they_are_shown(board, alice, fran, steps):
    bob = make_participant(board, "Bob")
    slow = make_note(board, alice, Kind.PAIN, "Waits for a reviewer", steps[1])
    make_note(board, alice, Kind.PAIN, "Flaky tests", steps[2])
    for voter in (alice, bob):
        services.vote_add(workshop=board, by=voter, op=None, sticky_id=slow.pk)

    hidden = map_of(board)
    services.board_update(workshop=board, by=fran, op=None, votes_hidden=False)
    shown = map_of(Workshop.objects.get(pk=board.pk))

    assert [(spot.step.number, spot.votes) for spot in hidden.hot_spots] == [(2, 0), (3, 0)]
    assert hidden.hot_spots[0].share == 0.5
    assert [(spot.step.number, spot.votes) for spot in shown.hot_spots] == [(2, 2), (3, 0)]
    assert shown.hot_spots[0].share == 0.75


def test_hand_offs_gates_and_actions_come_from_the_board(board, alice, fran, steps):
    make_note(board, alice, Kind.PERSON, "Developer", steps[0])
    make_note(board, alice, Kind.PERSON, "Ops team", steps[1])
    gate = make_note(board, alice, Kind.CHECK, "Change board approval", steps[1])
    services.action_add(
        workshop=board, by=fran, op=None, text="Automate the approval", owner="Ops team",
        due="2027-01-15", source=gate.pk,
    )  # fmt: skip

    workshop_map = map_of(board)

    assert [(h.after.number, h.before.number) for h in workshop_map.insight.hand_offs] == [(1, 2)]
    assert [gate.text for gate in workshop_map.insight.gates] == ["Change board approval"]
    [action] = workshop_map.actions
    assert (action.text, action.owner, action.step, action.source) == (
        "Automate the approval", "Ops team", 2, "Change board approval",
    )  # fmt: skip
    assert str(action.due) == "2027-01-15"


def test_the_lean_insight_is_the_maps_own(board, alice, fran, steps):
    make_note(board, alice, Kind.PERSON, "Developer", steps[0])
    make_note(board, alice, Kind.PERSON, "Ops  team", steps[1])
    make_note(board, alice, Kind.CHECK, "Approved", steps[1])
    pain = make_note(board, alice, Kind.PAIN, "Slow", steps[2])
    make_note(board, alice, Kind.QUESTION, "Why?", steps[2])
    make_sticky(board, alice, kind=Kind.PAIN, text="Parked pain")
    services.sticky_update(workshop=board, by=alice, op=None, sticky_id=steps[4].pk, text="E!")
    services.vote_add(workshop=board, by=alice, op=None, sticky_id=pain.pk)
    size(board, alice, steps[1:3], size="M", work="2 days")
    size(board, alice, [steps[3]], estimate="3h")
    services.board_update(workshop=board, by=fran, op=None, votes_hidden=False)
    board = Workshop.objects.get(pk=board.pk)

    assert insight_of(board) == map_of(board).insight
    assert insight_of(board).hot_spots[0].step.votes == 1
