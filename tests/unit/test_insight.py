"""The insight's arithmetic on worked examples (no database: `workshops.insight` is pure)."""

import pytest

from workshops.insight import Step, Timed, days_text, work_out

SCALE = {"S": (0.0, 1.0), "M": (1.0, 5.0), "L": (5.0, 20.0)}


def path(*names: str, parallel: tuple[str, ...] = (), **details: dict[str, object]) -> list[Step]:
    return [
        Step(
            id=name,
            number=number,
            text=f"{name} done",
            parallel=name in parallel,
            **details.get(name, {}),  # type: ignore[arg-type]
        )
        for number, name in enumerate(names, start=1)
    ]


def sized(*steps: str, size: str) -> Timed:
    return Timed(steps=steps, size=size, size_days=SCALE[size])


def test_the_worked_example_gives_six_to_twenty_seven_days_with_c_the_bottleneck():
    steps = path("A", "B", "C", "D", "E", parallel=("D",))
    timings = [
        sized("A", size="S"),
        sized("B", size="M"),
        sized("C", size="L"),
        sized("D", size="M"),
        sized("E", size="S"),
    ]

    insight = work_out(steps, timings, votes_counted=True)

    assert insight.lead_time == (6, 27)
    assert days_text(insight.lead_time) == "6-27 days"
    top = insight.bottlenecks[0]
    assert [step.id for step in top.steps] == ["C"]
    assert top.adds == (5, 20)
    assert round(top.share, 2) == 0.74
    d = next(unit for unit in insight.units if unit.steps[0].id == "D")
    assert d.adds == (0, 0)
    assert d not in insight.bottlenecks
    assert [unit.numbers for unit in insight.bottlenecks] == [[3], [2], [1]]
    assert insight.missing == ["No people or teams are on the steps, so hand-offs cannot be seen."]


def test_a_parallel_run_costs_its_longest_member_at_each_end_of_the_range():
    steps = path("A", "B", "C", parallel=("B", "C"))
    timings = [
        Timed(("A",), estimate=(2, 3)),
        Timed(("B",), estimate=(1, 10)),
        Timed(("C",), estimate=(4, 5)),
    ]

    insight = work_out(steps, timings, votes_counted=True)

    assert insight.lead_time == (4, 10)
    adds = {unit.steps[0].id: unit.adds for unit in insight.units}
    assert adds == {"A": (0, 0), "B": (0, 10), "C": (4, 0)}


def test_a_group_of_steps_counts_once():
    steps = path("A", "B", "C", "D")
    timings = [Timed(("B", "C"), size="M", size_days=SCALE["M"]), sized("D", size="S")]

    insight = work_out(steps, timings, votes_counted=True)

    assert [unit.numbers for unit in insight.units] == [[1], [2, 3], [4]]
    assert insight.lead_time == (1, 6)
    assert insight.bottlenecks[0].label == "steps 2-3"
    assert insight.untimed == [steps[0]]
    assert insight.missing[0] == "1 step has no timing yet (1); the range assumes nothing for them."


def test_a_group_whose_steps_were_moved_apart_is_left_out():
    steps = path("A", "B", "C")
    insight = work_out(steps, [Timed(("A", "C"), estimate=(1, 2))], votes_counted=True)

    assert insight.lead_time is None
    assert [unit.numbers for unit in insight.units] == [[1], [2], [3]]
    assert insight.missing[0] == "No step has a size or an estimate yet, so there is no lead time."


def test_an_estimate_wins_over_a_size_and_work_plus_wait_stands_in_for_both():
    steps = path("A", "B")
    timings = [
        Timed(("A",), size="L", size_days=SCALE["L"], estimate=(2, 3)),
        Timed(("B",), work=(0.5, 1), wait=(2, 4)),
    ]

    insight = work_out(steps, timings, votes_counted=True)

    assert insight.lead_time == (4.5, 8)


