"""The agenda: phases defined once, the shared timer, ready flags, the lock and follow-me, each a
change of the board's own state that everyone gets live."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import make_sticky
from tests.unit.board_helpers import PARKED, nothing_changes, timeline
from workshops import entities, services
from workshops.agenda import PHASES, Phase
from workshops.kinds import KINDS
from workshops.models import Participant, Workshop
from workshops.services import agenda

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def fran(board: Workshop) -> Participant:
    return services.facilitator_participant(workshop=board, user=board.owner)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    now = [START]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    return now


def timer(board: Workshop) -> dict[str, object] | None:
    board.refresh_from_db()
    return entities.board_state(board).state["timer"]


def test_every_phase_says_what_to_do_now_with_tips_kinds_and_controls() -> None:
    assert list(PHASES) == list(Phase.values)
    for info in PHASES.values():
        assert info.now.endswith(".") and len(info.now) < 160
        assert info.tips and all(tip.strip() for tip in info.tips)
        assert set(info.kinds) <= set(KINDS)
        assert info.controls and info.minutes > 0


def test_going_back_a_phase_loses_nothing(
    board: Workshop, fran: Participant, alice: Participant
) -> None:
    make_sticky(board, alice, text="Code reviewed")
    for phase in (Phase.BRAINSTORM, Phase.ORDER, Phase.BRAINSTORM):
        services.board_update(workshop=board, by=fran, op=None, phase=phase)
    board.refresh_from_db()
    assert board.phase == Phase.BRAINSTORM and board.version == 4
    assert timeline(board) == ["Code reviewed"]
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "moved the workshop to “Brainstorm events”"


def test_the_timer_counts_down_from_an_end_time_and_pauses_resumes_grows_and_stops(
    board: Workshop, fran: Participant, clock: list[datetime]
) -> None:
    services.timer_set(workshop=board, by=fran, op=None, action="start", seconds=600)
    ends = round((START + timedelta(minutes=10)).timestamp() * 1000)
    assert timer(board) == {"ends_at": ends, "left": None, "length": 600}
    clock[0] += timedelta(minutes=4)
    services.timer_set(workshop=board, by=fran, op=None, action="pause")
    assert timer(board) == {"ends_at": None, "left": 360.0, "length": 600}
    clock[0] += timedelta(minutes=30)  # paused: no time passes for the timebox
    services.timer_set(workshop=board, by=fran, op=None, action="add")
    services.timer_set(workshop=board, by=fran, op=None, action="resume")
    resumed = round((clock[0] + timedelta(seconds=420)).timestamp() * 1000)
    assert timer(board) == {"ends_at": resumed, "left": None, "length": 660}
    services.timer_set(workshop=board, by=fran, op=None, action="stop")
    assert timer(board) is None


@pytest.mark.parametrize(
    ("action", "seconds", "message"),
    [
        ("start", 9, "from 10 s to 4 h"),
        ("start", 4 * 3600 + 1, "from 10 s to 4 h"),
        ("start", None, "from 10 s to 4 h"),
        ("launch", 60, "'action' must be one of"),
        ("pause", None, "no timer running"),
        ("add", 60, "no timer running"),
    ],
)
def test_a_timer_out_of_range_or_without_a_timebox_is_refused(
    board: Workshop, fran: Participant, action: str, seconds: int | None, message: str
) -> None:
    with nothing_changes(board), pytest.raises(ValidationError, match=message):
        services.timer_set(workshop=board, by=fran, op=None, action=action, seconds=seconds)


def test_a_running_timer_cannot_be_resumed_nor_a_paused_one_paused(
    board: Workshop, fran: Participant, clock: list[datetime]
) -> None:
    services.timer_set(workshop=board, by=fran, op=None, action="start", seconds=60)
    with pytest.raises(ValidationError, match="running already"):
        services.timer_set(workshop=board, by=fran, op=None, action="resume")
    services.timer_set(workshop=board, by=fran, op=None, action="pause")
    with pytest.raises(ValidationError, match="paused already"):
        services.timer_set(workshop=board, by=fran, op=None, action="pause")


def test_ready_flags_count_for_the_phase_they_were_given_in(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant
) -> None:
    services.board_update(workshop=board, by=fran, op=None, phase=Phase.BRAINSTORM)
    services.ready_set(workshop=board, by=alice, op=None, ready=True)
    services.ready_set(workshop=board, by=bob, op=None, ready=True)
    services.ready_set(workshop=board, by=bob, op=None, ready=False)
    ready = [p.name for p in board.participants.all() if p.ready_phase == Phase.BRAINSTORM]
    assert ready == ["Alice"]
    state = entities.participant_state(Participant.objects.get(pk=alice.pk)).state
    assert state == {"entity": "participant", "id": alice.pk, "version": 2, "name": "Alice",
                     "ready_phase": "brainstorm", "picked": False, "votes": {},
                     "pick": None}  # fmt: skip
    services.board_update(workshop=board, by=fran, op=None, phase=Phase.ORDER)
    board.refresh_from_db()
    assert not [p for p in board.participants.all() if p.ready_phase == board.phase]


def test_a_locked_board_takes_changes_from_facilitators_only_and_ready_flags_from_all(
    board: Workshop, fran: Participant, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    services.board_update(workshop=board, by=fran, op=None, locked=True)
    with nothing_changes(board), pytest.raises(PermissionDenied, match="locked"):
        services.sticky_move(workshop=board, by=alice, op=None, sticky_id=review.pk, place=PARKED)
    with pytest.raises(PermissionDenied, match="locked"):
        make_sticky(board, alice, text="Deploy")
    services.ready_set(workshop=board, by=alice, op=None, ready=True)
    services.sticky_move(workshop=board, by=fran, op=None, sticky_id=review.pk, place=PARKED)
    services.board_update(workshop=board, by=fran, op=None, locked=False)
    make_sticky(board, alice, text="Deploy")


def test_follow_me_names_an_event_the_parking_area_or_the_start(
    board: Workshop, fran: Participant, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    for target in (f"event:{review.pk}", "parking", "start", None):
        services.follow_set(workshop=board, by=fran, op=None, target=target)
        board.refresh_from_db()
        assert entities.board_state(board).state["follow"] == target
    parked = make_sticky(board, alice, text="Parked", place=PARKED)
    for wrong in ("event:nope", f"event:{parked.pk}", "elsewhere"):
        with nothing_changes(board), pytest.raises(ValidationError, match="parking"):
            services.follow_set(workshop=board, by=fran, op=None, target=wrong)


@pytest.mark.parametrize(
    "change",
    [
        lambda board, by: services.timer_set(
            workshop=board, by=by, op=None, action="start", seconds=60
        ),
        lambda board, by: services.follow_set(workshop=board, by=by, op=None, target="start"),
        lambda board, by: services.board_update(workshop=board, by=by, op=None, locked=True),
        lambda board, by: services.board_update(workshop=board, by=by, op=None, phase="order"),
    ],
)
def test_only_facilitators_run_the_agenda(
    board: Workshop, alice: Participant, change: object
) -> None:
    with nothing_changes(board), pytest.raises(PermissionDenied, match="Only the facilitators"):
        change(board, alice)  # type: ignore[operator]
    with pytest.raises(PermissionDenied, match="Observers"):
        change(board, None)  # type: ignore[operator]


def test_durations_read_as_people_say_them() -> None:
    assert [agenda._duration(s) for s in (10, 60, 90, 3600, 3660, 14400)] == [
        "10 s", "1 min", "1 min 30 s", "1 h", "1 h 1 min", "4 h",
    ]  # fmt: skip
