"""Who can open what over HTTP: each rule of access, and a clear page when refused."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_participant, make_user
from workshops import services
from workshops.access import remember_participant
from workshops.models import Participant, Workshop


def as_participant(client: Client, participant: Participant) -> Client:
    session = client.session
    remember_participant(session, participant)
    session.save()
    return client


def test_a_stranger_cannot_open_a_board(client: Client, board: Workshop) -> None:
    response = client.get(reverse("board", args=[board.slug]))
    assert response.status_code == 403
    assert b"Ask the facilitator for the link" in response.content


def test_an_unknown_workshop_is_a_clear_404(client: Client, db: None) -> None:
    response = client.get(reverse("board", args=["no-such-board"]))
    assert response.status_code == 404
    assert b"There is no workshop at this address" in response.content


@pytest.mark.parametrize("name", ["join", "observe"])
def test_a_wrong_token_is_a_clear_404(client: Client, board: Workshop, name: str) -> None:
    response = client.get(reverse(name, args=["not-the-token"]))
    assert response.status_code == 404
    assert b"not valid any more" in response.content


def test_a_revoked_observer_link_no_longer_shows_the_board(client: Client, board: Workshop) -> None:
    client.get(reverse("observe", args=[board.observer_token]))
    assert client.get(reverse("board", args=[board.slug])).status_code == 200
    services.link_regenerate(workshop=board, by=board.owner, link="observer")
    assert client.get(reverse("board", args=[board.slug])).status_code == 403


def test_a_participant_of_one_workshop_reaches_nothing_of_another(
    client: Client, board: Workshop, other_board: Workshop, alice: Participant
) -> None:
    as_participant(client, alice)
    assert client.get(reverse("board", args=[board.slug])).status_code == 200
    assert client.get(reverse("board", args=[other_board.slug])).status_code == 403
    assert client.get(reverse("manage", args=[other_board.slug])).status_code == 403


def test_a_participant_id_from_another_workshop_in_the_session_does_not_count(
    client: Client, board: Workshop, other_board: Workshop
) -> None:
    stranger = make_participant(other_board, "Mallory")
    session = client.session
    session["p2pboard"] = {"participants": {str(board.pk): stranger.pk}, "observing": {}}
    session.save()
    assert client.get(reverse("board", args=[board.slug])).status_code == 403


FACILITATOR_POSTS = [
    ("manage", lambda w, p: [w.slug], "get"),
    ("workshop_end", lambda w, p: [w.slug], "post"),
    ("link_regenerate", lambda w, p: [w.slug, "participant"], "post"),
    ("participant_rename", lambda w, p: [w.slug, p.pk], "post"),
    ("participant_remove", lambda w, p: [w.slug, p.pk], "post"),
    ("co_facilitator_add", lambda w, p: [w.slug], "post"),
]


@pytest.mark.parametrize(("name", "args", "method"), FACILITATOR_POSTS)
@pytest.mark.parametrize("who", ["participant", "observer", "other facilitator"])
def test_only_facilitators_manage_a_workshop(
    client: Client, board: Workshop, alice: Participant, name, args, method, who
) -> None:
    if who == "participant":
        as_participant(client, make_participant(board, "Bob"))
    elif who == "observer":
        client.get(reverse("observe", args=[board.observer_token]))
    else:
        client.force_login(make_user())
    response = getattr(client, method)(reverse(name, args=args(board, alice)), {"name": "X"})
    assert response.status_code == 403
    alice.refresh_from_db()
    board.refresh_from_db()
    assert alice.name == "Alice" and alice.removed_at is None and board.is_active


def test_an_observer_sees_the_board_read_only(client: Client, board: Workshop) -> None:
    client.get(reverse("observe", args=[board.observer_token]))
    page = client.get(reverse("board", args=[board.slug])).content.decode()
    assert "Observing · read-only" in page
    assert "Share" not in page


def test_forms_are_protected_by_csrf(board: Workshop) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("join", args=[board.participant_token]), {"name": "Eve"})
    assert response.status_code == 403
    assert not board.participants.exists()


def test_logging_out_needs_a_post(client: Client, facilitator) -> None:
    client.force_login(facilitator)
    assert client.get(reverse("logout")).status_code == 405
