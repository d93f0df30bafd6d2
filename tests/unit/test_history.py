"""The board's history page: every change, newest first, for the facilitators only."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_participant, make_user
from workshops import protocol, services
from workshops.access import remember_participant
from workshops.kinds import Kind
from workshops.models import Operation, Participant, Workshop


def add(board: Workshop, by: Participant, text: str, kind: str = Kind.EVENT) -> None:
    services.sticky_add(
        workshop=board, by=by, op=None, kind=kind, text=text, place=protocol.Place(parked=True)
    )


def history_page(client: Client, board: Workshop, page: int | None = None) -> str:
    query = {"page": page} if page else {}
    response = client.get(reverse("history", args=[board.slug]), query)
    assert response.status_code == 200
    return response.content.decode()


def summaries(page: str) -> list[str]:
    return re.findall(r'<td class="what">(.*?)</td>', page)


def test_the_history_lists_changes_newest_first_with_who_made_them(
    client: Client, board: Workshop, alice: Participant
) -> None:
    me = services.facilitator_participant(workshop=board, user=board.owner)
    add(board, me, "Story picked up")
    add(board, alice, "Code reviewed")
    add(board, me, "Flaky tests", kind=Kind.PAIN)
    client.force_login(board.owner)
    page = history_page(client, board)
    assert summaries(page) == [
        "added a pain point “Flaky tests”",
        "added an event “Code reviewed”",
        "added an event “Story picked up”",
    ]
    assert '<span class="name" dir="auto">Alice</span>' in page
    assert (
        f'<span class="name" dir="auto">{me.name}</span> <span class="role">facilitator</span>'
        in page
    )
    assert f"person-{alice.colour[1:]}" in page
    assert "3 changes" in page


def test_a_change_by_nobody_known_shows_a_dash(client: Client, board: Workshop) -> None:
    Operation.objects.create(workshop=board, seq=1, action="add", summary="added event “X”")
    client.force_login(board.owner)
    page = history_page(client, board)
    assert summaries(page) == ["added event “X”"]
    assert "—" in page


def test_a_board_without_changes_says_so(client: Client, board: Workshop) -> None:
    client.force_login(board.owner)
    assert "Nothing has changed on this board yet" in history_page(client, board)


def test_the_history_shows_a_hundred_changes_a_page(client: Client, board: Workshop) -> None:
    Operation.objects.bulk_create(
        Operation(workshop=board, seq=seq, action="add", summary=f"change {seq}")
        for seq in range(1, 106)
    )
    client.force_login(board.owner)
    first = summaries(history_page(client, board))
    assert len(first) == 100
    assert first[0] == "change 105" and first[-1] == "change 6"
    second = history_page(client, board, page=2)
    assert summaries(second) == [f"change {seq}" for seq in range(5, 0, -1)]
    assert "Page 2 of 2" in second


def test_a_co_facilitator_can_read_the_history(client: Client, board: Workshop) -> None:
    helper = make_user("helen")
    services.co_facilitator_add(workshop=board, by=board.owner, username_or_email="helen")
    client.force_login(helper)
    history_page(client, board)


def test_the_manage_page_links_to_the_history(client: Client, board: Workshop) -> None:
    client.force_login(board.owner)
    page = client.get(reverse("manage", args=[board.slug])).content.decode()
    assert f'href="{reverse("history", args=[board.slug])}"' in page


@pytest.mark.parametrize("who", ["participant", "observer", "other account", "stranger"])
def test_only_facilitators_read_the_history(client: Client, board: Workshop, who: str) -> None:
    if who == "participant":
        session = client.session
        remember_participant(session, make_participant(board, "Bob"))
        session.save()
    elif who == "observer":
        client.get(reverse("observe", args=[board.observer_token]))
    elif who == "other account":
        client.force_login(make_user())
    response = client.get(reverse("history", args=[board.slug]))
    assert response.status_code == 403


def test_the_history_and_the_map_are_only_read(client: Client, board: Workshop) -> None:
    client.force_login(board.owner)
    for name in ("history", "export_json"):
        assert client.post(reverse(name, args=[board.slug])).status_code == 405
