"""The insight strip over HTTP: the figures the board page shows and fetches again, for whoever
may look at the board, worked out from what everyone may see."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_note, make_participant, make_sticky
from tests.unit.test_access_http import as_participant
from workshops import services
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop


@pytest.fixture
def fran(board: Workshop) -> Participant:
    return services.facilitator_participant(workshop=board, user=board.owner)


@pytest.fixture
def timed(board: Workshop, alice: Participant) -> list[Sticky]:
    """The issue's worked example: A (S), B (M), C (L), D (M, alongside C), E (S)."""
    events = [make_sticky(board, alice, text=f"{name} done") for name in "ABCDE"]
    services.sticky_update(workshop=board, by=alice, op=None, sticky_id=events[3].pk, parallel=True)
    for event, size in zip(events, ["S", "M", "L", "M", "S"], strict=True):
        services.timing_set(workshop=board, by=alice, op=None, events=[event.pk], size=size)
    return events


def strip(client: Client, board: Workshop) -> str:
    response = client.get(reverse("insight_strip", args=[board.slug]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return response.content.decode()


def marks(html: str) -> dict[str, dict[str, dict[str, object]]]:
    found = re.search(r'<script id="insight-marks" type="application/json">(.*?)</script>', html)
    assert found, html
    return json.loads(found.group(1))


def said(html: str) -> str:
    found = re.search(r'data-said="([^"]*)"', html)
    assert found, html
    return found.group(1)


def test_a_stranger_gets_nothing_of_the_insight(client: Client, board: Workshop, timed) -> None:
    response = client.get(reverse("insight_strip", args=[board.slug]))
    assert response.status_code == 403
    assert b"days" not in response.content


def test_the_strip_says_the_lead_time_and_the_slowest_step(
    client: Client, board: Workshop, alice: Participant, timed: list[Sticky]
) -> None:
    html = strip(as_participant(client, alice), board)

    assert "Lead time <strong>6-27 days</strong>" in html
    assert "step 3 “<bdi>C done</bdi>”, <strong>74%</strong> of the time" in html
    assert said(html).startswith("Lead time 6-27 days. Slowest: step 3, 74% of the time.")
    on_the_timeline = marks(html)
    assert on_the_timeline[str(timed[2].pk)]["time"] == {
        "name": "Bottleneck 1",
        "share": "74%",
        "level": 4,
    }
    assert on_the_timeline[str(timed[3].pk)]["time"]["name"] == "Adds no time"  # alongside C
    assert "Bottleneck 2" in html and "What is missing" in html


def test_a_step_without_a_timing_is_said_to_be_missing(
    client: Client, board: Workshop, alice: Participant, timed: list[Sticky]
) -> None:
    make_sticky(board, alice, text="F done")

    html = strip(as_participant(client, alice), board)

    assert "1 step has no timing yet (6); the range assumes nothing for them." in html


def test_hidden_votes_are_not_counted_until_the_facilitator_shows_them(
    client: Client, board: Workshop, alice: Participant, fran: Participant, timed: list[Sticky]
) -> None:
    bob = make_participant(board, "Bob")
    slow = make_note(board, alice, Kind.PAIN, "Waits for a reviewer", timed[1])
    make_note(board, alice, Kind.PAIN, "Flaky tests", timed[4])
    for voter in (alice, bob):
        services.vote_add(workshop=board, by=voter, op=None, sticky_id=slow.pk)
    client.force_login(board.owner)  # a facilitator sees the tally, but not in the insight

    hidden = strip(client, board)
    services.board_update(workshop=board, by=fran, op=None, votes_hidden=False)
    shown = strip(client, board)

    assert marks(hidden)[str(timed[1].pk)]["pain"]["share"] == "50%"
    assert "The votes are hidden until the facilitator shows them" in hidden
    assert marks(shown)[str(timed[1].pk)]["pain"] == {
        "name": "Hot spot 1",
        "share": "75%",
        "level": 4,
    }
    assert "Top hot spot: step 2, 75% of the pain." in said(shown)


def test_a_private_sticky_is_not_in_the_insight(
    client: Client, board: Workshop, alice: Participant, fran: Participant, timed: list[Sticky]
) -> None:
    services.board_update(workshop=board, by=fran, op=None, private_brainstorm=True)
    make_note(board, alice, Kind.PAIN, "Nobody knows who approves", timed[0])

    html = strip(as_participant(client, alice), board)  # its author, who sees it on the board

    assert "No pain points on the timeline yet." in html


def test_the_board_page_draws_the_strip_and_the_fetch_costs_a_few_queries(
    client: Client, board: Workshop, alice: Participant, timed: list[Sticky]
) -> None:
    as_participant(client, alice)
    page = client.get(reverse("board", args=[board.slug])).content.decode()
    assert 'id="insight"' in page and "Lead time <strong>6-27 days</strong>" in page

    with CaptureQueriesContext(connection) as queries:
        strip(client, board)

    assert len(queries) <= 12
