"""Flood control: a participant's frames are limited across all their sockets, refusals fade
so that only a sustained flood closes a socket, joins from one address are throttled (a room
behind one address still gets in), and nobody fills a board alone."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import make_sticky
from tests.unit.board_helpers import nothing_changes
from workshops import rates
from workshops.kinds import Kind
from workshops.limits import LIMITS, Limits
from workshops.models import Participant, Workshop
from workshops.protocol import Place


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The time the rate limits see, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    return now


def test_a_burst_passes_then_frames_are_refused_and_the_bucket_refills(
    clock: list[float],
) -> None:
    limit = rates.RateLimit(rate=10, burst=5)
    assert [limit.allow() for _ in range(7)] == [True] * 5 + [False] * 2
    clock[0] += 0.35  # three frames' worth, and a half
    assert [limit.allow() for _ in range(4)] == [True] * 3 + [False]


def test_refusals_fade_so_that_only_a_sustained_flood_counts_as_flooding(
    clock: list[float],
) -> None:
    limit = rates.RateLimit(rate=1, burst=3)
    for _ in range(6):
        limit.allow()
    assert not limit.flooding  # three strikes: not more than the burst
    clock[0] += 60  # a minute later the strikes are forgotten
    for _ in range(6):
        limit.allow()
    assert not limit.flooding
    for _ in range(10):
        limit.allow()
    assert limit.flooding


def test_a_sender_closed_for_flooding_is_turned_away_until_it_pauses(
    clock: list[float],
) -> None:
    limit = rates.RateLimit(rate=1, burst=3)
    assert not limit.refuses_socket()  # nothing refused yet
    for _ in range(8):
        limit.allow()
    assert limit.flooding  # five strikes: closed
    assert limit.refuses_socket()  # reconnecting at once: turned away, one more strike
    clock[0] += 2.5  # six strikes less two and a half: still above the line
    assert limit.refuses_socket()
    clock[0] += 2.0  # 2.5 strikes: below it; the socket is let in and counts nothing
    assert not limit.refuses_socket()
    assert not limit.refuses_socket()
    assert limit.strikes == pytest.approx(2.5)


def test_a_session_closed_for_flooding_is_turned_away_at_the_handshake_until_it_fades(
    clock: list[float],
) -> None:
    buckets = rates.Buckets()
    limit = buckets.take(("participant", 7))
    while not limit.flooding:
        limit.allow()
    buckets.bar("flooder-session", limit)
    assert buckets.turned_away("flooder-session")
    assert not buckets.turned_away("another-session")
    assert not buckets.turned_away(None)  # no session cookie: the consumer decides
    clock[0] += 60
    assert not buckets.turned_away("flooder-session")
    assert "flooder-session" not in buckets.barred


def test_all_the_sockets_of_one_participant_share_one_budget(clock: list[float]) -> None:
    buckets = rates.Buckets()
    laptop, phone = buckets.take(("participant", 7)), buckets.take(("participant", 7))
    assert laptop is phone
    assert buckets.take(("participant", 8)) is not laptop
    buckets.give_back(("participant", 7))
    assert buckets.take(("participant", 7)) is laptop  # the phone's socket is still open
    for _ in range(2):
        buckets.give_back(("participant", 7))
    assert buckets.take(("participant", 7)) is laptop  # back at once: no fresh burst


def test_a_sender_gone_for_a_minute_is_forgotten(clock: list[float]) -> None:
    buckets = rates.Buckets()
    first = buckets.take(("participant", 7))
    first.allow()
    buckets.give_back(("participant", 7))
    clock[0] += 61
    buckets.give_back(("participant", 8))  # any later goodbye sweeps the idle ones
    assert buckets.take(("participant", 7)) is not first


def test_a_room_behind_one_address_joins_and_a_script_is_stopped(
    client: Client, board: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rates.time, "time", lambda: 1_000_020.0)  # all within one minute
    url = reverse("join", args=[board.participant_token])
    for number in range(LIMITS.joins_per_minute_per_address):
        response = Client().post(url, {"name": f"Person {number}"})
        assert response.status_code == 302, number
    refused = client.post(url, {"name": "One too many"})
    assert refused.status_code == 429
    assert "wait a minute" in refused.content.decode()
    assert not board.participants.filter(name="One too many").exists()
    elsewhere = client.post(url, {"name": "From another network"}, REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 302


def test_nobody_fills_a_board_alone(
    board: Workshop, alice: Participant, bob: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workshops.services.stickies.LIMITS", Limits(stickies_per_participant=2))
    for text in ("Built", "Tested"):
        make_sticky(board, alice, text=text)
    with nothing_changes(board), pytest.raises(ValidationError, match="the most one person"):
        make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=Place(parked=True))
    make_sticky(board, bob, text="Deployed")  # someone else still can
