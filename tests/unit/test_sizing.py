"""Timings of the steps: a size of the board's scale or an estimate as people say it, for one
event or a group of 2-3 next to each other on the timeline; and the estimation round, in which
each person's pick stays theirs until the reveal."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import command, make_note, make_sticky
from tests.unit.board_helpers import PARKED, nothing_changes
from workshops import entities, services
from workshops.kinds import Kind
from workshops.models import Participant, Pick, Sticky, Timing, Workshop
from workshops.services import Gone
from workshops.timings import DEFAULT_SIZES, Estimate, TimingError, read_estimate, read_sizes
from workshops.visibility import Viewer, view


@pytest.fixture
def fran(board: Workshop) -> Participant:
    return services.facilitator_participant(workshop=board, user=board.owner)


@pytest.fixture
def steps(board: Workshop, alice: Participant) -> list[Sticky]:
    """Four events on the timeline, in this order."""
    return [
        make_sticky(board, alice, text=text)
        for text in ("Story picked up", "Code reviewed", "Built", "Deployed")
    ]


def time(board: Workshop, by: Participant, events: list[Sticky], **fields: str) -> Timing:
    return services.timing_set(
        workshop=board, by=by, op=None, events=[event.pk for event in events], **fields
    )


def live_timings(board: Workshop) -> list[tuple[list[str], str, Any]]:
    found = Timing.objects.filter(workshop=board, deleted_at__isnull=True).order_by("updated_at")
    return [(timing.events, timing.size, timing.estimate) for timing in found]


def ids(*events: Sticky) -> list[str]:
    return [str(event.pk) for event in events]


def round_of(board: Workshop) -> dict[str, Any]:
    return entities.round_state(entities.Round(Workshop.objects.get(pk=board.pk))).state


def a_round(board: Workshop, by: Participant, action: str, *events: Sticky) -> Workshop:
    listed = [event.pk for event in events] or None
    return services.round_set(workshop=board, by=by, op=None, action=action, events=listed)


def pick(board: Workshop, by: Participant, size: str | None) -> Pick | None:
    return services.round_pick(workshop=board, by=by, op=None, size=size)


# ----- reading sizes and estimates -----


@pytest.mark.parametrize(
    ("said", "low", "high", "unit"),
    [
        ("2-5 days", 2, 5, "days"),
        ("3h", 3, 3, "hours"),
        ("1 to 2 weeks", 1, 2, "weeks"),
        ("4", 4, 4, "days"),
        ("  1\u20133 Months ", 1, 3, "months"),  # an en dash
        ("0.5 d", 0.5, 0.5, "days"),
        ("1,5 hrs", 1.5, 1.5, "hours"),
        ("0-2 wk", 0, 2, "weeks"),
    ],
)
def test_an_estimate_is_read_as_people_say_it(
    said: str, low: float, high: float, unit: str
) -> None:
    assert read_estimate(said) == Estimate(low, high, unit)


@pytest.mark.parametrize(
    ("said", "message"),
    [
        ("soon", "The estimate should read like “2-5 days”, “3 hours” or “1 week”, not “soon”."),
        ("2 fortnights", "The estimate is in hours, days, weeks or months; “fortnights” is none"),
        ("5-2 days", "The estimate goes from the shorter time to the longer: 2-5."),
        ("0", "The estimate must be more than nothing."),
        ("0-0 hours", "The estimate must be more than nothing."),
        ("11 years", "“years” is none of them"),
        ("130 months", "The estimate is over ten years"),
        ("4000 days", "The estimate is over ten years"),
        ("-3 days", "should read like"),
        ("2 days 3 hours", "should read like"),
        ("9" * 400, "over ten years"),
    ],
)
def test_an_estimate_that_cannot_be_read_says_why(said: str, message: str) -> None:
    with pytest.raises(TimingError) as refused:
        read_estimate(said)
    assert message in str(refused.value)


def test_an_estimate_counts_working_or_calendar_days() -> None:
    assert Estimate(1, 2, "weeks").days() == (5, 10)
    assert Estimate(1, 2, "weeks").days(calendar=True) == (7, 14)
    assert Estimate(16, 16, "hours").days() == (2, 2)
    assert Estimate(1, 1, "months").days(calendar=True) == (30, 30)
    assert str(Estimate(2, 5, "days")) == "2-5 days" and str(Estimate(1, 1, "weeks")) == "1 week"


def test_a_scale_has_s_m_and_l_at_least_each_as_long_as_the_one_before() -> None:
    assert read_sizes({"S": [0, 1], "M": [1, 5], "L": [5, 20]}) == {
        "S": [0.0, 1.0], "M": [1.0, 5.0], "L": [5.0, 20.0],
    }  # fmt: skip
    default = {size: list(bounds) for size, bounds in DEFAULT_SIZES.items()}
    assert read_sizes(default) == default


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({}, "Sizes are given as"),
        ([["S", 1]], "Sizes are given as"),
        ({"S": [0, 1], "M": [1, 5]}, "S, M and L at least"),
        ({"S": [0, 1], "M": [1, 5], "L": [5, 20], "XXL": [20, 90]}, "not XXL"),
        ({"S": [0, 1], "M": [1, 5], "L": "long"}, "Size L needs two numbers"),
        ({"S": [0, 1], "M": [1, 5, 9], "L": [5, 20]}, "Size M needs two numbers"),
        ({"S": [0, True], "M": [1, 5], "L": [5, 20]}, "Size S needs two numbers"),
        ({"S": [0, "1"], "M": [1, 5], "L": [5, 20]}, "Size S needs two numbers"),
        ({"S": [0, float("inf")], "M": [1, 5], "L": [5, 20]}, "Size S must be at most"),
        ({"S": [0, float("nan")], "M": [1, 5], "L": [5, 20]}, "Size S must be at most"),
        ({"S": [0, 10**400], "M": [1, 5], "L": [5, 20]}, "Size S must be at most"),
        ({"S": [1, 0], "M": [1, 5], "L": [5, 20]}, "Size S must go from 0"),
        ({"S": [-1, 1], "M": [1, 5], "L": [5, 20]}, "Size S must go from 0"),
        ({"S": [0, 0], "M": [1, 5], "L": [5, 20]}, "Size S must go from 0"),
        ({"S": [0, 1], "M": [1, 5], "L": [5, 4000]}, "Size L must be at most"),
        ({"S": [0, 10], "M": [1, 5], "L": [5, 20]}, "at least as long as the one before"),
        ({"XS": [1, 2], "S": [0, 1], "M": [1, 5], "L": [5, 20]}, "at least as long"),
    ],
)
def test_a_scale_that_is_not_one_is_refused(sizes: Any, message: str) -> None:
    with pytest.raises(TimingError, match=message):
        read_sizes(sizes)


def test_the_facilitator_sets_the_scale_and_how_days_count(
    board: Workshop, fran: Participant
) -> None:
    scale = {"S": [0, 2], "M": [2, 10], "L": [10, 30]}
    services.board_update(workshop=board, by=fran, op=None, sizes=scale, calendar_days=True)
    state = entities.board_state(Workshop.objects.get(pk=board.pk)).state
    assert state["sizes"] == {"S": [0.0, 2.0], "M": [2.0, 10.0], "L": [10.0, 30.0]}
    assert state["calendar_days"] is True
    with nothing_changes(board), pytest.raises(ValidationError, match="S, M and L at least"):
        services.board_update(workshop=board, by=fran, op=None, sizes={"M": [1, 5]})
    last = board.operations.order_by("seq").last()
    assert last is not None
    assert last.summary == "changed what the sizes mean; counted time in calendar days"


# ----- timings -----


def test_a_step_gets_a_size_and_an_estimate_split_into_work_and_wait(
    board: Workshop, alice: Participant, steps: list[Sticky]
) -> None:
    timing = time(board, alice, steps[1:2], size="m", estimate="2-5 days", work="3h", wait="2 d")
    state = entities.timing_state(timing).state
    assert state == {
        "entity": "timing", "id": str(timing.pk), "version": 1, "events": ids(steps[1]),
        "size": "M", "estimate": {"low": 2.0, "high": 5.0, "unit": "days"},
        "work": {"low": 3.0, "high": 3.0, "unit": "hours"},
        "wait": {"low": 2.0, "high": 2.0, "unit": "days"}, "deleted": False,
    }  # fmt: skip
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "timed a step from “Code reviewed”"


def test_each_field_given_is_set_and_an_empty_one_clears_it(
    board: Workshop, alice: Participant, bob: Participant, steps: list[Sticky]
) -> None:
    first = time(board, alice, steps[:1], size="S")
    again = time(board, bob, steps[:1], estimate="1 to 2 weeks")
    assert again.pk == first.pk and again.version == 2
    assert (again.size, again.estimate) == ("S", {"low": 1.0, "high": 2.0, "unit": "weeks"})
    cleared = time(board, bob, steps[:1], size="")
    assert (cleared.size, cleared.version) == ("", 3)
    assert entities.timing_state(cleared).state["size"] is None
    with nothing_changes(board), pytest.raises(ValidationError, match="Give a size or an estimate"):
        time(board, bob, steps[:1], estimate="", work="", wait=" ")
    with nothing_changes(board), pytest.raises(ValidationError, match="Give a size or an estimate"):
        time(board, bob, steps[1:2], size="")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"size": "XXL"}, "The sizes on this board are XS, S, M, L, XL."),
        ({"estimate": "soon"}, "The estimate should read like"),
        ({"work": "a while"}, "The working time should read like"),
        ({"wait": "5-2 days"}, "The waiting time goes from the shorter time to the longer"),
        ({"size": "M", "wait": "3 lightyears"}, "The waiting time is in hours, days, weeks"),
    ],
)
def test_a_size_off_the_scale_or_an_estimate_that_cannot_be_read_is_refused(
    board: Workshop, alice: Participant, steps: list[Sticky], fields: dict[str, str], message: str
) -> None:
    with nothing_changes(board), pytest.raises(ValidationError) as refused:
        time(board, alice, steps[:1], **fields)
    assert message in refused.value.messages[0]
    assert not Timing.objects.exists()


def test_the_sizes_are_the_boards_own(
    board: Workshop, fran: Participant, alice: Participant, steps: list[Sticky]
) -> None:
    scale = {"S": [0, 1], "M": [1, 5], "L": [5, 20]}
    services.board_update(workshop=board, by=fran, op=None, sizes=scale)
    with pytest.raises(ValidationError) as refused:
        time(board, alice, steps[:1], size="XS")
    assert refused.value.messages == ["The sizes on this board are S, M, L."]
    assert time(board, alice, steps[:1], size=" l ").size == "L"


def test_a_group_is_two_or_three_events_next_to_each_other_in_any_order(
    board: Workshop, alice: Participant, steps: list[Sticky]
) -> None:
    pair = time(board, alice, [steps[2], steps[1]], size="L")
    assert pair.events == ids(steps[1], steps[2])
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "timed a group of 2 steps from “Code reviewed”"
    three = time(board, alice, [steps[3], steps[1], steps[2]], estimate="3 weeks")
    assert three.events == ids(*steps[1:])
    with nothing_changes(board), pytest.raises(ValidationError, match="next to each other"):
        time(board, alice, [steps[0], steps[2]], size="S")
    with nothing_changes(board), pytest.raises(ValidationError, match="2 or 3 consecutive"):
        time(board, alice, steps, size="S")
    with nothing_changes(board), pytest.raises(ValidationError, match="2 or 3 consecutive"):
        time(board, alice, [], size="S")
    with nothing_changes(board), pytest.raises(ValidationError, match="named once"):
        time(board, alice, [steps[0], steps[0]], size="S")


def test_a_parallel_event_is_next_to_the_one_before_it(
    board: Workshop, alice: Participant, steps: list[Sticky]
) -> None:
    services.sticky_update(workshop=board, by=alice, op=None, sticky_id=steps[2].pk, parallel=True)
    assert time(board, alice, steps[1:3], size="M").events == ids(*steps[1:3])


def test_only_shared_events_on_the_timeline_are_timed(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant,
    steps: list[Sticky], other_board: Workshop, otto: Participant,
) -> None:  # fmt: skip
    note = make_note(board, alice, Kind.PAIN, "Reviewers are busy", steps[1])
    parked = make_sticky(board, alice, text="Released", place=PARKED)
    for wrong in (note, parked):
        with nothing_changes(board), pytest.raises(ValidationError, match="not notes or parked"):
            time(board, alice, [wrong], size="S")
    services.board_update(workshop=board, by=fran, op=None, private_brainstorm=True)
    private = make_sticky(board, alice, text="Smoke tested")
    with nothing_changes(board), pytest.raises(ValidationError, match="not notes or parked"):
        time(board, alice, [steps[3], private], size="S")
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=steps[0].pk)
    elsewhere = make_sticky(other_board, otto, text="Built")
    for gone in (steps[0], elsewhere):
        with nothing_changes(board), pytest.raises(Gone):
            time(board, bob, [gone], size="S")


def test_a_group_replaces_the_timings_of_its_steps_and_the_other_way_round(
    board: Workshop, alice: Participant, bob: Participant, steps: list[Sticky]
) -> None:
    one = time(board, alice, steps[1:2], size="S")
    two = time(board, alice, steps[2:3], size="M")
    four = time(board, alice, steps[3:4], size="L")
    group = time(board, bob, steps[1:3], estimate="2-3 weeks")
    assert live_timings(board) == [
        (ids(steps[3]), "L", None),
        (ids(*steps[1:3]), "", {"low": 2.0, "high": 3.0, "unit": "weeks"}),
    ]
    last = board.operations.order_by("seq").last()
    assert last is not None
    assert set(last.entities) == {f"timing:{t.pk}" for t in (one, two, group)}
    for replaced in (one, two):
        state = entities.timing_state(Timing.objects.get(pk=replaced.pk)).state
        assert state["deleted"] is True and state["version"] == 2
    single = time(board, bob, steps[2:3], size="XL")
    assert live_timings(board) == [(ids(steps[3]), "L", None), (ids(steps[2]), "XL", None)]
    assert Timing.objects.get(pk=group.pk).deleted_at is not None
    assert Timing.objects.get(pk=four.pk).deleted_at is None and single.pk != two.pk


def test_a_timing_is_taken_away(
    board: Workshop, alice: Participant, bob: Participant, steps: list[Sticky]
) -> None:
    timing = time(board, alice, steps[:2], size="S")
    removed = services.timing_clear(workshop=board, by=bob, op=None, timing_id=timing.pk)
    state = entities.timing_state(removed).state
    assert state["deleted"] is True and state["version"] == 2
    assert live_timings(board) == []
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "took a timing away"
    with nothing_changes(board), pytest.raises(Gone):
        services.timing_clear(workshop=board, by=bob, op=None, timing_id=timing.pk)


def test_a_timing_of_another_board_is_not_there(
    board: Workshop, alice: Participant, other_board: Workshop, otto: Participant
) -> None:
    theirs = time(other_board, otto, [make_sticky(other_board, otto, text="Built")], size="S")
    with nothing_changes(board), pytest.raises(Gone):
        services.timing_clear(workshop=board, by=alice, op=None, timing_id=theirs.pk)


# ----- the estimation round -----


def test_a_round_is_started_on_some_steps_picked_privately_and_revealed(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant, steps: list[Sticky]
) -> None:
    a_round(board, fran, "start", steps[2], steps[1])
    assert round_of(board) | {"id": "", "version": 0} == {
        "entity": "round", "id": "", "version": 0, "events": ids(steps[1], steps[2]),
        "status": "open", "picked": [], "picks": {},
    }  # fmt: skip
    pick(board, alice, "m")
    pick(board, bob, "XL")
    pick(board, bob, "L")  # changed their mind

    shown = round_of(board)
    assert (shown["picked"], shown["picks"]) == (sorted([alice.pk, bob.pk]), {})
    mine = entities.participant_state(Participant.objects.get(pk=alice.pk))
    assert view(Viewer(alice.pk), mine)["pick"] == "M"  # type: ignore[index]
    for someone in (Viewer(bob.pk), Viewer(fran.pk, facilitator=True), Viewer(None)):
        seen = view(someone, mine)
        assert seen is not None and "pick" not in seen and seen["picked"] is True
    summaries = [op.summary for op in board.operations.order_by("seq")][-3:]
    assert summaries == ["picked a size"] * 3

    a_round(board, fran, "reveal")

    shown = round_of(board)
    assert shown["status"] == "revealed"
    assert shown["picks"] == {str(alice.pk): "M", str(bob.pk): "L"}
    with pytest.raises(ValidationError, match="shown already"):
        pick(board, alice, "S")
    with pytest.raises(ValidationError, match="shown already"):
        a_round(board, fran, "reveal")


def test_a_pick_is_taken_back(
    board: Workshop, fran: Participant, alice: Participant, steps: list[Sticky]
) -> None:
    a_round(board, fran, "start", steps[0])
    pick(board, alice, "S")
    assert pick(board, alice, "") is None
    assert round_of(board)["picked"] == []
    pick(board, alice, "S")
    assert pick(board, alice, None) is None
    assert not Pick.objects.exists()
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "took their pick back"


def test_a_pick_changed_over_the_socket_is_saved_each_time(
    board: Workshop, fran: Participant, alice: Participant, steps: list[Sticky]
) -> None:
    """As the socket runs commands (services.run_together: pipelined on PostgreSQL), where an
    update_or_create once took its own UPDATE for 'no row saved' and failed every second pick."""
    a_round(board, fran, "start", steps[0])
    for number, size in enumerate(["S", "M", "L"]):
        [outcome] = services.run_together(
            [(command("pick", f"p{number}", size=size), board, alice)]
        )
        assert isinstance(outcome, Pick), outcome
    assert list(Pick.objects.values_list("size", flat=True)) == ["L"]


def test_picks_are_sizes_of_the_scale_made_while_a_round_is_open(
    board: Workshop, fran: Participant, alice: Participant, steps: list[Sticky]
) -> None:
    with nothing_changes(board), pytest.raises(ValidationError, match="No estimation round"):
        pick(board, alice, "S")
    a_round(board, fran, "start", steps[0])
    with pytest.raises(ValidationError, match="The sizes on this board are XS, S, M, L, XL"):
        pick(board, alice, "huge")
    assert round_of(board)["picked"] == []


def test_stopping_or_restarting_a_round_drops_the_picks(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant, steps: list[Sticky]
) -> None:
    a_round(board, fran, "start", steps[0])
    pick(board, alice, "S")
    a_round(board, fran, "start", steps[1], steps[2])
    assert round_of(board)["picked"] == [] and round_of(board)["events"] == ids(*steps[1:3])
    pick(board, bob, "M")
    a_round(board, fran, "reveal")
    a_round(board, fran, "stop")
    assert round_of(board) | {"id": "", "version": 0} == {
        "entity": "round", "id": "", "version": 0, "events": [], "status": None,
        "picked": [], "picks": {},
    }  # fmt: skip
    assert not Pick.objects.exists()
    last = board.operations.order_by("seq").last()
    assert last is not None and f"participant:{bob.pk}" in last.entities
    assert entities.participant_state(Participant.objects.get(pk=bob.pk)).state["pick"] is None
    for action in ("reveal", "stop"):
        with nothing_changes(board), pytest.raises(ValidationError, match="No estimation round"):
            a_round(board, fran, action)


def test_a_round_needs_steps_to_size_and_a_known_action(
    board: Workshop, fran: Participant, steps: list[Sticky]
) -> None:
    with nothing_changes(board), pytest.raises(ValidationError, match="Say which event"):
        a_round(board, fran, "start")
    with nothing_changes(board), pytest.raises(ValidationError, match="next to each other"):
        a_round(board, fran, "start", steps[0], steps[3])
    with nothing_changes(board), pytest.raises(ValidationError, match="must be one of start"):
        a_round(board, fran, "begin", steps[0])


def test_only_facilitators_run_a_round(
    board: Workshop, alice: Participant, steps: list[Sticky]
) -> None:
    for action in ("start", "reveal", "stop"):
        with nothing_changes(board), pytest.raises(PermissionDenied):
            a_round(board, alice, action, steps[0])