def test_flow_efficiency_is_the_work_over_the_time_of_the_steps_that_gave_it():
    steps = path("A", "B", "C")
    timings = [
        Timed(("A",), estimate=(4, 6), work=(1, 1), wait=(3, 5)),
        Timed(("B",), estimate=(1, 3), work=(1, 1)),
        Timed(("C",), estimate=(10, 10)),
    ]

    insight = work_out(steps, timings, votes_counted=True)

    assert insight.work == (2, 2)
    assert insight.wait == (3, 5)
    assert insight.flow_efficiency == pytest.approx(2 / 7)
    assert insight.as_json()["flow_efficiency"] == 0.2857


def test_nothing_given_about_work_gives_no_efficiency():
    insight = work_out(path("A"), [Timed(("A",), estimate=(1, 2))], votes_counted=True)

    assert (insight.work, insight.wait, insight.flow_efficiency) == (None, None, None)


def test_tied_bottlenecks_go_to_more_votes_then_more_pain_then_the_earlier_step():
    steps = path(
        "A", "B", "C", "D",
        B={"votes": 2, "pain": 1},
        C={"votes": 2, "pain": 3},
        D={"votes": 5},
    )  # fmt: skip
    timings = [Timed((name,), estimate=(1, 2)) for name in "ABCD"]

    insight = work_out(steps, timings, votes_counted=True)

    assert [unit.steps[0].id for unit in insight.bottlenecks] == ["D", "C", "B"]
    assert all(unit.share == 0.25 for unit in insight.bottlenecks)


def test_hot_spots_are_weighted_by_votes_once_the_votes_are_shown():
    steps = path(
        "A", "B", "C", "D",
        A={"pain": 1, "votes": 6},
        B={"pain": 1},
        C={"pain": 1, "votes": 1},
        D={"votes": 4},  # votes without pain make no pain hot spot
    )  # fmt: skip

    shown = work_out(steps, [], votes_counted=True)
    hidden = work_out(steps, [], votes_counted=False)

    assert [(spot.step.id, spot.weight) for spot in shown.hot_spots] == [
        ("A", 7), ("C", 2), ("B", 1),
    ]  # fmt: skip
    assert round(shown.hot_spots[0].share, 2) == 0.7
    assert [(spot.step.id, spot.weight) for spot in hidden.hot_spots] == [
        ("A", 1), ("B", 1), ("C", 1),
    ]  # fmt: skip
    assert all(unit.votes == 0 for unit in hidden.units)
    assert any(line.startswith("The votes are hidden") for line in hidden.missing)


def test_a_hand_off_is_a_change_of_people_from_one_named_step_to_the_next():
    steps = path(
        "A", "B", "C", "D", "E", "F",
        A={"people": ("Developer",)},
        B={"people": ("developer", "Reviewer")},
        C={"people": ("Ops team",)},
        E={"people": ("Change board",)},  # D names nobody: the work is still with the Ops team
        F={"people": ("change Board",)},
    )  # fmt: skip

    insight = work_out(steps, [], votes_counted=True)

    assert [(h.after.id, h.before.id) for h in insight.hand_offs] == [("B", "C"), ("C", "E")]
    assert insight.as_json()["hand_offs"][0] == {
        "from_step": 2, "to_step": 3, "from": ["developer", "Reviewer"], "to": ["Ops team"],
    }  # fmt: skip


def test_each_check_is_a_manual_gate():
    steps = path("A", "B", B={"checks": ("CAB approval", "Security sign-off")})

    insight = work_out(steps, [], votes_counted=True)

    assert [(gate.step.id, gate.text) for gate in insight.gates] == [
        ("B", "CAB approval"),
        ("B", "Security sign-off"),
    ]


def test_an_empty_path_says_so():
    insight = work_out([], [], votes_counted=True)

    assert insight.lead_time is None
    assert insight.missing == ["There are no steps on the timeline yet."]
    assert insight.as_json()["units"] == []


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ((6, 27), "6-27 days"),
        ((1, 1), "1 day"),
        ((0.5, 2.25), "0.5-2.3 days"),
        ((37.38, 114.75), "37-115 days"),
        ((0, 0.5), "under a day"),
        ((0, 0), "0 days"),
        (None, "not known yet"),
    ],
)
def test_days_read_as_people_say_them(days, text):
    assert days_text(days) == text
