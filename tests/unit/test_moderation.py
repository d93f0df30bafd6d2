"""Moderation: a facilitator takes back what one person did, and restores anything anyone
deleted, each as a change in the history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import make_note, make_sticky
from tests.unit.board_helpers import fresh, nothing_changes, parked_notes, timeline
from workshops import services
from workshops.kinds import Kind
from workshops.models import Participant, Workshop


@pytest.fixture
def fran(board: Workshop) -> Participant:
    return services.facilitator_participant(workshop=board, user=board.owner)


def test_taking_back_a_persons_changes_removes_what_they_added_and_restores_what_they_deleted(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant
) -> None:
    review = make_sticky(board, alice, text="Code reviewed")
    make_note(board, alice, Kind.PAIN, "Reviewers are busy", review)
    for text in ("lol", "spam"):
        make_sticky(board, bob, text=text)
    services.sticky_delete(workshop=board, by=bob, op=None, sticky_id=review.pk)
    bob_note = make_note(board, bob, Kind.QUESTION, "???", make_sticky(board, alice, text="Built"))

    count = services.participant_undo(workshop=board, by=fran, op=None, participant=bob.pk)

    assert count == 4  # three added, one restored
    assert timeline(board) == ["Code reviewed", "Built"]
    assert fresh(bob_note).deleted_at is not None
    assert parked_notes(board) == []  # the event came back with its note
    operation = board.operations.order_by("seq").last()
    assert operation is not None and operation.participant == fran
    assert operation.summary == (
        "took back what Bob did: removed 3 stickies they added, brought back 1 they deleted"
    )


def test_taking_back_is_for_facilitators_and_needs_something_to_take_back(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant
) -> None:
    make_sticky(board, bob, text="spam")
    with nothing_changes(board), pytest.raises(PermissionDenied):
        services.participant_undo(workshop=board, by=alice, op=None, participant=bob.pk)
    with nothing_changes(board), pytest.raises(ValidationError, match="nothing on the board"):
        services.participant_undo(workshop=board, by=fran, op=None, participant=alice.pk)


def test_the_manage_page_takes_back_a_persons_changes(
    client: Client, board: Workshop, bob: Participant
) -> None:
    make_sticky(board, bob, text="spam")
    client.force_login(board.owner)
    page = client.get(reverse("manage", args=[board.slug])).content.decode()
    url = reverse("participant_undo", args=[board.slug, bob.pk])
    assert url in page
    client.post(url)
    assert timeline(board) == []


def test_a_facilitator_restores_anything_anyone_deleted_from_the_history_page(
    client: Client, board: Workshop, alice: Participant, bob: Participant
) -> None:
    sticky = make_sticky(board, alice, text="Deployed")
    services.sticky_delete(workshop=board, by=bob, op=None, sticky_id=sticky.pk)
    client.force_login(board.owner)
    page = client.get(reverse("history", args=[board.slug])).content.decode()
    restore = reverse("sticky_restore", args=[board.slug, sticky.pk])
    assert restore in page and "Deployed" in page
    response = client.post(restore)
    assert response["Location"] == reverse("history", args=[board.slug])
    assert timeline(board) == ["Deployed"]
    assert "restored “Deployed”" in client.get(response["Location"]).content.decode()
