"""Participants join by link with a name and are remembered; facilitators rename and remove."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from workshops import services
from workshops.limits import LIMITS, Limits
from workshops.models import Participant, Workshop
from workshops.services import people


def join(client: Client, workshop: Workshop, name: str = "Priya"):
    return client.post(reverse("join", args=[workshop.participant_token]), {"name": name})


def test_a_participant_joins_with_a_name_and_lands_on_the_board(
    client: Client, board: Workshop
) -> None:
    response = join(client, board)
    assert response["Location"] == reverse("board", args=[board.slug])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert board.participants.get().name == "Priya"


def test_following_the_link_again_returns_the_same_participant(
    client: Client, board: Workshop
) -> None:
    join(client, board)
    again = client.get(reverse("join", args=[board.participant_token]))
    assert again["Location"] == reverse("board", args=[board.slug])
    assert board.participants.count() == 1


def test_participants_get_distinct_colours(board: Workshop) -> None:
    colours = {services.participant_join(workshop=board, name=f"P{i}").colour for i in range(12)}
    assert len(colours) == 12


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("  Ana   Lucia ", "Ana Lucia"), ("Bob\x00\u200b", "Bob"), ("<b>Eve</b>", "<b>Eve</b>")],
)
def test_names_are_tidied(raw: str, clean: str) -> None:
    assert services.clean_name(raw) == clean


@pytest.mark.parametrize("raw", ["", "   ", "\x07", "x" * (LIMITS.display_name + 1)])
def test_bad_names_are_refused_with_a_message(raw: str) -> None:
    with pytest.raises(ValidationError):
        services.clean_name(raw)


def test_a_too_long_name_on_the_join_page_is_explained(client: Client, board: Workshop) -> None:
    response = join(client, board, "x" * 41)
    assert response.status_code == 200
    assert b"at most 40 characters" in response.content
    assert not board.participants.exists()


def test_html_in_a_name_shows_as_text(client: Client, board: Workshop) -> None:
    join(client, board, "<script>alert(1)</script>")
    client.force_login(board.owner)
    page = client.get(reverse("manage", args=[board.slug])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_full_workshop_refuses_more_participants(
    board: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(people, "LIMITS", Limits(participants_per_board=1))
    services.participant_join(workshop=board, name="First")
    with pytest.raises(ValidationError, match="full"):
        services.participant_join(workshop=board, name="Second")


def test_the_facilitator_renames_a_participant(board: Workshop, alice: Participant) -> None:
    services.participant_rename(
        workshop=board, by=board.owner, participant_id=alice.pk, name="Alice B."
    )
    alice.refresh_from_db()
    assert alice.name == "Alice B."


def test_a_removed_participant_is_turned_away_from_board_and_link(
    client: Client, board: Workshop
) -> None:
    join(client, board)
    priya = board.participants.get()
    services.participant_remove(workshop=board, by=board.owner, participant_id=priya.pk)
    board_page = client.get(reverse("board", args=[board.slug]))
    assert board_page.status_code == 403
    assert b"removed you" in board_page.content
    assert client.get(reverse("join", args=[board.participant_token])).status_code == 403


def test_a_participant_comes_back_as_themselves_on_another_device(
    client: Client, board: Workshop
) -> None:
    join(client, board, "Priya")
    page = client.get(reverse("board", args=[board.slug])).content.decode()
    priya = board.participants.get()
    link = reverse("rejoin", args=[priya.rejoin_token])
    assert link in page

    phone = Client()
    response = phone.get(link)
    assert response["Location"] == reverse("board", args=[board.slug])
    assert "Priya" in phone.get(response["Location"]).content.decode()
    assert board.participants.count() == 1  # the same person, not a second one


def test_a_removed_participant_cannot_come_back_by_their_personal_link(
    client: Client, board: Workshop
) -> None:
    priya = services.participant_join(workshop=board, name="Priya")
    services.participant_remove(workshop=board, by=board.owner, participant_id=priya.pk)
    assert client.get(reverse("rejoin", args=[priya.rejoin_token])).status_code == 403
    assert client.get(reverse("rejoin", args=["not-a-token"])).status_code == 404
